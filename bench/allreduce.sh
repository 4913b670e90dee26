#!/usr/bin/env bash
# All-reduce bandwidth of the trainer's ring (Java) and torch.distributed Gloo, side by side, for
# 2, 3 and 4 ranks on loopback. Needs Debian's python3-torch (/usr/bin/python3) and a packaged
# trainer: ./mvnw -B -q -pl trainer-image -am package -DskipTests
# Each size is warmed up with at least 5 calls and 256 MiB, and timed over at least REPS calls and
# 1 GiB, on both sides (short windows move by up to 2x with 3-4 ranks on 2 cores).
# With ROUNDS > 1 the whole run repeats, Java and Gloo taking turns to go first, and the table shows
# medians: busbw per side, and the java/gloo ratio of the runs side by side (with its range).
# Usage: bench/allreduce.sh [sizes MiB, comma-separated] [least repetitions] [rank counts] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-1,4,16,64,256}
REPS=${2:-3}
RANKS=${3:-"2 3 4"}
ROUNDS=${4:-1}
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
CP="trainer-image/target/classes:trainer-image/target/lib/*"  # the JVM expands lib/*
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
java_side() {
  java -cp "$CP" dev.contrastive.trainer.dist.AllReduceBenchmark "$1" "$SIZES" "$REPS" \
    | sed -n "s/^\[rank 0\] \(java,.*\)/$2,\1/p" >> "$RESULTS"
}
gloo_side() {
  /usr/bin/python3 bench/allreduce_gloo.py "$1" "$SIZES" "$REPS" | sed "s/^/$2,/" >> "$RESULTS"
}
for round in $(seq 1 "$ROUNDS"); do
  for n in $RANKS; do
    if [ $((round % 2)) -eq 1 ]; then java_side "$n" "$round"; gloo_side "$n" "$round"
    else gloo_side "$n" "$round"; java_side "$n" "$round"; fi
    echo "round $round, ranks $n done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  done
done
printf '| ranks | size | java busbw GB/s | gloo busbw GB/s | java/gloo busbw | range over rounds | java/gloo CPU |\n'
printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
# CSV: round,impl,ranks,bytes,seconds,algbw,busbw,cpu
awk -F, '
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  { cell = $3 "," $4; if (!(cell in seen)) { seen[cell] = 1; order[++cells] = cell }
    bus[$2, cell, $1] = $7; cpu[$2, cell, $1] = $8; if ($1 > rounds) rounds = $1 }
  END { for (c = 1; c <= cells; c++) { cell = order[c]; split(cell, k, ",")
          jb = gb = ratios = cpus = ""; lo = 1e9; hi = 0
          for (r = 1; r <= rounds; r++) {
            if (!(("java", cell, r) in bus) || !(("gloo", cell, r) in bus)) continue
            jb = jb " " bus["java", cell, r]; gb = gb " " bus["gloo", cell, r]
            x = bus["java", cell, r] / bus["gloo", cell, r]; ratios = ratios " " x
            if (x < lo) lo = x; if (x > hi) hi = x
            cpus = cpus " " cpu["java", cell, r] / cpu["gloo", cell, r] }
          printf "| %d | %d MiB | %.3f | %.3f | %.2fx | %.2f-%.2fx | %.2fx |\n", k[1], k[2] / 1048576,
            median(jb), median(gb), median(ratios), lo, hi, median(cpus) } }' "$RESULTS"
