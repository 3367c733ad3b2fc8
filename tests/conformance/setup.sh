#!/bin/sh
# Installs the conformance peer (DuckDB, npm @duckdb/node-api pinned in package.json) into
# tests/conformance/node_modules, only when it is missing. Idempotent; run.py calls it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -d "$here/node_modules/@duckdb/node-api" ]; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "setup.sh: npm is required (apt-get install npm)" >&2; exit 2; }
cd "$here"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --silent
else
  npm install --no-audit --no-fund --silent
fi
