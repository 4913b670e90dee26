#!/usr/bin/env bash
# All-reduce bandwidth of the trainer's ring (Java) and torch.distributed Gloo, side by side, for
# 2, 3 and 4 ranks on loopback. Needs Debian's python3-torch (/usr/bin/python3) and a packaged
# trainer: ./mvnw -B -q -pl trainer-image -am package -DskipTests
# Each size is warmed up with at least 5 calls and 256 MiB, and timed over at least REPS calls and
# 1 GiB, on both sides (short windows move by up to 2x with 3-4 ranks on 2 cores).
# Usage: bench/allreduce.sh [sizes MiB, comma-separated] [least repetitions] [rank counts]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-1,4,16,64,256}
REPS=${2:-3}
RANKS=${3:-"2 3 4"}
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
CP="trainer-image/target/classes:trainer-image/target/lib/*"  # the JVM expands lib/*
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
for n in $RANKS; do
  java -cp "$CP" dev.contrastive.trainer.dist.AllReduceBenchmark "$n" "$SIZES" "$REPS" \
    | sed -n 's/^\[rank 0\] \(java,.*\)/\1/p' >> "$RESULTS"
  echo "ranks $n done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  /usr/bin/python3 bench/allreduce_gloo.py "$n" "$SIZES" "$REPS" >> "$RESULTS"
done
printf '| ranks | size | java algbw GB/s | java busbw GB/s | gloo algbw GB/s | gloo busbw GB/s | java/gloo busbw | java/gloo CPU |\n'
printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
awk -F, '
  { key = $2 "," $3; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
    alg[$1 "," key] = $5; bus[$1 "," key] = $6; cpu[$1 "," key] = $7 }
  END { for (i = 1; i <= n; i++) { split(order[i], k, ",");
          j = "java," order[i]; g = "gloo," order[i];
          printf "| %d | %d MiB | %s | %s | %s | %s | %.2fx | %.2fx |\n", k[1], k[2] / 1048576,
            alg[j], bus[j], alg[g], bus[g], (bus[g] > 0 ? bus[j] / bus[g] : 0),
            (cpu[g] > 0 ? cpu[j] / cpu[g] : 0) } }' "$RESULTS"
