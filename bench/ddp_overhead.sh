#!/usr/bin/env bash
# DDP step overhead of the trainer: the `trainer bench` step of bench/resnet18-step.yaml
# (ResNet-18 CIFAR stem + 512-512-128 head, 32 px, SGD) on 1 rank and on 2 local ranks
# (`bench --nproc 2`, gradients averaged by the ring all-reduce as in training), at the same
# per-rank batch and 1 compute thread per rank: on 2 cores that is what the cores can give each
# rank, so overhead = t(2 ranks) / t(1 rank) - 1. The cases alternate, REPEATS times each.
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
  java "${THREADS[@]}" -cp "$CP" dev.contrastive.trainer.cli.TrainerCli bench \
    -f bench/resnet18-step.yaml --batch "$BATCH" --steps "$STEPS" --nproc "$1" \
    | sed -n 's/^\(\[rank 0\] \)\{0,1\}\(engine=.*\)/\2/p'
}
field() { # name line
  sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

printf '%-6s %-14s %-14s %-9s %-16s %-12s\n' run 1rank_s/step 2rank_s/step overhead allreduce_share load_avg
for run in $(seq 1 "$REPEATS"); do
  one=$(bench 1)
  two=$(bench 2)
  t1=$(field seconds_per_step "$one")
  t2=$(field seconds_per_step "$two")
  printf '%-6s %-14s %-14s %-9s %-16s %-12s\n' "$run" "$t1" "$t2" \
    "$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%+.1f%%", (b / a - 1) * 100 }')" \
    "$(field allreduce_share "$two")" "$(cut -d' ' -f1 /proc/loadavg)"
  echo "  $one"
  echo "  $two"
done
