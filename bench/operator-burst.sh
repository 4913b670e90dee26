#!/usr/bin/env bash
# The operator under a burst (#18): a real kube-apiserver (../shared/k8s/setup.sh's, through
# io.fabric8:kube-api-test), the packaged operator in its own JVM with the deployment's heap
# settings, 8 GPU nodes and N runs of 8 workers created at once. Prints the time until all pods
# exist, the first run's last pod, API requests per reconcile, the reconciles one node heartbeat
# causes and the operator's peak RSS, beside #18's goals.
# Usage: bench/operator-burst.sh [runs, default 100]   (SKIP_BUILD=1: use the last build;
#   HEAP_HISTOGRAM=file: the operator's class histogram and native memory after the burst, into file)
# Operator JVM: Dockerfile.operator's -XX:MaxRAMPercentage=75 under deploy/'s 512Mi limit, which
# the JVM sees as its memory (MaxRAM) and under which it picks the serial collector (a container of
# less than 1792 MB is not a "server class machine"). OPERATOR_JAVA_OPTS replaces them.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-100}
OPTS=${OPERATOR_JAVA_OPTS:--XX:MaxRAMPercentage=75 -XX:MaxRAM=512m -XX:+UseSerialGC}
export OPT_OUT_TRACKING=true
eval "$(../shared/k8s/setup.sh)"
MVN="./mvnw -B -ntp -q -o"
CP_FILE=$PWD/operator/target/burst-classpath.txt
# Each module writes its class path to the file in turn; the operator's comes last.
# SKIP_BUILD=1 reuses the last build (repeats on a loaded machine).
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$CP_FILE" ]; then
  $MVN -pl operator -am package dependency:build-classpath -DskipTests -Dmdep.includeScope=test \
    -Dmdep.outputFile="$CP_FILE" >&2
fi
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nproc) cores;" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# The API server's CRD path is relative to the operator module, as in its tests.
cd operator
java -cp "target/test-classes:target/classes:$(cat "$CP_FILE")" dev.contrastive.operator.bench.OperatorBurst \
  "$RUNS" target/quarkus-app/quarkus-run.jar "$OPTS"
