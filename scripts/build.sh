#!/bin/bash
# Configures and builds Latent Lab into build/ (Release unless BUILD_TYPE says otherwise) with every core.
# Options: LATENTLAB_NATIVE=ON|OFF and LATENTLAB_SANITIZE=... from the environment, and any extra
# arguments are passed to cmake's configure step (e.g. scripts/build.sh -DLATENTLAB_NATIVE=OFF).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"

args=(-DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}")
if [[ -n "${LATENTLAB_NATIVE:-}" ]]; then
    args+=(-DLATENTLAB_NATIVE="$LATENTLAB_NATIVE")
fi
if [[ -n "${LATENTLAB_SANITIZE:-}" ]]; then
    args+=(-DLATENTLAB_SANITIZE="$LATENTLAB_SANITIZE")
fi

jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S "$root" -B "$build_dir" "${args[@]}" "$@"
cmake --build "$build_dir" -j "$jobs"
