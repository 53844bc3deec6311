#!/usr/bin/env bash
# Soak: a preset (default gan-fashion) training for N minutes (default 10).
#   headless (default): snapshots published at every step and a simulated UI reader (tests/soak); prints resident
#     memory every minute and fails if the end differs from minute 1 by more than 10%.
#   --window: the real window under Xvfb, drawing every frame (--continuous, 60 fps cap) while training; samples the
#     app's resident memory every minute and fails if the end differs from minute 1 by more than 10% or if any frame
#     interval after start-up (the app's --frame-stats leave out the first frames) exceeds 250 ms.
# usage: scripts/soak.sh [minutes] [preset] [--window]
# Env: BUILD_DIR (headless: default build-soak, configured here with the UI off; --window: default build, which must
#      hold build/app/latentlab), SIZE (window size, 1280x800), FPS (60).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
window=0
args=()
for a in "$@"; do
    if [ "$a" = "--window" ]; then window=1; else args+=("$a"); fi
done
minutes="${args[0]:-10}"
preset="${args[1]:-gan-fashion}"

if [ "$window" = 0 ]; then
    build="${BUILD_DIR:-$root/build-soak}"
    if [ ! -f "$build/CMakeCache.txt" ]; then
        cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLATENTLAB_BUILD_UI=OFF >/dev/null
    fi
    cmake --build "$build" --target latentlab_soak -j"${JOBS:-2}"
    exec "$build/tests/soak/latentlab_soak" "$preset" "$minutes"
fi

app="${BUILD_DIR:-$root/build}/app/latentlab"
[ -x "$app" ] || { echo "soak: build the app first (scripts/build.sh)" >&2; exit 2; }
command -v Xvfb >/dev/null || { echo "soak: needs Xvfb (apt-get install xvfb)" >&2; exit 2; }
size="${SIZE:-1280x800}"
fps="${FPS:-60}"
work="$(mktemp -d)"
xvfb_pid=""
app_pid=""
cleanup() {
    [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# A display of our own (Xvfb picks a free number and writes it to fd 3), and a fresh config folder (default layout).
Xvfb -displayfd 3 -screen 0 "${size}x24" -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { echo "soak: Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }
display=":$(cat "$work/display")"
frames=$((minutes * 60 * fps))
echo "soak --window: $preset at $size, $frames frames (--continuous, $fps fps cap), display $display," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
DISPLAY="$display" XDG_CONFIG_HOME="$work/config" "$app" --preset "$preset" --continuous --fps "$fps" \
    --frame-stats --frames "$frames" --size "$size" --train-steps 1000000000 >"$work/app.log" 2>&1 &
app_pid=$!
rss1=0
rss=0
minute=1
while kill -0 "$app_pid" 2>/dev/null; do
    sleep 5
    now=$(( $(date +%s) - start ))
    if [ "$now" -ge $((minute * 60)) ] && kill -0 "$app_pid" 2>/dev/null; then
        rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$app_pid/status" 2>/dev/null || echo 0)
        [ "$minute" = 1 ] && rss1="$rss"
        echo "minute $minute: rss $rss KiB, load $(cut -d' ' -f1 /proc/loadavg)"
        minute=$((minute + 1))
    fi
done
wait "$app_pid" && app_rc=0 || app_rc=$?
app_pid=""
elapsed=$(( $(date +%s) - start ))
grep "frame time" "$work/app.log" || true
status=0
if [ "$app_rc" != 0 ]; then
    echo "FAIL: the app exited with $app_rc"; cat "$work/app.log"; status=1
fi
max=$(sed -nE 's/.*frame time \(interval\).* max ([0-9.]+) ms.*/\1/p' "$work/app.log")
awk -v a="$rss1" -v b="$rss" -v m="${max:-9999}" -v t="$elapsed" 'BEGIN {
    change = a > 0 ? 100 * (b - a) / a : 0
    printf "end after %d s: rss minute 1 %d KiB, last sample %d KiB, change %+.1f%%; longest frame interval %.1f ms\n",
        t, a, b, change, m
    exit (a > 0 && (change > 10 || change < -10)) || m > 250 }' ||
    { echo "FAIL: memory or frame-interval bar"; status=1; }
[ "$status" = 0 ] && echo "PASS"
exit $status
