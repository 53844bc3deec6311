#!/bin/bash
# Latent Lab against PyTorch, side by side: builds latentlab if needed, then for each thread count (1 and 2 by
# default) and each model runs `latentlab bench` and scripts/bench_pytorch.py back to back, alternating which goes
# first, REPEATS times, and prints the medians and the median of the paired ratios (Latent Lab steps/s over PyTorch
# steps/s, each pair measured back to back). Compare the ratios, not the absolute numbers, on a shared machine.
# The models are issue 14's MLPs and issue 13's convolutional dcgan and conv-vae (both sides build them the same);
# a model this build of the lab does not list (`latentlab bench --list`) runs on PyTorch's side alone.
# Refuses to print ratios when PyTorch loaded the reference BLAS (a crippled baseline): install OpenBLAS with
# scripts/install-bench-deps.sh.
#
# CONTENTION=1 instead measures the lab alone, idle and with one competing CPU-bound process (a busy loop) beside
# it, alternating, and prints the share of its idle speed it keeps (issue 14's bar: >= 40% at the default threads).
#
# Environment: BUILD_DIR (default build/), THREADS ("1 2"), REPEATS (3), SECONDS_PER_MODEL (5),
# MODELS ("vae-mlp gan-mlp gan-toy dcgan conv-vae"), PYTHON (/usr/bin/python3, Debian's python3-torch),
# LATENTLAB_DATA (Fashion-MNIST folder), CONTENTION (0), TORCH_BLAS (openmp: PyTorch's process loads the OpenMP build
# of OpenBLAS when it is installed; pthread or system: libblas.so.3 as the alternatives system chose it).
# OpenBLAS picks its kernels by CPU when it loads unless OPENBLAS_CORETYPE names a set; both sides inherit this
# environment, and the summary prints the kernels each side ran (on an AVX-512 machine, OPENBLAS_CORETYPE=Haswell
# runs the products at about 0.55-0.95 of their speed on both sides).
# TORCH_MALLOC (tcmalloc): the allocator PyTorch's process runs on, by LD_PRELOAD, as PyTorch's own CPU performance
# tuning guide tells its users: tcmalloc (Debian's libtcmalloc-minimal4), jemalloc (libjemalloc2) or glibc (none).
# Under glibc's malloc every large temporary (Adam's sqrt and division, activations) is a fresh mmap whose pages
# fault in again on every step: measured on a 2-core AMD EPYC (Zen 5), 1 thread, vae-mlp 51 steps/s with glibc, 170
# with tcmalloc, 173 with jemalloc; dcgan 2.5, 5.0 and 1.2. The summary prints the allocator each side ran on.
#
# PyTorch's OpenMP threads and the pthread build of OpenBLAS's own threads oversubscribe the cores (4 spinning threads
# on 2 cores: measured here 60 steps/s on gan-toy at 2 threads against 260 at 1), so the PyTorch side runs on the
# OpenMP build, which shares PyTorch's OpenMP pool, and every ratio at T threads is also given against the best
# PyTorch median at any thread count up to T ("vs best"): a user whose PyTorch is slower on 2 threads uses 1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
threads_list="${THREADS:-1 2}"
repeats="${REPEATS:-3}"
seconds="${SECONDS_PER_MODEL:-5}"
models="${MODELS:-${MODEL:-vae-mlp gan-mlp gan-toy dcgan conv-vae}}"
[[ "$models" == all ]] && models="vae-mlp gan-mlp gan-toy dcgan conv-vae"
python="${PYTHON:-/usr/bin/python3}"
contention="${CONTENTION:-0}"
torch_blas="${TORCH_BLAS:-openmp}"
multiarch="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
torch_env=()
if [[ "$torch_blas" == openmp && -e "/usr/lib/$multiarch/openblas-openmp/libblas.so.3" ]]; then
    torch_env=(LD_LIBRARY_PATH="/usr/lib/$multiarch/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
fi
torch_malloc="${TORCH_MALLOC:-tcmalloc}"
case "$torch_malloc" in
    tcmalloc) malloc_lib="/usr/lib/$multiarch/libtcmalloc_minimal.so.4" ;;
    jemalloc) malloc_lib="/usr/lib/$multiarch/libjemalloc.so.2" ;;
    glibc) malloc_lib="" ;;
    *) echo "bench.sh: TORCH_MALLOC must be tcmalloc, jemalloc or glibc, got '$torch_malloc'" >&2; exit 1 ;;
