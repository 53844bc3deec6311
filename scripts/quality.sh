#!/usr/bin/env bash
# Multi-seed quality runs of issue 3 (not part of ctest: they take tens of minutes on one core). Trains the presets
# through the real `latentlab train` command and prints one table: modes covered, high quality and grid KL for the
# 2-D GANs (seeds 1-5), test ELBO and IWAE (k = 500) for vae-fashion (seed 1), then the verdict for each bar.
#
# With --paper pacgan it runs the PacGAN protocol instead (Lin et al. 2018, Table 1): the plain GAN and PacGAN2/3/4
# on ring-8 and grid-25 (presets paper-*) on seeds 1-10, and grid25-precise on seeds 1-5, two runs at a time, and
# prints the lab's means and standard errors beside the paper's.
#
# With --only infogan (issue 19): infogan-ring8 on the seeds (code -> mode purity and the best one-to-one matching
# of code values to modes) and infogan-fashion on seed 1 (the judge's agreement of its categorical code with the
# classes).
#
# usage: scripts/quality.sh [--latentlab PATH] [--out DIR] [--seeds "1 2 3 4 5"] [--only gan|vae] [--fix PRESET]
#        scripts/quality.sh --only infogan [--seeds "1 2 3 4 5"] [--presets "infogan-ring8 infogan-fashion"]
#        scripts/quality.sh --paper pacgan [--seeds "1 ... 10"] [--steps N] [--jobs 2] [--presets "..."] [--report]
#   --latentlab  the app (default: $LATENTLAB, else build/app/latentlab)
#   --out        where runs go (default: runs/quality); each run keeps metrics.csv, PNGs and summary.json
#   --fix        the grid-25 fix to measure: wgan-gp-grid25 (default) or hinge-sn-grid25
#   --paper      pacgan: the PacGAN table (see above)
#   --steps      train this many steps instead of each preset's own (runs then go to <preset>_n<steps>_s<seed>)
#   --jobs       runs in parallel (default 2: the 2-core machine, one training thread each)
#   --presets    with --paper or --only infogan: a subset of the presets
#   --report     with --paper: train nothing, print the table of the runs already in --out
# Environment: LATENTLAB_DATA (Fashion-MNIST folder), THREADS (training threads per run, default 1).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
latentlab="${LATENTLAB:-$repo/build/app/latentlab}"
out="runs/quality"
seeds=""
only=""
fix="wgan-gp-grid25"
threads="${THREADS:-1}"
paper=""
steps=""
jobs=2
presets=""
report=""

while [[ $# -gt 0 ]]; do
    case "$1" in
        --latentlab) latentlab="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --seeds) seeds="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        --fix) fix="$2"; shift 2 ;;
        --paper) paper="$2"; shift 2 ;;
        --steps) steps="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        --presets) presets="$2"; shift 2 ;;
        --report) report=1; shift ;;
        -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
        *) echo "quality.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
if [[ -n "$paper" && "$paper" != "pacgan" ]]; then
    echo "quality.sh: --paper knows only 'pacgan', got '$paper'" >&2
    exit 2
fi
if [[ ! -x "$latentlab" ]]; then
    echo "quality.sh: no latentlab at '$latentlab' (build the app, or pass --latentlab PATH)" >&2
    exit 2
fi
mkdir -p "$out"

# Value of a top-level number or string key in a summary.json (one key per line, as latentlab writes it).
field()
{
    sed -n "s/^ *\"$2\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$1" | head -n 1
}

# run NAME CONFIG SEED: trains once (skipped when its summary.json exists: delete the folder to rerun).
run()
{
    local dir="$out/$1_s$3"
    if [[ ! -f "$dir/summary.json" ]]; then
        echo "== $1 seed $3" >&2
        "$latentlab" train --config "$2" --seed "$3" --out "$dir" --threads "$threads" > "$dir.log" 2>&1 ||
            echo "   failed: see $dir.log" >&2
    fi
}

if [[ "$paper" == "pacgan" ]]; then
    # shellcheck source=scripts/quality_pacgan.sh
    source "$repo/scripts/quality_pacgan.sh"
    exit 0
fi
seeds="${seeds:-1 2 3 4 5}"

