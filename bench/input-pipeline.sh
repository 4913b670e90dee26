#!/usr/bin/env bash
# The input pipeline side by side: decode + random resized crop + the SimCLR augmentations to
# 224 px, two views, batched, for the trainer's loader (`trainer bench-input`, OpenCV/libjpeg-turbo
# decoder and the javax.imageio fallback) and torchvision's ImageFolder + DataLoader
# (bench/input_pipeline_torchvision.py), with the same workers, batch and images. No training step
# consumes the batches: the figure is what the loader can feed.
#
# Images: IMAGES JPEGs of 500x375 at quality 90 (4:2:0), made by bench/make_input_images.py from
# 12 photographs of Debian's plasma-workspace-wallpapers (checked by SHA-256 below), each a 4:3
# window shrunk, never enlarged. Cached in $INPUT_BENCH_DIR (default ~/.cache/contrastive/input-bench).
# Needs Debian's python3-torchvision (/usr/bin/python3) and a packaged trainer:
#   ./mvnw -B -q -pl trainer-image -am package -DskipTests
# Usage: bench/input-pipeline.sh [workers] [batch] [timed batches] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${1:-1}
BATCH=${2:-64}
BATCHES=${3:-6}
ROUNDS=${4:-1}
WARMUP=2
IMAGES=$(( (BATCH * (BATCHES + WARMUP) * 10 + 8) / 9 + BATCH ))  # ImageFolder holds out every tenth
CACHE=${INPUT_BENCH_DIR:-$HOME/.cache/contrastive/input-bench}
export OPT_OUT_TRACKING=true DJL_OFFLINE=true

photos="$CACHE/photos"
if [ ! -f "$photos/.complete" ]; then
  rm -rf "$photos" && mkdir -p "$photos"
  (cd "$photos" && apt-get download plasma-workspace-wallpapers >/dev/null && dpkg -x plasma-workspace-wallpapers_*.deb x)
  touch "$photos/.complete"
fi
# The photographs (the package's other wallpapers are drawings and renders).
sums=$(mktemp)
lines=$(mktemp)
run=$(mktemp --suffix=.yaml)
trap 'rm -f "$sums" "$lines" "$run"' EXIT
cat >"$sums" <<'SUMS'
c272434ef39f2abf1ed48a15a8910088020f3165329a5092f3940ec9464bc05f  BytheWater/contents/images/2560x1600.jpg
05bef6722fc0ed81292cceb3ed026c38d17e510f3c84be7d68610c2b1a723c3f  ColdRipple/contents/images/2560x1600.jpg
6e0f3a72feb5a4a9fec191b77e34874c3c69e2d93040deb3f07773e73385023d  ColorfulCups/contents/images/2560x1600.jpg
8e3703fae3a3c217b1fc2b399b706cd3720584268d071ba153e4809daa55f1ce  DarkestHour/contents/images/2560x1600.jpg
586682dcb362b9f620068f10138f87d0d3649939aef238adc5807cb951976a7a  EveningGlow/contents/images/2560x1600.jpg
95603a6560c7e8d50e0e03b3f4adbe39c5258c72528e74e4ecaea1daf4e499de  FallenLeaf/contents/images/2560x1600.jpg
88c31d8944b7e6935d1b9a296654c692f0772cb512491713eb30a972a604c0ed  Grey/contents/images/2560x1600.jpg
bdca288ce296a981e80659c021cf707caddc702c0c8d4247e60bd618476d47f8  Kite/contents/images/2560x1600.jpg
cb507baf1dafdcae362264f3aba9483ed4be5f6c9fdd770f0ec0920c6d9e80fd  OneStandsOut/contents/images/2560x1600.jpg
7477457d7f17b736259f1b021864778ad4ba802cf3214e6728181ff29126bba8  Path/contents/images/2560x1600.jpg
abc30b4fc6f6a83b6156e6b59ac283c067de40af820aafac8ac7c4fd83a9607c  Volna/contents/images/5120x2880.jpg
c868b50789591dd42910153c768053f1ba0a98cb36bbfc2b7a96a1045d0477f8  summer_1am/contents/images/2560x1600.jpg
SUMS
(cd "$photos/x/usr/share/wallpapers" && sha256sum --quiet -c "$sums")

