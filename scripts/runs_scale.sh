#!/bin/bash
# Issue 18's scale bar, measured: 50 runs with 100,000 points per metric open in under 2 s, and overlaying them keeps
# the window's p95 frame interval within 1.25x of the idle one. Writes the runs with `latentlab runs synth` (5
# configs x 10 seeds, 4 series of 100,000 points and a sparse evaluation each, sample pictures, one damaged run) into
# a temporary folder, times `latentlab runs time-open` (the window's own reader) ROUNDS times, then runs the window
# under Xvfb on that folder (gan-ring8 loaded, not training, --no-record, --continuous --frame-stats) with the Plots
# view in front: idle (nothing selected), with every run selected (the Plots view overlays them: 5 seed groups), and
# with every run selected as a line of its own (--no-group-seeds), alternated ROUNDS times.
# With BASE set to another latentlab binary (e.g. one built from main), every measurement is made with both, BASE's
# first, in each round: before and after side by side under the same load.
#   scripts/runs_scale.sh
# Environment: COUNT (50), POINTS (100000), ROUNDS (3), FRAMES (600 per run), SIZE (1280x800), BUILD_DIR (build),
# BASE (none).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app="${BUILD_DIR:-$root/build}/app/latentlab"
count="${COUNT:-50}"
points="${POINTS:-100000}"
rounds="${ROUNDS:-3}"
frames="${FRAMES:-600}"
size="${SIZE:-1280x800}"
[[ -x "$app" ]] || { echo "runs_scale: build the app first (scripts/build.sh)" >&2; exit 2; }
apps=("$app")
labels=("")
if [[ -n "${BASE:-}" ]]; then
    [[ -x "$BASE" ]] || { echo "runs_scale: BASE '$BASE' is not an executable" >&2; exit 2; }
    apps=("$BASE" "$app")
    labels=("before " "after ")
fi
command -v xvfb-run > /dev/null || { echo "runs_scale: needs xvfb-run (package xvfb)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
runs="$work/runs"
"$app" runs synth --runs "$runs" --count "$count" --points "$points"
du -sh "$runs" | sed 's/^/runs_scale: on disk /'
# Cold: without the curves.lod files the recorder leaves (runs written by older versions or other tools), every
# metrics.csv is parsed (and its curves.lod written); then as the lab's runs are, from curves.lod.
for ((r = 1; r <= rounds; ++r)); do
    for i in "${!apps[@]}"; do
        find "$runs" -name curves.lod -delete
        "${apps[$i]}" runs time-open --runs "$runs" --threads 2 | sed "s/^/round $r, ${labels[$i]}from the CSVs: /"
        "${apps[$i]}" runs time-open --runs "$runs" --threads 2 | sed "s/^/round $r, ${labels[$i]}from curves.lod: /"
    done
done

# p95 of the "(interval)" line of one window run.
window() {
    XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" xvfb-run -a -s "-screen 0 ${size}x24" "$exe" \
        --preset gan-ring8 --runs "$runs" --no-record --view plots --continuous --frame-stats --frames "$frames" \
        --size "$size" "$@" 2>&1 | grep -E "frame time|runs:" | sed "s/^latentlab: //"
}
p95() { grep "(interval)" | sed -E 's/.*p95 ([0-9.]+) ms.*/\1/'; }

echo "runs_scale: window at $size, $frames frames per run, $rounds rounds, --continuous, 60 fps cap"
for ((r = 1; r <= rounds; ++r)); do
    for i in "${!apps[@]}"; do
        exe="${apps[$i]}"
        label="${labels[$i]}"
        idle="$(window)"
        grouped="$(window --select-runs all)"
        separate="$(window --select-runs all --no-group-seeds)"
        echo "round $r ${label}idle:"
        echo "$idle"
        echo "round $r ${label}every run selected, seeds grouped:"
        echo "$grouped"
        echo "round $r ${label}every run selected, a line per run:"
        echo "$separate"
        a="$(echo "$idle" | p95)"
        b="$(echo "$grouped" | p95)"
        c="$(echo "$separate" | p95)"
        awk -v a="$a" -v b="$b" -v c="$c" -v r="$r" -v l="$label" 'BEGIN { printf "round %d: %sp95 interval idle %.2f ms, grouped %.2f ms (%.2fx), a line per run %.2f ms (%.2fx) (bar 1.25x)\n", r, l, a, b, b / a, c, c / a }'
    done
done
