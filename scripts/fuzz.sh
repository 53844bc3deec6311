#!/usr/bin/env bash
# Builds the libFuzzer targets (clang++, ASan + UBSan) and runs each for a bounded number of executions, inputs up to
# MAX_LEN bytes, from the committed seed corpora (tests/fuzz/corpus/<target>) plus structure-aware seeds that
# fuzz_make_seeds writes at run time (JSON 100,000 deep, near-1 MB strings, headers announcing gigabytes, ...).
# usage: scripts/fuzz.sh [runs] [targets...]   runs defaults to 1000000; targets: idx checkpoint config image metrics_csv safetensors curves (all)
# Env: BUILD_DIR (default build-fuzz), MAX_TIME seconds per pass (default 7200), MAX_LEN (default 1048576),
#      BOUNDS_RUNS executions of the structure-aware pass (default 20000), JOBS build jobs (default 2).
# New inputs go to $BUILD_DIR/fuzz-work/<target>-<pass> (kept between runs); the seed corpora stay untouched.
# Prints one summary line per target: executions, seconds, coverage (libFuzzer's cov = edges, ft = features),
# corpus size. -timeout=25 (a legitimate 4096 x 4096 decode takes seconds under ASan on a loaded machine).
# Exit status: non-zero when a target crashes, hangs, leaks, runs out of memory or reports undefined
# behaviour (libFuzzer leaves a crash-*/timeout-*/leak-*/oom-* file in $BUILD_DIR/fuzz-artifacts/<target>), or
# stops short of `runs`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-1000000}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(idx checkpoint config image metrics_csv safetensors curves); fi
build="${BUILD_DIR:-$root/build-fuzz}"
max_len="${MAX_LEN:-1048576}"

# libFuzzer ships with clang's runtime libraries: check for it before configuring anything.
if ! command -v clang++ >/dev/null 2>&1; then
    echo "fuzz.sh: clang++ not found; install it with: apt-get install clang libclang-rt-14-dev" >&2
    exit 2
fi
probe="$(mktemp -d)"
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/p.cpp"
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" >/dev/null 2>&1; then
    rm -rf "$probe"
    echo "fuzz.sh: clang++ cannot link -fsanitize=fuzzer (libFuzzer runtime missing);" \
        "install it with: apt-get install libclang-rt-14-dev" >&2
    exit 2
fi
rm -rf "$probe"

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATENTLAB_FUZZ=ON \
    -DLATENTLAB_SANITIZE=address,undefined -DLATENTLAB_BUILD_UI=OFF -DLATENTLAB_OPENMP=OFF -DLATENTLAB_NATIVE=OFF \
    >/dev/null
cmake --build "$build" --target fuzz_make_seeds $(printf 'fuzz_%s ' "${targets[@]}") -j"${JOBS:-2}"
seeds="$build/fuzz-seeds"
rm -rf "$seeds"
ASAN_OPTIONS=detect_leaks=0 "$build/tests/fuzz/fuzz_make_seeds" "$seeds" \
    "$root/tests/fuzz/corpus/checkpoint/gan_toy.ckpt"

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
status=0
# run_pass TARGET PASS RUNS CORPUS...: one libFuzzer run, inputs up to MAX_LEN; new inputs go to the pass's own work
# folder (the first corpus), artifacts to fuzz-artifacts/<target>. Prints its summary line; returns non-zero on a
# finding or a run that stopped short.
run_pass() {
    local t="$1" pass="$2" n="$3"
    shift 3
    local work="$build/fuzz-work/$t-$pass" artifacts="$build/fuzz-artifacts/$t" log="$build/fuzz-$t-$pass.log"
    mkdir -p "$work" "$artifacts"
    echo "== fuzz_$t ($pass): $n runs, inputs up to $max_len bytes (log: $log)"
    local start seconds executed last cov ft files bytes
    start=$(date +%s)
    (cd "$work" && "$build/tests/fuzz/fuzz_$t" -runs="$n" -max_total_time="${MAX_TIME:-7200}" -timeout=25 \
        -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$work" "$@" >"$log" 2>&1) || true
    seconds=$(( $(date +%s) - start ))
    grep -E "^(==[0-9]+==ERROR|SUMMARY|.*runtime error)" "$log" || true
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last=$(grep -E "^#[0-9]+" "$log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    files=$(find "$work" -maxdepth 1 -type f | wc -l)
    bytes=$(du -sb "$work" | cut -f1)
    echo "fuzz_$t ($pass): ${executed:-0} runs in ${seconds} s, cov ${cov:-?} ft ${ft:-?}, corpus $files files" \
        "($bytes bytes) added to the seeds; peak RSS $(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1) MB"
    if ls "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/leak-* "$artifacts"/oom-* >/dev/null 2>&1; then
        echo "fuzz_$t: FAILED (see $artifacts and $log)"
        return 1
    elif [ "${executed:-0}" -lt "$n" ]; then
        echo "fuzz_$t ($pass): stopped after ${executed:-0} of $n runs" \
            "(MAX_TIME ${MAX_TIME:-7200} s, or an error above)"
        return 1
    fi
}

# Two passes per target. "bounds": the structure-aware seeds (up to 1 MB each: depth, size, claimed dimensions) and
# the committed corpus, BOUNDS_RUNS executions (inputs that large run at a few hundred per second). "volume": `runs`
# executions from the committed corpus with the same 1 MB limit, where libFuzzer grows input lengths gradually.
for t in "${targets[@]}"; do
    mkdir -p "$seeds/$t" "$root/tests/fuzz/corpus/$t"
    run_pass "$t" bounds "${BOUNDS_RUNS:-20000}" "$root/tests/fuzz/corpus/$t" "$seeds/$t" || status=1
    run_pass "$t" volume "$runs" "$root/tests/fuzz/corpus/$t" || status=1
done
exit $status
