#!/bin/bash
# Latent Lab against the PyTorch reference, side by side: builds latentlab if needed, then for each thread count
# (1 and 2 by default) runs `latentlab bench` and scripts/bench_pytorch.py alternately, REPEATS times, and prints
# the medians and the ratios (Latent Lab steps/s over PyTorch steps/s). Interleaving makes a noisy machine hit
# both sides alike; compare the ratios, not the absolute numbers.
# Environment: BUILD_DIR (default build/), THREADS ("1 2"), REPEATS (3), SECONDS_PER_MODEL (5), MODEL (all),
# PYTHON (/usr/bin/python3, Debian's python3-torch), LATENTLAB_DATA (Fashion-MNIST folder).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
threads_list="${THREADS:-1 2}"
repeats="${REPEATS:-3}"
seconds="${SECONDS_PER_MODEL:-5}"
model="${MODEL:-all}"
python="${PYTHON:-/usr/bin/python3}"
bin="$build_dir/app/latentlab"

if [[ ! -x "$bin" ]]; then
    cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build_dir" --target latentlab -j "$(nproc 2>/dev/null || echo 2)"
fi
if ! "$python" -c "import torch" 2>/dev/null; then
    echo "bench.sh: $python cannot import torch (apt-get install python3-torch libopenblas0-openmp)" >&2
    exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
for r in $(seq 1 "$repeats"); do
    for t in $threads_list; do
        # Alternate which side goes first so neither always gets the quieter slot.
        if (( r % 2 )); then order="ours torch"; else order="torch ours"; fi
        for side in $order; do
            if [[ $side == ours ]]; then
                "$bin" bench --model "$model" --threads "$t" --seconds "$seconds" | tee -a "$log"
            else
                OMP_NUM_THREADS="$t" "$python" "$root/scripts/bench_pytorch.py" --model "$model" --threads "$t" \
                    --seconds "$seconds" | tee -a "$log"
            fi
        done
    done
done

echo
echo "Medians of $repeats runs (steps/s) and the median of the paired ratios Latent Lab / PyTorch:"
"$python" - "$log" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if not line.startswith("BENCH "):
        continue
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    key = (f["model"], int(f["threads"]))
    runs.setdefault(key, {}).setdefault(f["impl"], []).append(f)
print(f"{'model':8s} {'threads':>7s} {'latentlab':>10s} {'pytorch':>10s} {'ratio':>6s} {'gemm_frac':>9s} {'rss_mb':>6s}")
for (model, threads) in sorted(runs):
    sides = runs[(model, threads)]
    ours = sides.get("latentlab", [])
    torch = sides.get("pytorch", [])
    med = lambda rows, k: statistics.median(float(r[k]) for r in rows) if rows else float("nan")
    a, b = med(ours, "steps_per_s"), med(torch, "steps_per_s")
    # Median of the paired ratios (run r of ours over run r of PyTorch, measured back to back).
    pairs = [float(o["steps_per_s"]) / float(t["steps_per_s"]) for o, t in zip(ours, torch)
             if float(t["steps_per_s"]) > 0]
    ratio = statistics.median(pairs) if pairs else float("nan")
    print(f"{model:8s} {threads:7d} {a:10.1f} {b:10.1f} {ratio:6.2f} {med(ours, 'gemm_fraction'):9.2f} "
          f"{med(ours, 'peak_rss_mb'):6.0f}")
PY
