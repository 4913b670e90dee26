#!/usr/bin/env bash
# Two-level all-reduce vs the flat ring, 2 simulated nodes x 2 processes (4 ranks) on loopback.
# Needs a packaged trainer: ./mvnw -B -q -pl trainer-image -am package -DskipTests
# Each round runs both algorithms (taking turns to go first) over the same sizes; the table shows
# medians over rounds of busbw (nccl-tests' convention) and the bytes each node sends to other
# nodes per all-reduce of N bytes, from the schedules: a flat ring of W = M x P ranks crosses from
# each node once, carrying 2 (W-1)/W N; two levels send 2 (M-1)/M N per node (P rings, each with a
# 1/P shard), as one process per node would.
# Usage: bench/two-level.sh [sizes MiB, comma-separated] [least repetitions] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-4,16,64}
REPS=${2:-3}
ROUNDS=${3:-3}
NODES=2
RANKS=4
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
CP="trainer-image/target/classes:trainer-image/target/lib/*"
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nproc) cores;" \
  "AVX-512: $(grep -q avx512f /proc/cpuinfo && echo yes || echo no)" >&2
side() {
  CONTRASTIVE_ALLREDUCE=$1 java -cp "$CP" dev.contrastive.trainer.dist.AllReduceBenchmark \
    "$RANKS" "$SIZES" "$REPS" "$NODES" | sed -n "s/^\[rank 0\] \(java.*\)/$2,\1/p" >> "$RESULTS"
}
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then side flat "$round"; side two-level "$round"
  else side two-level "$round"; side flat "$round"; fi
  echo "round $round done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
printf '| size | flat busbw GB/s | two-level busbw GB/s | two-level/flat | cross-node bytes per node, flat | two-level |\n'
printf '| ---: | ---: | ---: | ---: | ---: | ---: |\n'
# CSV: round,impl,ranks,bytes,seconds,algbw,busbw,cpu
awk -F, -v M="$NODES" -v W="$RANKS" '
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  { if (!($4 in seen)) { seen[$4] = 1; order[++sizes] = $4 }
    if ($2 == "java") flat[$4] = flat[$4] " " $7; else two[$4] = two[$4] " " $7 }
  END { for (s = 1; s <= sizes; s++) { b = order[s]; f = median(flat[b]); t = median(two[b])
          printf "| %d MiB | %.3f | %.3f | %.2fx | %.2f N | %.2f N |\n", b / 1048576, f, t, t / f,
            2 * (W - 1) / W, 2 * (M - 1) / M } }' "$RESULTS"
