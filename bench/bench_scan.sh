#!/usr/bin/env bash
# Scan throughput: `oncutf-cli scan --recursive --json` against `find -printf` on 100k empty files
# spread over a few folders, warm cache (hyperfine warms up first). Target: under 1 s for oncutf.
#
#   bench/bench_scan.sh BUILD_DIR          (a Release build: cmake --preset release)
#   ONCUTF_BENCH_FILES=200000 bench/bench_scan.sh build/release
#
# Never part of ctest. Prints hyperfine's table and exits non-zero if the listing is incomplete.
set -euo pipefail

build=${1:?usage: bench/bench_scan.sh BUILD_DIR}
cli="$build/src/cli/oncutf-cli"
files=${ONCUTF_BENCH_FILES:-100000}
folders=20
[ -x "$cli" ] || { echo "bench_scan: $cli not found (build the oncutf-cli target first)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench_scan: hyperfine is not installed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/oncutf-bench-scan.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree="$work/photos"

echo "bench_scan: creating $files empty files in $folders folders under $tree"
per=$(( (files + folders - 1) / folders ))
made=0
for f in $(seq -w 1 "$folders"); do
  # Two levels, as a camera dump: photos/2024/roll-NN.
  d="$tree/$(( 2000 + 10#$f % 5 ))/roll-$f"
  mkdir -p "$d"
  count=$(( files - made < per ? files - made : per ))
  [ "$count" -gt 0 ] || break
  (cd "$d" && seq -f "IMG_%06g.jpg" 1 "$count" | xargs touch)
  made=$(( made + count ))
done

listed=$("$cli" --db "$work/bench.db" scan --recursive --json "$tree" | grep -c '"path"')
if [ "$listed" -ne "$files" ]; then
  echo "bench_scan: oncutf-cli listed $listed files, expected $files" >&2
  exit 1
fi

echo "bench_scan: $(nproc) cores, $("$cli" --version)"
hyperfine --warmup 3 --runs "${ONCUTF_BENCH_RUNS:-10}" -N --output=null \
  --command-name "oncutf-cli scan --recursive --json" \
  "$cli --db $work/bench.db scan --recursive --json $tree" \
  --command-name "oncutf-cli scan --recursive (text)" \
  "$cli --db $work/bench.db scan --recursive $tree" \
  --command-name "find -type f -printf" \
  "find $tree -type f -printf '%s %T@ %p\n'"
