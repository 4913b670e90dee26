#!/usr/bin/env bash
# The trainer on this machine's NVIDIA GPUs, for any machine that has them and either the CUDA
# trainer image (where this script is /usr/local/bin/gpu-check) or a checkout built and pointed at
# a CUDA libtorch (docs/gpus.md). It
#   1. lists the GPUs (nvidia-smi) and checks that the driver is new enough for the CUDA build;
#   2. times the training step (`trainer bench`) on 1 GPU, then on all of them, one process per
#      GPU as training runs, and prints images/s per GPU and the peak device memory; the all-GPU
#      bench ends with the replica check, the tripwire that fails when a rank's model drifted;
#   3. runs `trainer check-data-parallel` on all GPUs: the ranks must end within 1e-5 of one
#      process trained on the global batch, through the same host transfer and all-reduce.
# With one GPU, steps 2 and 3 run 2 processes on it, so that ranks still exchange gradients.
#
# Usage: bench/gpu-check.sh [--steps N] [--batch B] [--warmup W] [--cpu N] [OVERRIDE ...]
#   OVERRIDE  the run's settings, as `trainer bench` takes them
#             (default: architecture=resnet18 dataset.imageSize=32; the data set is always synthetic)
#   --batch   images per step and GPU (default 256); --steps timed steps (default 20), after
#             --warmup untimed ones (default 3)
#   --cpu N   no GPU: the same checks with N CPU processes on the staging host transfer, the code
#             path GPUs take (this is how the script itself is tested; the figures are CPU figures)
# Environment: TRAINER, the trainer command (default: this checkout's build, else `trainer` on
#   PATH); CUDA_VISIBLE_DEVICES, the GPUs to use (default: all that nvidia-smi lists);
#   GPU_CHECK_MIN_DRIVER, the driver the CUDA build needs (default 570.26, for the image's CUDA
#   12.8); GPU_CHECK_DRIFT_RANK=R, a self-test: rank R changes its model in the all-GPU bench, which
#   must then fail.
# Exit codes: 0 every check passed; 1 a check failed (the line before says which); 2 bad usage or
#   no trainer; 77 no NVIDIA GPU here (one line; nothing was checked).
set -euo pipefail

MIN_DRIVER=${GPU_CHECK_MIN_DRIVER:-570.26}
BATCH=256 STEPS=20 WARMUP=3 CPU_PROCESSES=""
OVERRIDES=()

say() { echo "gpu-check: $*"; }
fail() { say "FAILED: $*"; exit 1; }
usage() { echo "gpu-check: $* (usage: gpu-check.sh [--steps N] [--batch B] [--warmup W] [--cpu N] [OVERRIDE ...])" >&2; exit 2; }
number() { [[ $2 =~ ^[0-9]+$ ]] || usage "$1 needs a whole number, not '$2'"; }

while [ "$#" -gt 0 ]; do
  case "$1" in
    --steps|--batch|--warmup|--cpu)
      [ "$#" -ge 2 ] || usage "$1 needs a value"
      number "$1" "$2"
      case "$1" in
        --steps) STEPS=$2 ;; --batch) BATCH=$2 ;; --warmup) WARMUP=$2 ;; --cpu) CPU_PROCESSES=$2 ;;
      esac
      shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) usage "unknown option $1" ;;
    *) OVERRIDES+=("$1"); shift ;;
  esac
done
# bench times random views: the data set is never read
[ "${#OVERRIDES[@]}" -gt 0 ] || OVERRIDES=(architecture=resnet18 dataset.imageSize=32)
OVERRIDES=(dataset.type=synthetic "${OVERRIDES[@]}")
[ -z "$CPU_PROCESSES" ] || [ "$CPU_PROCESSES" -ge 2 ] || usage "--cpu needs 2 or more processes"

# The trainer: TRAINER, else this checkout's build, else the image's `trainer`.
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${TRAINER:-}" ]; then
  trainer=("$TRAINER")
elif [ -d "$repo/trainer-image/target/lib" ] && [ -d "$repo/trainer-image/target/classes" ]; then
  trainer=("$repo/scripts/with-tcmalloc" java -cp "$repo/trainer-image/target/classes:$repo/trainer-image/target/lib/*"
    dev.contrastive.trainer.cli.TrainerCli)
elif command -v trainer >/dev/null 2>&1; then
  trainer=(trainer)
else
  echo "gpu-check: no trainer: run this in the CUDA trainer image, build the checkout" \
    "(./mvnw -B -pl trainer-image -am package -DskipTests) or set TRAINER" >&2
  exit 2
fi
export OPT_OUT_TRACKING=true DJL_OFFLINE=true

# The devices: N CPU processes, or the GPUs nvidia-smi lists (narrowed by CUDA_VISIBLE_DEVICES).
if [ -n "$CPU_PROCESSES" ]; then
  export CUDA_VISIBLE_DEVICES="" CONTRASTIVE_HOST_TRANSFER=staging
  unit="CPU process" units="CPU processes" devices=$CPU_PROCESSES processes=$CPU_PROCESSES first_only=""
  say "CPU mode (--cpu $CPU_PROCESSES): no GPU is used; $CPU_PROCESSES CPU processes on the staging host" \
    "transfer, the path GPUs take"