if [[ "$only" == "infogan" ]]; then
    wanted() { [[ -z "$presets" || " $presets " == *" $1 "* ]]; } # --presets: a subset
    if wanted infogan-ring8; then
        for seed in $seeds; do
            run "infogan-ring8" "$repo/assets/presets/infogan-ring8.json" "$seed"
        done
    fi
    if wanted infogan-fashion; then
        run "infogan-fashion" "$repo/assets/presets/infogan-fashion.json" 1
    fi
    printf '\n%-16s %4s  %6s  %6s  %8s  %7s  %7s  %s\n' "preset" "seed" "purity" "match" "modes" "high_q" "steps/s" \
        "status"
    stats=""
    for seed in $seeds; do
        s="$out/infogan-ring8_s$seed/summary.json"
        if [[ ! -f "$s" ]]; then
            printf '%-16s %4s  %s\n' "infogan-ring8" "$seed" "(no run)"
            continue
        fi
        purity="$(field "$s" code_purity)"; match="$(field "$s" code_match)"
        printf '%-16s %4s  %6.3f  %6.3f  %5s/%-2s  %7.3f  %7.1f  %s\n' "infogan-ring8" "$seed" "$purity" "$match" \
            "$(field "$s" modes_covered)" "$(field "$s" modes_total)" "$(field "$s" high_quality)" \
            "$(field "$s" steps_per_s)" "$(field "$s" status)"
        stats="$stats $purity:$match"
    done
    if [[ -n "$stats" ]]; then
        # Mean and sample standard deviation over the seeds that ran.
        echo "$stats" | tr ' ' '\n' | awk -F: 'NF == 2 { n++; p += $1; pp += $1 * $1; m += $2; mm += $2 * $2 }
            END { sp = 0; sm = 0
                  if (n > 1) { sp = sqrt((pp - p * p / n) / (n - 1)); sm = sqrt((mm - m * m / n) / (n - 1)) }
                  printf "infogan-ring8: code -> mode purity %.3f +- %.3f, best matching %.3f +- %.3f (mean +- sd, %d seeds)\n",
                      p / n, sp, m / n, sm, n }'
    fi
    fs="$out/infogan-fashion_s1/summary.json"
    if [[ -f "$fs" ]]; then
        printf 'infogan-fashion: judge code/class best matching %.3f, purity %.3f, judge FD %.2f, %s steps (%s)\n' \
            "$(field "$fs" judge_code_match)" "$(field "$fs" judge_code_purity)" "$(field "$fs" judge_fd)" \
            "$(field "$fs" steps)" "$(field "$fs" status)"
    fi
    exit 0
fi

gan_presets=("gan-ring8" "$fix" "gan-grid25-collapse")
if [[ "$only" != "vae" ]]; then
    for seed in $seeds; do
        for p in "${gan_presets[@]}"; do
            run "$p" "$repo/assets/presets/$p.json" "$seed"
        done
    done
fi
if [[ "$only" != "gan" ]]; then
    # The preset evaluates IWAE with k = 50 (cheap for the window); the bar asks for k = 500.
    vae_cfg="$out/vae-fashion-iwae500.json"
    sed 's/"iwae_k": *[0-9]*/"iwae_k": 500/' "$repo/assets/presets/vae-fashion.json" > "$vae_cfg"
    run "vae-fashion" "$vae_cfg" 1
fi

printf '\n%-22s %4s  %8s  %7s  %8s  %7s  %s\n' "preset" "seed" "modes" "high_q" "grid_kl" "steps/s" "status"
declare -A pass_count run_count
for p in "${gan_presets[@]}"; do
    pass_count[$p]=0
    run_count[$p]=0
    for seed in $seeds; do
        s="$out/${p}_s$seed/summary.json"
        if [[ ! -f "$s" ]]; then
            printf '%-22s %4s  %s\n' "$p" "$seed" "(no run)"
            continue
        fi
        run_count[$p]=$((run_count[$p] + 1))
        modes="$(field "$s" modes_covered)"; total="$(field "$s" modes_total)"
        hq="$(field "$s" high_quality)"; kl="$(field "$s" grid_kl)"; rate="$(field "$s" steps_per_s)"
        printf '%-22s %4s  %5s/%-2s  %7.3f  %8.3f  %7.1f  %s\n' "$p" "$seed" "$modes" "$total" "$hq" "$kl" "$rate" \
            "$(field "$s" status)"
        ok=0
        case "$p" in
            gan-ring8) awk -v m="$modes" -v q="$hq" 'BEGIN{exit !(m >= 8 && q >= 0.9)}' && ok=1 ;;
            "$fix") [[ "$modes" -ge 23 ]] && ok=1 ;;
        esac
        pass_count[$p]=$((pass_count[$p] + ok))
    done
done

vs="$out/vae-fashion_s1/summary.json"
if [[ -f "$vs" ]]; then
    elbo="$(field "$vs" test_elbo)"; iwae="$(field "$vs" test_iwae)"
    printf '\n%-22s %4s  test_elbo %9.3f  test_iwae(k=%s) %9.3f  gap %6.3f\n' "vae-fashion" 1 "$elbo" \
        "$(field "$vs" iwae_k)" "$iwae" "$(awk -v a="$iwae" -v b="$elbo" 'BEGIN{print a - b}')"
fi

echo
if [[ ${run_count[gan-ring8]} -gt 0 ]]; then
    echo "gan-ring8: 8/8 modes and >= 90% high quality on ${pass_count[gan-ring8]} of ${run_count[gan-ring8]} seeds" \
        "(bar: 4 of 5)"
fi
if [[ ${run_count[$fix]} -gt 0 ]]; then
    echo "$fix: >= 23/25 modes on ${pass_count[$fix]} of ${run_count[$fix]} seeds (bar: 4 of 5;" \
        "compare gan-grid25-collapse above)"
fi
if [[ -f "$vs" ]]; then
    awk -v e="$elbo" -v i="$iwae" 'BEGIN{printf "vae-fashion: test ELBO %.2f (bar: >= -248.1) %s; IWAE - ELBO %.2f nats (bar: > 0)\n",
        e, (e >= -248.1 ? "met" : "NOT met"), i - e}'
fi
