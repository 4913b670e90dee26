#!/usr/bin/env bash
# The SimCLR training step of `trainer bench` (DJL) and bench/pytorch_simclr_step.py (PyTorch)
# side by side: ResNet-18 + projection head, two views of BATCH images at 32 px, 2 threads each,
# one after the other in the same run. Needs Debian's python3-torch (/usr/bin/python3) and a
# packaged trainer: ./mvnw -B -q -pl trainer-image -am package -DskipTests
# Usage: bench/compare.sh [batch] [timed steps]
set -euo pipefail
cd "$(dirname "$0")/.."
BATCH=${1:-128}
STEPS=${2:-3}
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
CP="trainer-image/target/classes:$(ls trainer-image/target/lib/*.jar | tr '\n' ':')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" \
  dev.contrastive.trainer.cli.TrainerCli bench -f bench/resnet18-step.yaml \
  --batch "$BATCH" --steps "$STEPS" | grep '^engine='
/usr/bin/python3 bench/pytorch_simclr_step.py --batch "$BATCH" --image-size 32 --steps "$STEPS" --threads 2
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