esac
if [[ -n "$malloc_lib" ]]; then
    if [[ ! -e "$malloc_lib" ]]; then
        echo "bench.sh: $malloc_lib is missing (PyTorch would run on glibc's malloc, 3-4x slower on the MLPs):" >&2
        echo "  run  sudo scripts/install-bench-deps.sh, or TORCH_MALLOC=glibc to measure that on purpose" >&2
        exit 1
    fi
    torch_env+=(LD_PRELOAD="$malloc_lib${LD_PRELOAD:+:$LD_PRELOAD}")
fi
bin="$build_dir/app/latentlab"

if [[ ! -x "$bin" ]]; then
    cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build_dir" --target latentlab -j "$(nproc 2>/dev/null || echo 2)"
fi
lab_models="$("$bin" bench --list)"
has_lab() { grep -qx "$1" <<<"$lab_models"; }

log="$(mktemp)"
busy_pid=""
cleanup() { [[ -n "$busy_pid" ]] && kill "$busy_pid" 2>/dev/null; rm -f "$log"; }
trap cleanup EXIT

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ "$contention" == 1 ]]; then
    for r in $(seq 1 "$repeats"); do
        for t in $threads_list; do
            for m in $models; do
                has_lab "$m" || continue
                if (( r % 2 )); then order="idle busy"; else order="busy idle"; fi
                for side in $order; do
                    if [[ $side == busy ]]; then
                        bash -c 'while :; do :; done' &
                        busy_pid=$!
                    fi
                    "$bin" bench --model "$m" --threads "$t" --seconds "$seconds" | sed "s/^BENCH impl=latentlab/BENCH impl=$side/" | tee -a "$log"
                    if [[ -n "$busy_pid" ]]; then
                        kill "$busy_pid"; wait "$busy_pid" 2>/dev/null || true; busy_pid=""
                    fi
                done
            done
        done
    done
    echo
    echo "Load at the end: $(cut -d' ' -f1-3 /proc/loadavg). Medians of $repeats runs (steps/s), and the median of the paired"
    echo "shares busy / idle (the lab beside one busy-loop process, over the lab alone):"
    "$python" - "$log" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if line.startswith("BENCH "):
        f = dict(kv.split("=", 1) for kv in line.split()[1:])
        runs.setdefault((f["model"], int(f["threads"])), {}).setdefault(f["impl"], []).append(float(f["steps_per_s"]))
print(f"{'model':9s} {'threads':>7s} {'idle':>8s} {'busy':>8s} {'share':>6s}")
for (model, threads), sides in sorted(runs.items()):
    idle, busy = sides.get("idle", []), sides.get("busy", [])
    share = statistics.median(b / i for b, i in zip(busy, idle) if i > 0) if idle and busy else float("nan")
    print(f"{model:9s} {threads:7d} {statistics.median(idle):8.1f} {statistics.median(busy):8.1f} {share:6.2f}")
PY
    exit 0
fi

if ! "$python" -c "import torch" 2>/dev/null; then
    echo "bench.sh: $python cannot import torch: run  sudo scripts/install-bench-deps.sh" >&2
    exit 1
fi

for r in $(seq 1 "$repeats"); do
    for t in $threads_list; do
        for m in $models; do
            # Alternate which side goes first so neither always gets the quieter slot.
            if (( r % 2 )); then order="ours torch"; else order="torch ours"; fi
            for side in $order; do
                if [[ $side == ours ]]; then
                    has_lab "$m" || continue
                    "$bin" bench --model "$m" --threads "$t" --seconds "$seconds" | tee -a "$log"
                else
                    # PyTorch's OpenMP threads and OpenBLAS's own (its pthread build ignores torch.set_num_threads).
                    env "${torch_env[@]}" OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" "$python" "$root/scripts/bench_pytorch.py" \
                        --model "$m" --threads "$t" --seconds "$seconds" | tee -a "$log"
                fi
            done
        done
    done
