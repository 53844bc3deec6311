#!/usr/bin/env bash
# Soak: headless training of a preset (default gan-fashion) for N minutes (default 10) with snapshots published
# at every step and a simulated UI reader; prints resident memory every minute and fails if the end differs
# from minute 1 by more than 10%.
# usage: scripts/soak.sh [minutes] [preset]   (BUILD_DIR overrides the build folder, default build-soak)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
minutes="${1:-10}"
preset="${2:-gan-fashion}"
build="${BUILD_DIR:-$root/build-soak}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLATENTLAB_BUILD_UI=OFF >/dev/null
cmake --build "$build" --target latentlab_soak -j"${JOBS:-2}"
"$build/tests/soak/latentlab_soak" "$preset" "$minutes"