data="$CACHE/jpeg-$IMAGES"
if [ ! -f "$data/.complete" ]; then
  rm -rf "$data"
  mapfile -t sources < <(sed "s#^[0-9a-f]*  #$photos/x/usr/share/wallpapers/#" "$sums")
  /usr/bin/python3 bench/make_input_images.py "$data" "$IMAGES" "${sources[@]}"
  touch "$data/.complete"
fi
echo "images: $IMAGES JPEGs 500x375 q90 in $data, set sha256 $(cd "$data" && find . -name '*.jpg' | sort | xargs cat | sha256sum | cut -c1-16)"

cat >"$run" <<YAML
apiVersion: contrastive.dev/v1alpha1
kind: ContrastiveTrainingRun
metadata:
  name: bench-input
spec:
  image: trainer:bench
  dataset:
    type: imagefolder
    source: $data
    imageSize: 224
    normalization: imagenet
    loaderThreads: $WORKERS
  augmentation:
    colorJitterStrength: 1.0
  trainer:
    batchSizePerWorker: $BATCH
YAML
# The ISA label of CpuIsa (what `trainer bench-input` prints), for the torchvision line.
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
case " $flags " in
  *" amx_tile "*) isa=AVX-512+AMX ;; *" avx512_bf16 "*) isa=AVX-512+BF16 ;; *" avx512f "*) isa=AVX-512 ;;
  *" avx2 "*) isa=AVX2 ;; *) isa=pre-AVX2 ;;
esac
CP="trainer-image/target/classes:trainer-image/target/lib/*"  # the JVM expands lib/*
trainer() {
  scripts/with-tcmalloc java -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 "$@" -cp "$CP" \
    dev.contrastive.trainer.cli.TrainerCli bench-input -f "$run" --batches "$BATCHES" --warmup "$WARMUP" | grep '^loader='
}
torchvision() {
  /usr/bin/python3 bench/input_pipeline_torchvision.py "$data" --workers "$WORKERS" --batch "$BATCH" \
    --batches "$BATCHES" --warmup "$WARMUP" --isa "$isa" 2>&1 | grep '^loader='
}

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  trainer | tee -a "$lines"
  trainer -Dtrainer.imageDecoder=imageio | tee -a "$lines"
  torchvision | tee -a "$lines"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Medians of each loader: images per CPU second (per core), wall-clock images/s, and the trainer's
# OpenCV loader against each per core.
awk '
  { key = ""; c = 0; w = 0
    for (i = 1; i <= NF; i++) { split($i, kv, "=")
      if (kv[1] == "loader" || kv[1] == "decoder" || kv[1] == "isa") key = key kv[2] " "
      if (kv[1] == "images_per_cpu_second") c = kv[2]
      if (kv[1] == "images_per_second") w = kv[2] }
    if (!(key in n)) order[++keys] = key
    n[key]++; cpu[key, n[key]] = c; wall[key, n[key]] = w }
  function median(arr, key, count,   i, j, t, v) {
    for (i = 1; i <= count; i++) v[i] = arr[key, i]
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2 }
  END {
    printf "\n%-36s %5s %22s %18s %20s\n", "loader decoder isa", "runs", "images/CPU-s (core)", "images/s (wall)", "trainer-opencv/this"
    for (k = 1; k <= keys; k++) { m[order[k]] = median(cpu, order[k], n[order[k]]); mw[order[k]] = median(wall, order[k], n[order[k]]) }
    for (k = 1; k <= keys; k++) { key = order[k]
      printf "%-36s %5d %22.1f %18.1f %19.2fx\n", key, n[key], m[key], mw[key], m[order[1]] / m[key] } }
' "$lines"
