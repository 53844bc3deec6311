# The PacGAN table of scripts/quality.sh --paper pacgan (sourced by it: uses its $latentlab, $out, $seeds, $steps,
# $jobs, $threads, $presets, $report and field()). Trains each paper-* preset on seeds 1-10 and grid25-precise on
# seeds 1-5 (the first five seeds given), $jobs runs at a time, then prints the lab's mean +- standard error beside
# Table 1 of Lin et al. 2018 (10 trials, mean +- standard error) and the verdicts.
seeds="${seeds:-1 2 3 4 5 6 7 8 9 10}"
# Run order within a seed: the comparisons the README leans on first.
run_order=(paper-gan-grid25 paper-pacgan4-grid25 grid25-precise paper-gan-ring8 paper-pacgan4-ring8
           paper-pacgan2-grid25 paper-pacgan3-grid25 paper-pacgan2-ring8 paper-pacgan3-ring8)
table_order=(paper-gan-ring8 paper-pacgan2-ring8 paper-pacgan3-ring8 paper-pacgan4-ring8
             paper-gan-grid25 paper-pacgan2-grid25 paper-pacgan3-grid25 paper-pacgan4-grid25 grid25-precise)
if [[ -n "$presets" ]]; then
    read -r -a run_order <<< "$presets"
    table_order=("${run_order[@]}")
fi

# Table 1 of the paper: modes, high quality (%), reverse KL, each "mean se".
declare -A paper_row=(
    [paper-gan-ring8]="6.3 0.5 98.2 0.2 0.45 0.09"      [paper-gan-grid25]="17.3 0.8 94.8 0.7 0.70 0.07"
    [paper-pacgan2-ring8]="7.9 0.1 95.6 2.0 0.07 0.03"  [paper-pacgan2-grid25]="23.8 0.7 91.3 0.8 0.13 0.04"
    [paper-pacgan3-ring8]="7.8 0.1 97.7 0.3 0.10 0.02"  [paper-pacgan3-grid25]="24.6 0.4 94.2 0.4 0.06 0.02"
    [paper-pacgan4-ring8]="7.8 0.1 95.9 1.4 0.07 0.02"  [paper-pacgan4-grid25]="24.8 0.2 93.6 0.6 0.04 0.01"
)

suffix=""
step_args=()
if [[ -n "$steps" ]]; then
    suffix="_n$steps"
    step_args=(--steps "$steps")
fi
run_dir() { echo "$out/$1${suffix}_s$2"; }

# train_one PRESET SEED: one headless run (skipped when its summary.json exists: delete the folder to rerun).
train_one()
{
    local dir
    dir="$(run_dir "$1" "$2")"
    if [[ ! -f "$dir/summary.json" ]]; then
        echo "== $1 seed $2${steps:+ ($steps steps)}" >&2
        "$latentlab" train --preset "$1" --seed "$2" --out "$dir" --threads "$threads" "${step_args[@]}" \
            > "$dir.log" 2>&1 || echo "   failed: $1 seed $2, see $dir.log" >&2
    fi
}

read -r -a seed_list <<< "$seeds"
# Seed by seed, so a run cut short still has every preset on its first seeds.
running=0
n=0
for seed in "${seed_list[@]}"; do
    n=$((n + 1))
    for p in "${run_order[@]}"; do
        if [[ -n "$report" || ( "$p" == "grid25-precise" && $n -gt 5 ) ]]; then
            continue # its bar is on 5 seeds
        fi
        train_one "$p" "$seed" &
        running=$((running + 1))
        if [[ $running -ge $jobs ]]; then
            wait -n || true
            running=$((running - 1))
        fi
    done
done
wait

# stats PRESET: "runs steps modes_mean modes_se hq_mean hq_se rkl_mean rkl_se pass" over the finished runs (hq in %;
# pass: runs with >= 24 modes and >= 90% high quality).
stats()
{
    local s rows=""
    for seed in "${seed_list[@]}"; do
        s="$(run_dir "$1" "$seed")/summary.json"
        if [[ -f "$s" && "$(field "$s" status)" == "completed" ]]; then
            rows+="$(field "$s" steps) $(field "$s" modes_covered) $(field "$s" high_quality)"
            rows+=" $(field "$s" reverse_kl)"$'\n'
        fi
    done
    printf '%s' "$rows" | awk '
        NF == 4 { n++; st = $1; m[n] = $2; q[n] = 100 * $3; r[n] = $4; sm += $2; sq += 100 * $3; sr += $4
                  pass += ($2 >= 24 && $3 >= 0.9) }
        function se(a, mean,   i, v) { if (n < 2) return 0; v = 0; for (i = 1; i <= n; i++) v += (a[i] - mean) ^ 2
                                       return sqrt(v / (n - 1) / n) }
        END { if (n == 0) { print "0 - - - - - - - 0"; exit }
              printf "%d %d %.2f %.2f %.1f %.1f %.3f %.3f %d\n", n, st, sm / n, se(m, sm / n), sq / n, se(q, sq / n),
                     sr / n, se(r, sr / n), pass }'
}

echo
printf '| %-22s | %4s | %7s | %-13s | %-13s | %-13s | %-11s | %-11s | %-11s |\n' "preset" "runs" "steps" \
    "modes" "high quality" "reverse KL" "paper modes" "paper HQ %" "paper KL"
rule="------------------------|------|---------|---------------|---------------|---------------"
printf '|%s|\n' "$rule|-------------|-------------|-------------"
declare -A mean_modes mean_rkl
for p in "${table_order[@]}"; do
    read -r n st mm ms qm qs rm rs pass <<< "$(stats "$p")"
    mean_modes[$p]="$mm"
    mean_rkl[$p]="$rm"
    if [[ -n "${paper_row[$p]:-}" ]]; then
        read -r pm pms pq pqs pr prs <<< "${paper_row[$p]}"
        paper_cells="$(printf '%-11s | %-11s | %-11s' "$pm +- $pms" "$pq +- $pqs" "$pr +- $prs")"
    else
        paper_cells="$(printf '%-11s | %-11s | %-11s' "-" "-" "-")"
    fi
    printf '| %-22s | %4s | %7s | %-13s | %-13s | %-13s | %s |\n' "$p" "$n" "$st" "$mm +- $ms" "$qm +- $qs" \
        "$rm +- $rs" "$paper_cells"
    if [[ "$p" == "grid25-precise" ]]; then
        precise_line="grid25-precise: >= 24 modes and >= 90% high quality on $pass of $n seeds (bar: 4 of 5)"
    fi
done

echo
for toy in ring8 grid25; do
    g="paper-gan-$toy"
    p4="paper-pacgan4-$toy"
    if [[ "${mean_modes[$g]:--}" != "-" && "${mean_modes[$p4]:--}" != "-" ]]; then
        awk -v t="$toy" -v gm="${mean_modes[$g]}" -v pm="${mean_modes[$p4]}" -v gr="${mean_rkl[$g]}" \
            -v pr="${mean_rkl[$p4]}" 'BEGIN {
            printf "%s: PacGAN4 %s modes than the GAN (%.2f vs %.2f) and %s reverse KL (%.3f vs %.3f): " \
                   "the paper'"'"'s ordering %s\n", t, (pm > gm ? "more" : "no more"), pm, gm,
                   (pr < gr ? "lower" : "no lower"), pr, gr, (pm > gm && pr < gr ? "holds" : "does NOT hold") }'
    fi
done
if [[ -n "${precise_line:-}" ]]; then
    echo "$precise_line"
fi
