#!/usr/bin/env bash
# Exercises the scale-out recipe of docs/scale-out.md: runs one sweep unsharded, then the same sweep
# as SHARDS shards (as a Slurm job array on a throwaway single-node Slurm that this script starts,
# or, where Slurm is missing or will not start, under `xargs -P`), merges the shards with
# `urbsim merge` and checks that every table equals the unsharded one byte for byte. It also checks
# that merge refuses a shard from a different sweep. Exits 1 on any difference.
#
# Usage: scripts/scale-out.sh [--install] [--no-slurm] [--keep] [SHARDS] [DRAWS]
#   SHARDS      number of shards (default 4)
#   DRAWS       draws of the sweep (default 8192; shards split the draws in chunks of 1024, so
#               with fewer than 1024 x SHARDS draws some shards are empty, which is allowed)
#   --install   first `apt-get install -y slurm-wlm munge` (needs root; never done silently)
#   --no-slurm  skip Slurm and run the shards under `xargs -P`
#   --keep      keep the work folder (outputs, slurm.conf, daemon logs) and print where it is
# The binary is $URBSIM if set, else target/release/urbsim after `cargo build --release --locked`.
# Slurm runs as root here (munged, slurmctld and slurmd in the foreground, private key, socket,
# ports 16817/16818 and state in a temporary folder); the daemons are stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

install=0 use_slurm=1 keep=0
args=()
for a in "$@"; do
  case $a in
    --install) install=1 ;;
    --no-slurm) use_slurm=0 ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) echo "scale-out: unknown option $a (see --help)" >&2; exit 2 ;;
    *) args+=("$a") ;;
  esac
done
shards=${args[0]:-4}
draws=${args[1]:-8192}
[[ $shards =~ ^[1-9][0-9]*$ && $draws =~ ^[1-9][0-9]*$ ]] || { echo "scale-out: SHARDS and DRAWS must be positive integers" >&2; exit 2; }

if [[ -n ${URBSIM:-} ]]; then
  urbsim=$(realpath "$URBSIM")
else
  cargo build --release --locked --quiet
  urbsim=$PWD/target/release/urbsim
fi

# The sweep: two shipped scenarios and a two-value lever grid (four arms), fixed seed.
sweep_inputs=("$PWD/scenarios/baseline.toml" "$PWD/scenarios/housing-first.toml"
  --lever 'arh_new_units=0,3000' --draws "$draws" --quiet)
sweep_args=("${sweep_inputs[@]}" --seed 7)

