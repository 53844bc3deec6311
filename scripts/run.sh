#!/bin/bash
# Installs what is missing, builds, and starts the Latent Lab window; extra arguments go to the app.
# Without a display ($DISPLAY / $WAYLAND_DISPLAY unset) it runs the app under Xvfb instead: the default preset trains
# a few hundred steps (TRAIN_STEPS, 300), then the window is written to a screenshot and its path printed, so the
# command still shows the lab doing its job. Extra arguments come after these, so --train-steps or --preset win.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

app="${BUILD_DIR:-$root/build}/app/latentlab"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
    exec "$app" "$@"
fi

shot="${BUILD_DIR:-$root/build}/latentlab-screenshot.png"
steps="${TRAIN_STEPS:-300}"
echo "run: no display is set (DISPLAY, WAYLAND_DISPLAY); under xvfb-run the lab trains $steps steps, then takes a screenshot"
xvfb-run -a -s "-screen 0 1280x800x24" "$app" --train-steps "$steps" --screenshot "$shot" --frames 10 "$@"
echo "run: the picture is $shot"
