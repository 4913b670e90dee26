#!/usr/bin/env bash
# Prepares a CI machine for the whole suite and prints, one NAME=VALUE a line, the environment the
# test run needs. .ci/run exports the lines; the GitHub workflow appends them to $GITHUB_ENV. Both
# call this one script, so the two CI runs cannot drift apart in what they install or require:
#   - Debian/Ubuntu's python3-torch and python3-torchvision at /usr/bin/python3 for the export
#     tests, and CONTRASTIVE_REQUIRE_TORCH=1 so that they fail rather than skip without them;
#   - the prometheus package for PrometheusScrapeTest, and CONTRASTIVE_REQUIRE_PROMETHEUS=1;
#   - helm for HelmChartTest (scripts/fetch-helm.sh, checksummed), as HELM;
#   - the CIFAR-10 slice the learning and reader tests use (scripts/fetch-test-data, checksummed;
#     the trainer build checks it again before its tests).
# Installs only what is missing; apt-get runs through sudo when not root. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  { "${sudo[@]}" apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@"; } >&2
}

if ! /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
  echo "install-test-tools: installing python3-torch and python3-torchvision" >&2
  apt_install python3-torch python3-torchvision
  /usr/bin/python3 -c 'import torch, torchvision' \
    || { echo "install-test-tools: /usr/bin/python3 still cannot import torch and torchvision" >&2; exit 1; }
fi

if ! command -v prometheus >/dev/null; then
  echo "install-test-tools: installing prometheus" >&2
  apt_install --no-install-recommends prometheus
fi

helm=$(scripts/fetch-helm.sh)
scripts/fetch-test-data >&2

echo "CONTRASTIVE_REQUIRE_TORCH=1"
echo "CONTRASTIVE_REQUIRE_PROMETHEUS=1"
echo "HELM=$helm"