done

echo
echo "Load at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
"$python" - "$log" "$repeats" <<'PY'
import statistics, sys
runs, blas, torch_kernels, torch_malloc = {}, set(), set(), set()
for line in open(sys.argv[1]):
    if line.startswith("PYTORCH "):
        f = dict(kv.split("=", 1) for kv in line.split()[1:])
        blas.add((f["blas"], f["blas_path"]))
        torch_kernels.add(f.get("blas_kernels", "n/a"))
        torch_malloc.add(f.get("malloc", "n/a"))
    if not line.startswith("BENCH "):
        continue
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    runs.setdefault((f["model"], int(f["threads"])), {}).setdefault(f["impl"], []).append(f)
crippled = [p for kind, p in blas if kind not in ("openblas", "blis", "mkl")]
ours_backend = {r["gemm"] + " " + r.get("gemm_kernels", "")
                for sides in runs.values() for r in sides.get("latentlab", []) if "gemm" in r}
print(f"PyTorch's BLAS: {', '.join(sorted(f'{k} ({p})' for k, p in blas)) or 'unknown'}, "
      f"kernels {', '.join(sorted(torch_kernels)) or 'n/a'}, allocator {', '.join(sorted(torch_malloc)) or 'n/a'}; "
      f"Latent Lab's products: {', '.join(sorted(ours_backend)) or 'n/a'}")
if crippled:
    print("Medians of", sys.argv[2], "runs (steps/s); NO RATIOS: PyTorch loaded", ", ".join(crippled),
          "(the reference BLAS, or none),")
    print("which is many times slower than what a PyTorch user has. Install OpenBLAS:  sudo scripts/install-bench-deps.sh")
    print("(or choose it:  sudo update-alternatives --config libblas.so.3-x86_64-linux-gnu), then run again.")
else:
    print("Medians of", sys.argv[2], "runs (steps/s) and the median of the paired ratios Latent Lab / PyTorch:")
med = lambda rows, k: statistics.median(float(r[k]) for r in rows) if rows else float("nan")
print(f"{'model':9s} {'threads':>7s} {'latentlab':>10s} {'pytorch':>10s} {'ratio':>6s} {'torch_best':>10s} "
      f"{'vs_best':>7s} {'gemm_gf':>7s} {'gemm_frac':>9s} {'rss_mb':>6s}")
torch_med = {key: med(sides.get("pytorch", []), "steps_per_s") for key, sides in runs.items() if sides.get("pytorch")}
for (model, threads) in sorted(runs):
    sides = runs[(model, threads)]
    ours, torch = sides.get("latentlab", []), sides.get("pytorch", [])
    a, b = med(ours, "steps_per_s"), med(torch, "steps_per_s")
    pairs = [float(o["steps_per_s"]) / float(t["steps_per_s"]) for o, t in zip(ours, torch)
             if float(t["steps_per_s"]) > 0]
    ratio = f"{statistics.median(pairs):6.2f}" if pairs and not crippled else f"{'-':>6s}"
    # PyTorch's best median at any thread count up to this one (a user picks the faster setting).
    best = max((v for (m, t), v in torch_med.items() if m == model and t <= threads), default=float("nan"))
    vs_best = f"{a / best:7.2f}" if ours and best == best and best > 0 and not crippled else f"{'-':>7s}"
    print(f"{model:9s} {threads:7d} {a:10.1f} {b:10.1f} {ratio} {best:10.1f} {vs_best} {med(ours, 'gemm_gflops'):7.1f} "
          f"{med(ours, 'gemm_fraction'):9.2f} {med(ours, 'peak_rss_mb'):6.0f}")
sys.exit(1 if crippled else 0)
PY
