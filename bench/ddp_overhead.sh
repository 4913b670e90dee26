#!/usr/bin/env bash
# DDP step overhead of the trainer: the `trainer bench` step of bench/resnet18-step.yaml
# (ResNet-18 CIFAR stem + 512-512-128 head, 32 px, SGD) on 1 rank and on 2 local ranks
# (`bench --nproc 2`, gradients averaged by the ring all-reduce as in training), at the same
# per-rank batch and 1 compute thread per rank. Two 1-thread processes on 2 cores do not each run
# as fast as one alone (they share caches and memory bandwidth), so "what the 2 cores can give" is
# measured too: two independent 1-rank benches at the same time, no communication. The DDP
# overhead is t(2 ranks) / t(2 independent) - 1; t(2 ranks) / t(1 rank alone) - 1 is printed
# beside it. The cases alternate, REPEATS times each. The trainer runs as shipped
# (scripts/with-tcmalloc: tcmalloc where the machine has it).
# Needs a packaged trainer: ./mvnw -B -q -pl trainer-image -am package -DskipTests
# Usage: bench/ddp_overhead.sh [per-rank batch] [timed steps] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
BATCH=${1:-32}
STEPS=${2:-3}
REPEATS=${3:-2}
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
CP='trainer-image/target/classes:trainer-image/target/lib/*'
THREADS=(-Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1)

bench() { # nproc -> the rank-0 line, without the launcher's prefix
  scripts/with-tcmalloc java "${THREADS[@]}" -cp "$CP" dev.contrastive.trainer.cli.TrainerCli bench \
    -f bench/resnet18-step.yaml --batch "$BATCH" --steps "$STEPS" --nproc "$1" \
    | sed -n 's/^\(\[rank 0\] \)\{0,1\}\(engine=.*\)/\2/p'
}
pair() { # two independent 1-rank benches at once -> their mean seconds per step
  local fa fb
  fa=$(mktemp) fb=$(mktemp)
  bench 1 >"$fa" &
  bench 1 >"$fb"
  wait
  awk -v x="$(field seconds_per_step "$(cat "$fa")")" -v y="$(field seconds_per_step "$(cat "$fb")")" \
    'BEGIN { printf "%.3f", (x + y) / 2 }'
  rm -f "$fa" "$fb"
}
field() { # name line
  sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", (b / a - 1) * 100 }'; }
printf '%-5s %-11s %-14s %-11s %-13s %-12s %-15s %-8s\n' run 1rank_alone 2independent 2ranks_ddp \
  ddp_overhead vs_1_alone allreduce_share load_avg
for run in $(seq 1 "$REPEATS"); do
  one=$(bench 1)
  tp=$(pair)
  two=$(bench 2)
  t1=$(field seconds_per_step "$one")
  t2=$(field seconds_per_step "$two")
  printf '%-5s %-11s %-14s %-11s %-13s %-12s %-15s %-8s\n' "$run" "$t1" "$tp" "$t2" \
    "$(ratio "$tp" "$t2")" "$(ratio "$t1" "$t2")" "$(field allreduce_share "$two")" \
    "$(cut -d' ' -f1 /proc/loadavg)"
  echo "  $one"
  echo "  $two"
done
