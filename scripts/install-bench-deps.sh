#!/bin/bash
# Installs (as root, with apt-get) what scripts/bench.sh needs beyond the build: Debian's PyTorch and an optimised
# BLAS for it. Debian's python3-torch reaches BLAS through libblas.so.3, which is the slow reference BLAS unless
# OpenBLAS provides it, so the benchmark would compare against a crippled PyTorch; bench.sh refuses to.
# Does nothing, and needs no network, when every package is already installed (like scripts/install-deps.sh).
set -euo pipefail

PACKAGES=(
    # PyTorch 1.13 for /usr/bin/python3 (pulls python3-numpy)
    python3-torch
    # OpenBLAS behind libblas.so.3 (the alternatives system prefers it over the reference BLAS) and for our own
    # build's LATENTLAB_GEMM=openblas
    libopenblas0-pthread libopenblas-dev
    # the OpenMP build of OpenBLAS, which scripts/bench.sh loads into PyTorch's process: it shares PyTorch's OpenMP
    # threads instead of adding its own pthreads beside them
    libopenblas0-openmp
    # the allocator scripts/bench.sh gives PyTorch's process (LD_PRELOAD), as PyTorch's CPU performance guide advises:
    # with glibc's malloc every large temporary is a fresh mmap and its pages fault in again, which ran PyTorch's
    # MLP steps 3-4x slower here (scripts/bench.sh, TORCH_MALLOC); jemalloc beside it, for comparison
    libtcmalloc-minimal4 libjemalloc2
    # the data set the standard models train on
    dataset-fashion-mnist
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-bench-deps: all ${#PACKAGES[@]} packages are installed"
else
    echo "install-bench-deps: missing packages: ${missing[*]}"
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "install-bench-deps: error: installing needs root; run as root:  sudo $0" >&2
        echo "  or install them yourself:  sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-bench-deps: error: apt-get not found; this script targets Debian 12 (bookworm)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
    echo "install-bench-deps: installed ${missing[*]}"
fi

# Which BLAS libblas.so.3 resolves to now (what PyTorch will load).
blas="$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)"
echo "install-bench-deps: libblas.so.3 -> ${blas:-missing}"
if [[ "$blas" != *openblas* && "$blas" != *blis* ]]; then
    echo "install-bench-deps: warning: libblas.so.3 is not OpenBLAS; choose it with" >&2
    echo "  sudo update-alternatives --config libblas.so.3-x86_64-linux-gnu" >&2
fi
