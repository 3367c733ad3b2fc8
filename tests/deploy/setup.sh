#!/bin/sh
# Installs the Kubernetes API types and the TypeScript compiler that check the chart's rendered
# manifests (npm, pinned in package.json and package-lock.json) into tests/deploy/node_modules,
# only when they are missing. Idempotent; test_chart.py calls it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -x "$here/node_modules/.bin/tsc" ] && [ -d "$here/node_modules/kubernetes-models" ] &&
    [ -d "$here/node_modules/@kubernetes-models/prometheus-operator" ]; then
    exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "setup.sh: npm is required (scripts/install-deps.sh installs it)" >&2; exit 2; }
cd "$here"
npm ci --no-audit --no-fund --silent
