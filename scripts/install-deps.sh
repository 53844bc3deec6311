#!/bin/bash
# Installs (as root, with apt-get) everything Latent Lab needs to build, test and run on Debian 12.
# Does nothing, and needs no network, when every package is already installed.
set -euo pipefail

PACKAGES=(
    # toolchain and build
    build-essential cmake pkg-config
    # libraries we compile against
    libeigen3-dev doctest-dev libimgui-dev libglfw3-dev libstb-dev zlib1g-dev nlohmann-json3-dev libgl-dev
    # the matrix products' backend (LATENTLAB_GEMM=openblas, the default; the build falls back to Eigen without it)
    libopenblas-dev
    # JPEG decoding for image folders (libjpeg-turbo; stb_image keeps PNG and BMP)
    libjpeg62-turbo-dev
    # OpenGL at run time: GLX client + Mesa's software rasteriser (llvmpipe) so the app runs without a GPU
    libgl1 libglx-mesa0 libgl1-mesa-dri
    # X11 extension libraries GLFW opens at run time (cursors, monitors, input)
    libxrandr2 libxcursor1 libxinerama1 libxi6
    # headless display for the GUI tests and for scripts/run.sh without $DISPLAY; xvfb-run needs xauth
    xvfb xauth
    # the lab's font (DejaVu Sans; the app falls back to ImGui's built-in font without it)
    fonts-dejavu-core
    # the default data set: /usr/share/datasets/fashion-mnist
    dataset-fashion-mnist
    # the ONNX export's test (ctest -R export_onnx): onnx.checker, shape inference, and NumPy for its evaluation
    # (python3-onnx pulls python3-numpy, python3-protobuf, libonnx1, libprotobuf32: about 38 MB installed)
    python3-onnx
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#PACKAGES[@]} packages are installed"
    exit 0
fi

echo "install-deps: missing packages: ${missing[*]}"
if [[ "$(id -u)" -ne 0 ]]; then
    echo "install-deps: error: installing needs root; run as root:  sudo $0" >&2
    echo "  or install them yourself:  sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: error: apt-get not found; this script targets Debian 12 (bookworm)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