else
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    say "no NVIDIA GPU here (no nvidia-smi on PATH); nothing was checked"
    exit 77
  fi
  if ! listing=$(nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader,nounits 2>&1) \
      || [ -z "$listing" ]; then
    say "no NVIDIA GPU here (nvidia-smi: $(head -n1 <<<"${listing:-no GPUs listed}")); nothing was checked"
    exit 77
  fi
  if [ -n "${CUDA_VISIBLE_DEVICES+set}" ]; then
    IFS=, read -r -a visible <<<"$CUDA_VISIBLE_DEVICES"
    if [ "${#visible[@]}" -eq 0 ]; then
      say "no NVIDIA GPU visible (CUDA_VISIBLE_DEVICES is empty); nothing was checked"
      exit 77
    fi
  else
    mapfile -t visible < <(seq 0 $(($(wc -l <<<"$listing") - 1)))
  fi
  devices=${#visible[@]} unit=GPU units=GPUs
  column() { head -n1 <<<"$listing" | cut -d, -f"$1" | sed 's/^ *//; s/ *$//'; }
  driver=$(column 3) name=$(column 2)
  say "$devices GPU$([ "$devices" -eq 1 ] || echo s) visible ($(wc -l <<<"$listing") on the machine, first: $name), driver $driver"
  if [ "$(printf '%s\n%s\n' "$MIN_DRIVER" "$driver" | sort -V | head -n1)" != "$MIN_DRIVER" ]; then
    fail "NVIDIA driver $driver is older than $MIN_DRIVER, which the trainer's CUDA build needs (docs/gpus.md)"
  fi
  # One process per GPU; with one GPU two processes share it so that ranks still exchange.
  if [ "$devices" -eq 1 ]; then
    processes=2 gpus="${visible[0]},${visible[0]}"
  else
    processes=$devices gpus=$(IFS=,; echo "${visible[*]}")
  fi
  first_only=${visible[0]}
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
# run_trainer WHAT VISIBLE ARGS...: the trainer with ARGS on the GPUs VISIBLE (CUDA_VISIBLE_DEVICES;
# ignored in CPU mode); RESULT is rank 0's bench or check line, or the script fails naming WHAT.
run_trainer() {
  local what=$1 devices_of_run=$2 status=0
  shift 2
  if [ -n "$CPU_PROCESSES" ]; then
    "${trainer[@]}" "$@" >"$log" 2>&1 || status=$?
  else
    CUDA_VISIBLE_DEVICES=$devices_of_run "${trainer[@]}" "$@" >"$log" 2>&1 || status=$?
  fi
  [ "$status" -eq 0 ] || fail "$what: $(grep -m1 'error:' "$log" || tail -n1 "$log")"
  RESULT=$(sed -n 's/^\(\[rank 0\] \)\{0,1\}\(engine=.*\|data-parallel check passed.*\)/\2/p' "$log" | head -n1)
  [ -n "$RESULT" ] || fail "$what printed no result: $(tail -n1 "$log")"
}
# figures: TOTAL (images/s), DEVICE, PEAK and TRANSFER of the bench line in RESULT; a GPU check
# that ran on the CPU fails.
figures() {
  DEVICE=$(field device "$RESULT") TOTAL=$(field images_per_second "$RESULT")
  PEAK=$(field peak_device_mib "$RESULT") TRANSFER=$(field host_transfer "$RESULT")
  if [ -z "$CPU_PROCESSES" ] && [[ $DEVICE != gpu* ]]; then
    fail "the trainer ran on $DEVICE although $devices GPUs are visible: its libtorch is a CPU build" \
      "(PYTORCH_FLAVOR, PYTORCH_LIBRARY_PATH) or the driver cannot serve its CUDA version (docs/gpus.md)"
  fi
  [ "$PEAK" = n/a ] || PEAK="$PEAK MiB"
}

bench_args=(bench --batch "$BATCH" --steps "$STEPS" --warmup "$WARMUP")

# 1. One GPU.
run_trainer "the 1-$unit bench" "$first_only" "${bench_args[@]}" --nproc 1 "${OVERRIDES[@]}"
figures
one=$TOTAL
say "$(printf '1 %s: %.1f images/s per %s, peak device memory %s (device %s, %s host transfer)' \
  "$unit" "$one" "$unit" "$PEAK" "$DEVICE" "$TRANSFER")"

# 2. All GPUs, one process each; the bench ends with the replica check.
drift=()
[ -z "${GPU_CHECK_DRIFT_RANK:-}" ] || drift=(--drift-rank "$GPU_CHECK_DRIFT_RANK")
run_trainer "the $processes-process bench" "${gpus:-}" "${bench_args[@]}" --nproc "$processes" "${drift[@]}" \
  "${OVERRIDES[@]}"
figures
[ "$(field replica_check "$RESULT")" = passed ] || fail "the $processes-process bench ran no replica check: $RESULT"
say "$(awk -v n="$devices" -v p="$processes" -v u="$unit" -v us="$units" -v all="$TOTAL" -v one="$one" -v peak="$PEAK" 'BEGIN {
  printf "%d %s%s: %.1f images/s, %.1f per %s (%.0f%% of 1 %s), peak device memory %s, replica check passed",
    n, (n > 1 ? us : u), (p != n ? " (" p " processes)" : ""), all, all / n, u, 100 * all / n / one, u, peak }')"

# 3. Data parallelism against one process on the global batch.
run_trainer "check-data-parallel" "${gpus:-}" check-data-parallel --nproc "$processes"
say "$RESULT"
say "passed"
