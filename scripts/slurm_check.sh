#!/bin/bash
# Runs a `latentlab sweep --emit slurm` job array for real, on a one-node Slurm cluster started here (issue 18):
# installs Debian's slurmctld, slurmd, slurm-client and munge if they are missing (as root), writes a throwaway
# slurm.conf for this machine under a temporary folder, starts munged, slurmctld and slurmd there (no systemd needed),
# emits a small sweep (`gan-ring8`, seeds 1..N, a few hundred steps), submits it with `sbatch --wait`, and checks
# that every array task's run folder is complete (`latentlab runs list`). The daemons are stopped and the folder
# removed at exit. Not in CI: it starts daemons as root. Exit status 0 only when every run completed.
#
# Usage: scripts/slurm_check.sh [seeds (3)] [steps (300)]; BUILD_DIR (default build/).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
seeds="${1:-3}"
steps="${2:-300}"
bin="$build_dir/app/latentlab"
[[ -x "$bin" ]] || { echo "slurm_check: build latentlab first ($bin is missing)" >&2; exit 2; }

packages=(slurmctld slurmd slurm-client munge)
missing=()
for pkg in "${packages[@]}"; do
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" == installed ]] || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
    [[ "$(id -u)" -eq 0 ]] || { echo "slurm_check: missing ${missing[*]}; run as root to install them" >&2; exit 2; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
[[ "$(id -u)" -eq 0 ]] || { echo "slurm_check: the Slurm daemons are started as root; run as root" >&2; exit 2; }

work="$(mktemp -d /tmp/latentlab-slurm.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup()
{
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

host="$(hostname -s)"
cpus="$(nproc)"
memory_mb="$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))"
mkdir -p "$work/spool" "$work/state" "$work/munge" "$work/log"
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=latentlab-check
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=check Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
# slurmd 22.05 loads a cgroup plugin even with proctrack/linuxproc; v1 is what a plain Debian 12 VM mounts.
printf "CgroupPlugin=cgroup/v1\nCgroupAutomount=yes\n" > "$work/cgroup.conf"

# munge: a key of its own, a socket in the work folder
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/socket" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge/seed"
pids+=("$(cat "$work/munge/munged.pid")")
export MUNGE_SOCKET="$work/munge/socket"
# Slurm's munge plugin takes the socket from AuthInfo.
sed -i "s|^AuthType=auth/munge|AuthType=auth/munge\nAuthInfo=socket=$work/munge/socket|" "$SLURM_CONF"

slurmctld -D -f "$SLURM_CONF" > "$work/log/slurmctld.out" 2>&1 & pids+=($!)
slurmd -D -f "$SLURM_CONF" > "$work/log/slurmd.out" 2>&1 & pids+=($!)
for _ in $(seq 1 60); do
    sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed)' && break
    sleep 1
done
if ! sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed)'; then
    echo "slurm_check: the one-node cluster did not come up; logs:" >&2
    tail -n 20 "$work"/log/*.log "$work"/log/*.out >&2 || true
    exit 1
fi
echo "slurm_check: Slurm $(sinfo -V | cut -d' ' -f2) up on $host ($cpus CPUs)"

runs="$work/runs"
sweep_out="$("$bin" sweep --preset gan-ring8 --set "seed=1..$seeds" --steps "$steps" --runs "$runs" --emit slurm)"
echo "$sweep_out"
script="$(find "$runs" -name sweep.sbatch | head -n 1)"
[[ -n "$script" ]] || { echo "slurm_check: latentlab sweep wrote no sweep.sbatch" >&2; exit 1; }
start=$(date +%s)
sbatch --wait "$script"
echo "slurm_check: the array finished in $(( $(date +%s) - start )) s"
queued="$(squeue -h 2>/dev/null | wc -l)"
[[ "$queued" -eq 0 ]] || { echo "slurm_check: jobs still queued" >&2; exit 1; }

listing="$("$bin" runs list --runs "$(dirname "$script")")"
echo "$listing"
completed="$(grep -cw "completed" <<<"$listing" || true)"
if [[ "$completed" -ne "$seeds" ]]; then
    echo "slurm_check: $completed of $seeds runs complete; task logs:" >&2
    tail -n 5 "$(dirname "$script")"/slurm-*.out >&2 || true
    exit 1
fi
echo "slurm_check: all $seeds array tasks trained their run to step $steps"
