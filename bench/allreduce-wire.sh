#!/usr/bin/env bash
# The trainer's ring all-reduce with fp32 vs bf16 on the wire (distributed.allReducePrecision),
# side by side on loopback, the two taking turns to go first each round. Bandwidths count the fp32
# gradient bytes reduced (busbw = bytes / time * 2 (n-1) / n), so bf16's halved wire shows as speed.
# Needs a packaged trainer: ./mvnw -B -q -pl trainer-image -am package -DskipTests
# Usage: bench/allreduce-wire.sh [sizes MiB, comma-separated] [least repetitions] [ranks] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-4,16,64}
REPS=${2:-3}
RANKS=${3:-2}
ROUNDS=${4:-3}
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
CP="trainer-image/target/classes:trainer-image/target/lib/*"  # the JVM expands lib/*
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
side() {
  ALLREDUCE_PRECISION=$1 java -cp "$CP" dev.contrastive.trainer.dist.AllReduceBenchmark "$RANKS" "$SIZES" "$REPS" \
    | sed -n "s/^\[rank 0\] \(java.*\)/$2,\1/p" >> "$RESULTS"
}
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then side fp32 "$round"; side bf16 "$round"
  else side bf16 "$round"; side fp32 "$round"; fi
  echo "round $round done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
printf '| ranks | size | fp32 wire ms/call | bf16 wire ms/call | fp32 busbw GB/s | bf16 busbw GB/s | bf16/fp32 busbw | range over rounds |\n'
printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
# CSV: round,impl,ranks,bytes,seconds,algbw,busbw,cpu
awk -F, '
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  { impl = ($2 ~ /-bf16$/) ? "bf16" : "fp32"; cell = $3 "," $4
    if (!(cell in seen)) { seen[cell] = 1; order[++cells] = cell }
    bus[impl, cell, $1] = $7; sec[impl, cell, $1] = $5; if ($1 > rounds) rounds = $1 }
  END { for (c = 1; c <= cells; c++) { cell = order[c]; split(cell, k, ",")
          fb = bb = fs = bs = ratios = ""; lo = 1e9; hi = 0
          for (r = 1; r <= rounds; r++) {
            if (!(("fp32", cell, r) in bus) || !(("bf16", cell, r) in bus)) continue
            fb = fb " " bus["fp32", cell, r]; bb = bb " " bus["bf16", cell, r]
            fs = fs " " sec["fp32", cell, r]; bs = bs " " sec["bf16", cell, r]
            x = bus["bf16", cell, r] / bus["fp32", cell, r]; ratios = ratios " " x
            if (x < lo) lo = x; if (x > hi) hi = x }
          printf "| %d | %d MiB | %.1f | %.1f | %.3f | %.3f | %.2fx | %.2f-%.2fx |\n", k[1], k[2] / 1048576,
            median(fs) * 1000, median(bs) * 1000, median(fb), median(bb), median(ratios), lo, hi } }' "$RESULTS"
