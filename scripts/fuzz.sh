#!/usr/bin/env bash
# Builds the libFuzzer targets (clang++, ASan + UBSan) and runs each for a bounded number of executions.
# usage: scripts/fuzz.sh [runs] [targets...]   runs defaults to 1000000; targets: idx checkpoint config (all)
# Env: BUILD_DIR (default build-fuzz), MAX_TIME seconds per target (default 1800), JOBS (default 2).
# New inputs go to $BUILD_DIR/fuzz-work/<target>; the seed corpora in tests/fuzz/corpus stay untouched.
# Exit status: non-zero when a target crashes, hangs, leaks or reports undefined behaviour (libFuzzer leaves a
# crash-*/timeout-* file in the work folder).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-1000000}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(idx checkpoint config); fi
build="${BUILD_DIR:-$root/build-fuzz}"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATENTLAB_FUZZ=ON \
    -DLATENTLAB_SANITIZE=address,undefined -DLATENTLAB_BUILD_UI=OFF -DLATENTLAB_OPENMP=OFF -DLATENTLAB_NATIVE=OFF \
    >/dev/null
cmake --build "$build" --target $(printf 'fuzz_%s ' "${targets[@]}") -j"${JOBS:-2}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
status=0
for t in "${targets[@]}"; do
    work="$build/fuzz-work/$t"
    mkdir -p "$work"
    echo "== fuzz_$t: $runs runs"
    (cd "$work" && "$build/tests/fuzz/fuzz_$t" -runs="$runs" -max_total_time="${MAX_TIME:-1800}" -timeout=10 \
        -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 "$work" "$root/tests/fuzz/corpus/$t" 2>&1 |
        grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY|.*runtime error)" ) \
        || true
    if ls "$work"/crash-* "$work"/timeout-* "$work"/leak-* "$work"/oom-* >/dev/null 2>&1; then
        echo "fuzz_$t: FAILED (see $work)"
        status=1
    fi
done
exit $status
