#!/bin/bash
# Installs what is missing, builds, and starts the Latent Lab window; extra arguments go to the app.
# Without a display ($DISPLAY / $WAYLAND_DISPLAY unset) it runs under Xvfb and writes a screenshot instead,
# so the command still proves the app works.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

app="${BUILD_DIR:-$root/build}/app/latentlab"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
    exec "$app" "$@"
fi

shot="${BUILD_DIR:-$root/build}/latentlab-screenshot.png"
echo "run: no DISPLAY is set; running under xvfb-run and writing a screenshot to $shot"
exec xvfb-run -a -s "-screen 0 1280x800x24" "$app" --screenshot "$shot" --frames 10 "$@"
