#!/usr/bin/env bash
# The SimCLR training step of `trainer bench` (DJL) and bench/pytorch_simclr_step.py (PyTorch)
# side by side: ResNet-18 + projection head, two views of BATCH images at 32 px, 2 threads each,
# one after the other. The trainer runs as it is shipped (scripts/with-tcmalloc); PyTorch runs as
# installed (glibc malloc) and, where this machine has tcmalloc, with the same preload. On a CPU
# with AVX-512 the trainer runs a second time with ONEDNN_MAX_CPU_ISA=AVX2 (the remedy the
# gradient self-check names, docs/cpu.md), to show what the cap costs. The runs alternate ROUNDS
# times, every line names its isa=, and the medians are compared at the end. Needs Debian's python3-torch
# (/usr/bin/python3) and a packaged trainer: ./mvnw -B -q -pl trainer-image -am package -DskipTests
# PRECISIONS="fp32 bf16" times each engine in each precision (trainer.precision; PyTorch under
# torch.autocast for bf16), alternating within each round, without the AVX2-capped run.
# Usage: [PRECISIONS="fp32 bf16"] bench/compare.sh [batch] [timed steps] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
BATCH=${1:-128}
STEPS=${2:-3}
ROUNDS=${3:-1}
PRECISIONS=${PRECISIONS:-fp32}
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
CP="trainer-image/target/classes:trainer-image/target/lib/*"  # the JVM expands lib/*
PYTORCH=(/usr/bin/python3 bench/pytorch_simclr_step.py --batch "$BATCH" --image-size 32 --steps "$STEPS" --threads 2)
trainer() {
  scripts/with-tcmalloc java -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" \
    dev.contrastive.trainer.cli.TrainerCli bench -f bench/resnet18-step.yaml \
    --batch "$BATCH" --steps "$STEPS" "trainer.precision=$1" | grep '^engine='
}
lines=$(mktemp)
trap 'rm -f "$lines"' EXIT

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  for precision in $PRECISIONS; do
    trainer "$precision" | tee -a "$lines"
    if [[ $PRECISIONS == fp32 ]] && grep -qw avx512f /proc/cpuinfo; then
      ONEDNN_MAX_CPU_ISA=AVX2 trainer fp32 | tee -a "$lines"
    fi
    CONTRASTIVE_MALLOC=glibc scripts/with-tcmalloc "${PYTORCH[@]}" --precision "$precision" | tee -a "$lines"
    line=$(scripts/with-tcmalloc "${PYTORCH[@]}" --precision "$precision")
    if [[ $line == *allocator=tcmalloc* ]]; then echo "$line" | tee -a "$lines"; fi
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Median images/s and peak RSS per engine and allocator, then each against the trainer.
awk '
  { split($1, e, "="); engine = e[2]; alloc = ""; isa = "?"; ips = 0; rss = 0; precision = "fp32"
    for (i = 2; i <= NF; i++) { split($i, kv, "=")
      if (kv[1] == "allocator") alloc = kv[2]
      if (kv[1] == "images_per_second") ips = kv[2]
      if (kv[1] == "peak_rss_mib") rss = kv[2]
      if (kv[1] == "isa") isa = kv[2]
      if (kv[1] == "precision") precision = kv[2] }
    key = (engine ~ /^djl/ ? "trainer (DJL)" : "pytorch") " " alloc " " isa " " precision
    if (!(key in n)) order[++keys] = key
    n[key]++; speed[key, n[key]] = ips; memory[key, n[key]] = rss }
  function median(arr, key, count,   i, j, t, v) {
    for (i = 1; i <= count; i++) v[i] = arr[key, i]
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2 }
  END {
    printf "\n%-43s %6s %18s %16s %14s %12s\n", "engine allocator isa precision", "runs", "median images/s", "median peak MiB", "trainer/this", "memory/this"
    for (k = 1; k <= keys; k++) { key = order[k]
      s[key] = median(speed, key, n[key]); m[key] = median(memory, key, n[key]) }
    ref = order[1]
    for (k = 1; k <= keys; k++) { key = order[k]
      printf "%-43s %6d %18.2f %16.0f %13.2fx %11.2fx\n", key, n[key], s[key], m[key], s[ref] / s[key], m[ref] / m[key] } }
' "$lines"