work=$(mktemp -d "${TMPDIR:-/tmp}/scale-out.XXXXXX")
pids=()
cleanup() {
  local p
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do # slurmd, slurmctld, then munged
    p=${pids[i]}
    kill "$p" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if ((keep)); then echo "scale-out: work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

t0=$(now)
"$urbsim" sweep "${sweep_args[@]}" --out "$work/unsharded" >/dev/null
t1=$(now)
echo "unsharded sweep ($draws draws): $(secs "$t0" "$t1") s"

if ((install)); then
  echo "scale-out: apt-get install -y slurm-wlm munge" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >&2
fi

# The last lines of a daemon's log, on one line.
log_tail() { echo "$(tail -n 2 "$work/slurm/$1.log" 2>/dev/null | tr '\n' ' ')(--keep keeps $1.log)"; }

# Starts munged, slurmctld and slurmd for one node named localhost; sets $why on failure.
why=""
start_slurm() {
  local tool dir=$work/slurm cpus
  for tool in munged slurmctld slurmd sbatch sinfo; do
    command -v "$tool" >/dev/null || { why="$tool is not installed (run with --install, or apt-get install slurm-wlm munge)"; return 1; }
  done
  [[ $(id -u) == 0 ]] || { why="starting the Slurm daemons here needs root"; return 1; }
  cpus=$(nproc)
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge" "$dir/logs"
  chmod 700 "$dir/munge"
  head -c 1024 /dev/urandom >"$dir/munge/munge.key"
  chmod 600 "$dir/munge/munge.key"
  munged --foreground --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.sock" \
    --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/seed" --log-file="$dir/munge/munged.log" \
    >>"$dir/munge/munged.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do [[ -S $dir/munge/munge.sock ]] && break; sleep 0.1; done
  [[ -S $dir/munge/munge.sock ]] || { why="munged did not start: $(tail -n 3 "$dir/munge/munged.log" | tr '\n' ' ')"; return 1; }

  cat >"$dir/slurm.conf" <<EOF
ClusterName=urbsim
SlurmctldHost=localhost
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -D >"$dir/slurmctld.out" 2>&1 &
  local ctld=$!
  pids+=("$ctld")
  slurmd -D -N localhost >"$dir/slurmd.out" 2>&1 &
  local d=$!
  pids+=("$d")
  local state="" deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    kill -0 "$ctld" 2>/dev/null || { why="slurmctld exited: $(log_tail slurmctld)"; return 1; }
    kill -0 "$d" 2>/dev/null || { why="slurmd exited: $(log_tail slurmd)"; return 1; }
    # sinfo retries for minutes when the controller does not answer; ask briefly and often.
    state=$(timeout 3 sinfo -h -n localhost -o %T 2>/dev/null || true)
    [[ $state == idle ]] && return 0
    sleep 0.5
  done
  why="the node did not become idle within 30 s (sinfo: '${state:-no answer}'); slurmctld: $(log_tail slurmctld); slurmd: $(log_tail slurmd)"
  return 1
}

runner="xargs"
if ((use_slurm)); then
  t2=$(now)
  if start_slurm; then
    runner=slurm
    echo "slurm: single node up in $(secs "$t2" "$(now)") s ($(sinfo -h -o '%P %D %c %T'))"
  else
    echo "scale-out: not using Slurm: $why; running the shards under xargs -P instead" >&2
  fi
else
  echo "scale-out: --no-slurm: running the shards under xargs -P" >&2
fi

t3=$(now)
mkdir -p "$work/shards"
if [[ $runner == slurm ]]; then
  # One array task per shard, one CPU each; --wait returns when all are done, non-zero if any failed.
  cat >"$work/slurm/shard.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=urbsim-sweep
#SBATCH --cpus-per-task=1
exec $(printf '%q ' "$urbsim" sweep "${sweep_args[@]}")--threads "\$SLURM_CPUS_PER_TASK" \\
  --shard "\$SLURM_ARRAY_TASK_ID/$shards" --out $(printf '%q' "$work/shards")/"\$SLURM_ARRAY_TASK_ID"
EOF
  sbatch --wait --array="1-$shards" --chdir="$work" --output="$work/slurm/logs/%A_%a.out" \
    "$work/slurm/shard.sbatch" >&2 || { echo "scale-out: the job array failed; logs in $work/slurm/logs (use --keep)" >&2; exit 1; }
else
  seq 1 "$shards" | xargs -P "$(nproc)" -I{} "$urbsim" sweep "${sweep_args[@]}" --threads 1 \
    --shard "{}/$shards" --out "$work/shards/{}" >/dev/null
fi
t4=$(now)
echo "$shards shards under $runner: $(secs "$t3" "$t4") s"

shard_dirs=()
for k in $(seq 1 "$shards"); do shard_dirs+=("$work/shards/$k"); done
"$urbsim" merge "${shard_dirs[@]}" --out "$work/merged" >/dev/null
echo "merge: $(secs "$t4" "$(now)") s"

# Every table must be byte-identical, and no table may be missing on either side.
status=0
mapfile -t tables < <(cd "$work/unsharded" && ls -- *.csv)
mapfile -t merged_tables < <(cd "$work/merged" && ls -- *.csv)
if [[ ${tables[*]} != "${merged_tables[*]}" ]]; then
  echo "scale-out: the unsharded sweep wrote ${tables[*]}; the merge wrote ${merged_tables[*]}" >&2
  status=1
fi
for f in "${tables[@]}"; do
  cmp "$work/unsharded/$f" "$work/merged/$f" || status=1
done
# manifest.json differs by design: it records the command, arguments, `reproduce`, timings and
# threads. Everything else must agree: tool, version, baseline, targets and scenario hashes, the
# SHA-256 of every output table, draws and seed.
python3 - "$work/unsharded/manifest.json" "$work/merged/manifest.json" <<'PY' || status=1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def common(m):
    return {"tool": m["tool"], "version": m["version"], "note": m["note"],
            "baseline": m["baseline"], "targets": m["targets"], "scenarios": m["scenarios"],
            "outputs": m["outputs"], "draws": m["run"]["draws"], "seed": m["run"]["seed"]}
if common(a) != common(b):
    print("scale-out: manifests disagree:", common(a), common(b), sep="\n", file=sys.stderr)
    sys.exit(1)
PY

# Merge must refuse a shard from another sweep (here: another seed), with exit code 2.
"$urbsim" sweep "${sweep_inputs[@]}" --seed 8 --shard "1/$shards" --out "$work/other-seed" >/dev/null
rc=0
"$urbsim" merge "$work/other-seed" "${shard_dirs[@]:1}" --out "$work/refused" >/dev/null 2>"$work/refused.err" || rc=$?
if ((rc != 2)); then
  echo "scale-out: merge of a shard from another seed exited $rc, expected 2" >&2
  status=1
else
  echo "merge refused a shard from another seed: $(head -n 1 "$work/refused.err")"
fi

if ((status)); then
  echo "scale-out: FAILED: the merged results differ from the unsharded sweep ($shards shards, $runner)" >&2
  exit 1
fi
echo "scale-out: merged tables equal the unsharded sweep ($shards shards, $runner)"
