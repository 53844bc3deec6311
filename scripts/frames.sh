#!/bin/bash
# Issue 5's smoothness bar, measured: the window's frame times under Xvfb with a preset idle, then with it training,
# alternated ROUNDS times so a shared machine's load hits both alike. Prints each run's --frame-stats lines and, per
# round, the 95th-percentile frame interval training / idle (the bar: at most 1.25).
#   scripts/frames.sh [PRESET] [extra app arguments...]
# Environment: ROUNDS (3), FRAMES (600 per run), SIZE (1280x800), BUILD_DIR (build).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app="${BUILD_DIR:-$root/build}/app/latentlab"
preset="${1:-vae-fashion}"
shift || true
rounds="${ROUNDS:-3}"
frames="${FRAMES:-600}"
size="${SIZE:-1280x800}"
[[ -x "$app" ]] || { echo "frames: build the app first (scripts/build.sh)" >&2; exit 2; }
command -v xvfb-run > /dev/null || { echo "frames: needs xvfb-run (package xvfb)" >&2; exit 2; }

# A fresh config folder: the default arrangement of the windows, not a layout saved by earlier runs.
config="$(mktemp -d)"
trap 'rm -rf "$config"' EXIT

# p95 of the "(interval)" line of one run; --continuous draws every frame, so the interval is the frame rate.
run() {
    local steps="$1"
    shift
    XDG_CONFIG_HOME="$config" XDG_DATA_HOME="$config/data" xvfb-run -a -s "-screen 0 ${size}x24" "$app" --preset "$preset" --continuous --frame-stats --frames "$frames" \
        --size "$size" --train-steps "$steps" "$@" 2>&1 | grep "frame time" | sed "s/^latentlab: frame time/  /"
}
p95() { grep "(interval)" | sed -E 's/.*p95 ([0-9.]+) ms.*/\1/'; }

echo "frames: $preset at $size, $frames frames per run, $rounds rounds, --continuous, 60 fps cap"
for ((r = 1; r <= rounds; ++r)); do
    idle="$(run 0 "$@")"
    training="$(run 100000000 "$@")"
    echo "round $r idle:"
    echo "$idle"
    echo "round $r training:"
    echo "$training"
    a="$(echo "$idle" | p95)"
    b="$(echo "$training" | p95)"
    awk -v a="$a" -v b="$b" -v r="$r" \
        'BEGIN { printf "round %d: p95 interval idle %.2f ms, training %.2f ms, ratio %.3f (bar 1.25)\n", r, a, b, b / a }'
done
