#!/bin/sh
# Runs the ThreadPoolManager vs QThreadPool benchmark from a Release build directory and prints
# its tables. Usage: bench/run_pool_bench.sh BUILD_DIR [bench options, e.g. --workers 2,4]
# Build first: cmake --preset release && cmake --build --preset release --target bench_threadpool
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [--tasks N] [--repeats N] [--samples N] [--background N] [--background-us N] [--blocking-background] [--workers LIST] [--throughput-only] [--impl qt,anon,anonbatch,submit,batch]" >&2
    exit 2
fi
build=$1
shift
exe="$build/bench/bench_threadpool"
if [ ! -x "$exe" ]; then
    echo "$exe not found: configure with -DONCUTF_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release and build bench_threadpool" >&2
    exit 1
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
if [ "$build_type" != "Release" ]; then
    echo "warning: $build is a '$build_type' build; the figures are only meaningful in Release" >&2
fi
echo "== ThreadPoolManager benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)) =="
echo "command: $exe $*"
QT_LOGGING_RULES="*.debug=false" "$exe" "$@"
