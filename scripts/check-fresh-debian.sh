#!/bin/sh
# Clean-machine check: builds a fresh Debian 12 (bookworm) root with debootstrap, clones this
# repository's HEAD into it, and runs `make test` and `make demo` there with nothing but what a new
# machine has (gcc, make, git). Needs root. usage: scripts/check-fresh-debian.sh [ROOT_DIR]
set -eu
root=${1:-/var/tmp/velo-fresh-debian}
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v debootstrap >/dev/null || apt-get install -y debootstrap
if [ ! -x "$root/usr/bin/apt-get" ]; then
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
fi
rm -rf "$root/src"
git clone -q "$repo" "$root/src"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# These sandboxes reach the npm registry through a TLS-intercepting proxy whose CA sits in the host's
# trust store; a new machine of this kind has it too, a bare debootstrap root does not.
mkdir -p "$root/usr/local/share/velo-host-ca"
cp /etc/ssl/certs/ca-certificates.crt "$root/usr/local/share/velo-host-ca/ca.crt"
printf 'cafile=/usr/local/share/velo-host-ca/ca.crt\n' >"$root/root/.npmrc"
for m in proc dev dev/pts sys; do mountpoint -q "$root/$m" || mount --bind "/$m" "$root/$m"; done
trap 'for m in sys dev/pts dev proc; do umount "$root/$m" 2>/dev/null || true; done' EXIT
# the baseline of a new machine of this kind: a compiler, make and git
chroot "$root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc make git >/dev/null'
chroot "$root" sh -c 'cd /src && make test && make demo'
echo "check-fresh-debian: make test and make demo passed in $root"
