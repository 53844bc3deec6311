#!/usr/bin/env bash
# Sanitizer runs (UI off, so no GL is needed):
#   1. AddressSanitizer + UndefinedBehaviorSanitizer: builds every core test suite and runs them with ctest
#      (test_nn's allocation count is skipped under ASan, see tests/nn/test_allocations.cpp).
#   2. ThreadSanitizer: builds test_train and test_checkpoint and runs them (the session's threads, its command
#      queue and snapshots, checkpoint commands and rollback): only core/train starts threads (OpenMP is off
#      under TSan), so the other suites are left to ASan.
# CI (.ci/run) runs both by default: ~25 minutes on 2 idle cores, nothing cut (timings in .ci/run).
# usage: scripts/sanitize.sh [asan|tsan]...   (default: both)
# Env: ASAN_BUILD_DIR (build-asan), TSAN_BUILD_DIR (build-tsan), JOBS (2). Exits non-zero on any report.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${JOBS:-2}"
what=("$@")
if [ ${#what[@]} -eq 0 ]; then what=(asan tsan); fi
common=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATENTLAB_BUILD_UI=OFF -DLATENTLAB_NATIVE=OFF)

# GCC 12's TSan cannot start on kernels that randomise mmap with more bits than it expects ("unexpected memory
# mapping"); such a start is retried once with address-space randomisation off for that process only.
run_tsan() {
    local dir="$1" exe="$2" log
    log="$(mktemp)"
    if (cd "$dir" && "$exe") >"$log" 2>&1; then
        cat "$log"; rm -f "$log"; return 0
    fi
    if grep -q "unexpected memory mapping" "$log"; then
        echo "TSan: '$exe' could not map its shadow memory under ASLR; retrying with setarch -R"
        rm -f "$log"
        (cd "$dir" && setarch "$(uname -m)" -R "$exe")
        return
    fi
    cat "$log"; rm -f "$log"; return 1
}

for w in "${what[@]}"; do
    case "$w" in
    asan)
        build="${ASAN_BUILD_DIR:-$root/build-asan}"
        echo "== ASan + UBSan: all core test suites ($build)"
        cmake -S "$root" -B "$build" "${common[@]}" -DLATENTLAB_SANITIZE=address,undefined >/dev/null
        # test_nn's malloc interposer compiles out under ASan (test_allocations.cpp); the hot path still runs.
        cmake --build "$build" --target test_nn test_data test_eval test_io test_checkpoint test_models test_train \
            -j"$jobs"
        ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
            ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 1200 -E "^cli_"
        ;;
    tsan)
        build="${TSAN_BUILD_DIR:-$root/build-tsan}"
        echo "== TSan: session and threading tests ($build)"
        cmake -S "$root" -B "$build" "${common[@]}" -DLATENTLAB_SANITIZE=thread >/dev/null
        cmake --build "$build" --target test_train test_checkpoint -j"$jobs"
        export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
        run_tsan "$build/tests/train" ./test_train
        run_tsan "$build/tests/io" ./test_checkpoint
        ;;
    *)
        echo "unknown sanitizer run '$w' (asan or tsan)" >&2
        exit 2
        ;;
    esac
done
echo "sanitizers: no reports"
