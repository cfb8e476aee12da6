#!/usr/bin/env bash
# bench_hash.sh BUILD_DIR: `oncutf-cli hash` against its peers, from a Release build.
#  1. one 1 GiB file in the page cache: oncutf-cli hash vs `cat FILE >/dev/null` (goal: >= 0.8 of
#     cat's throughput), vs `rhash --crc32`, vs Python zlib.crc32 in 1 MiB chunks (the original's way);
#  2. 10k files of 100 KiB: oncutf-cli hash --recursive vs `rhash --crc32 -r`, and oncutf-cli when
#     every hash is in its cache.
# oncutf-cli runs with --no-cache except where the cache is the point. Also runs bench_crc32 (the
# CRC-32 kernels alone) when the build has it.
# Needs hyperfine, rhash and python3 (scripts/install-deps.sh). Temp files live under /tmp and are
# removed on exit. Figures go to stdout; docs/performance.md records them by hand.
set -euo pipefail

build=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
cli=$(cd "$build" && pwd)/src/cli/oncutf-cli
[ -x "$cli" ] || { echo "bench_hash: $cli not found (configure and build a Release build first)" >&2; exit 1; }
for tool in hyperfine rhash python3; do
  command -v "$tool" >/dev/null || { echo "bench_hash: $tool is not installed" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/oncutf-bench-hash.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export ONCUTF_DB=$tmp/bench.db
runs=${BENCH_RUNS:-10}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "oncutf-cli: $cli"

# --- CRC-32 kernels alone (bench/bench_crc32.cpp, built with -DONCUTF_BUILD_BENCH=ON) -------------
if [ -x "$build/bench/bench_crc32" ]; then
  echo
  echo "CRC-32 kernels (CPU time per call):"
  "$build/bench/bench_crc32" --benchmark_min_time=0.2 2>&1 | grep -E 'equal zlib|^[a-z]'
else
  echo "($build/bench/bench_crc32 not built: configure with -DONCUTF_BUILD_BENCH=ON to include the kernels)"
fi

cat >"$tmp/zlib_crc.py" <<'EOF'
import sys, zlib
crc = 0
with open(sys.argv[1], "rb") as f:
    while chunk := f.read(1 << 20):
        crc = zlib.crc32(chunk, crc)
print("%08x  %s" % (crc, sys.argv[1]))
EOF

# Prints "name: mean ± stddev s" and each command's throughput relative to the first one.
report() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
size = float(sys.argv[2])
base = results[0]["mean"]
for r in results:
    line = "  %-28s %8.3f s ± %.3f" % (r["command"], r["mean"], r["stddev"])
    if size > 0:
        line += "  %7.2f GB/s" % (size / r["mean"] / 1e9)
    line += "   throughput vs %s: %.2f" % (results[0]["command"], base / r["mean"])
    print(line)
EOF
}

# --- 1. one 1 GiB file ----------------------------------------------------------------------------
big=$tmp/big.bin
head -c 1G /dev/urandom >"$big"
cat "$big" >/dev/null
expected=$(python3 "$tmp/zlib_crc.py" "$big" | cut -c1-8)
got=$("$cli" hash --no-cache "$big" | cut -c1-8)
[ "$expected" = "$got" ] || { echo "bench_hash: oncutf-cli says $got, zlib says $expected" >&2; exit 1; }
rhash_crc=$(rhash --crc32 --printf '%c' "$big" | tr 'A-F' 'a-f')
[ "$expected" = "$rhash_crc" ] || echo "bench_hash: warning: rhash says $rhash_crc" >&2
echo
echo "1 GiB file in the page cache (CRC $expected):"
hyperfine --style none --warmup 2 --runs "$runs" --export-json "$tmp/big.json" \
  -n 'cat FILE >/dev/null' "cat '$big' >/dev/null" \
  -n 'oncutf-cli hash --no-cache' "'$cli' hash --no-cache '$big' >/dev/null" \
  -n 'rhash --crc32' "rhash --crc32 '$big' >/dev/null" \
  -n 'python3 zlib.crc32 1 MiB' "python3 '$tmp/zlib_crc.py' '$big' >/dev/null" >/dev/null
report "$tmp/big.json" "$(stat -c %s "$big")"
rm -f "$big"

# --- 2. 10k files of 100 KiB --------------------------------------------------------------------------
small=$tmp/small
python3 - "$small" <<'EOF'
import os, sys
root = sys.argv[1]
for d in range(100):
    folder = os.path.join(root, "d%02d" % d)
    os.makedirs(folder)
    for f in range(100):
        with open(os.path.join(folder, "f%03d.bin" % f), "wb") as out:
            out.write(os.urandom(100 * 1024))
EOF
cat "$small"/*/* >/dev/null
# Same CRCs as rhash for every file (rhash prints upper-case hex).
diff <("$cli" hash --recursive --no-cache "$small" | sed 's/^\(........\)  \(.*\)$/\2 \1/' | sort) \
     <(rhash --crc32 -r --printf '%p %c\n' "$small" | sort) >/dev/null \
  || { echo "bench_hash: oncutf-cli and rhash disagree on the small files" >&2; exit 1; }
"$cli" hash --recursive "$small" >/dev/null # fills the cache
echo
echo "10,000 files of 100 KiB in the page cache:"
hyperfine --style none --warmup 1 --runs "$runs" --export-json "$tmp/small.json" \
  -n 'rhash --crc32 -r' "rhash --crc32 -r '$small' >/dev/null" \
  -n 'oncutf-cli hash -r --no-cache' "'$cli' hash --recursive --no-cache '$small' >/dev/null" \
  -n 'oncutf-cli hash -r --jobs 1 --no-cache' "'$cli' hash --recursive --jobs 1 --no-cache '$small' >/dev/null" \
  -n 'oncutf-cli hash -r (all cached)' "'$cli' hash --recursive '$small' >/dev/null" >/dev/null
report "$tmp/small.json" "$(du -sb "$small" | cut -f1)"
