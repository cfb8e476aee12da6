#!/usr/bin/env bash
# `make bench`: runs every benchmark against its peer tool from a Release build dir ($1).
# Never part of the tests. Figures go to stdout; docs/performance.md records them by hand.
set -uo pipefail
build=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for script in "$here"/run_pool_bench.sh "$here"/bench_*.sh; do
  [ -x "$script" ] || continue
  echo "==== $(basename "$script")"
  "$script" "$build" || { echo "!!!! $(basename "$script") failed"; status=1; }
done
# Google Benchmark programs that no script wraps.
for prog in bench_crc32 bench_db bench_gui; do
  bin="$build/bench/$prog"
  [ -x "$bin" ] || continue
  echo "==== $prog"
  "$bin" || { echo "!!!! $prog failed"; status=1; }
done
exit $status
