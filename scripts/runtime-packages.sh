#!/bin/sh
# The Debian 12 packages the runtime image needs for velo-sql and velo-cli: one list, used by the
# Dockerfile (apt-get install) and checked against the binaries by tests/deploy (and by the
# Dockerfile's build stage), so the image and the link line cannot drift apart.
#   scripts/runtime-packages.sh                 prints the packages, one per line
#   scripts/runtime-packages.sh --check BIN...  checks that every shared library BIN needs comes
#                                               from a listed package (or the base image), and
#                                               that every listed library package is needed
set -eu

# Shared libraries of the binaries (NEEDED entries), by package. Update this list when a module
# links a new library: the --check failure names the package to add.
LIBS="
libmimalloc2.0
libmicrohttpd12
libjansson4
libxxhash0
libcurl4
libyaml-0-2
liburing2
librdkafka1
libmsgpackc2
"
# Not a library: CA certificates, for velo-cli --tls and TLS connections of jobs.
EXTRA="ca-certificates"
# In debian:12-slim already.
BASE="libc6 libgcc-s1"

if [ "${1:-}" != "--check" ]; then
    for p in $LIBS $EXTRA; do echo "$p"; done
    exit 0
fi
shift
[ $# -gt 0 ] || { echo "runtime-packages: --check needs the binaries to check" >&2; exit 2; }

# The package that owns a library path; dpkg knows the path before or after /usr merging.
owner() {
    for f in "$1" "$(readlink -f "$1")" "/usr$1" "${1#/usr}"; do
        o=$(dpkg -S "$f" 2>/dev/null | head -n 1 | cut -d: -f1) && [ -n "$o" ] && { echo "$o"; return 0; }
    done
    return 1
}

fail=0
used=""
known=" "
for p in $LIBS $BASE; do known="$known$p "; done
for bin in "$@"; do
    [ -f "$bin" ] || { echo "runtime-packages: no binary '$bin' (build first)" >&2; exit 2; }
    for lib in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        case "$lib" in
        # Sanitizer runtimes of an ASan/UBSan/TSan build: never in a release image.
        libasan.so* | libubsan.so* | libtsan.so* | liblsan.so*) continue ;;
        esac
        path=$(ldd "$bin" | awk -v l="$lib" '$1 == l && $3 ~ /^\// { print $3; exit }')
        if [ -z "$path" ]; then
            echo "runtime-packages: $bin needs $lib, which ldd does not resolve" >&2
            fail=1
            continue
        fi
        if ! pkg=$(owner "$path"); then
            echo "runtime-packages: $bin needs $lib ($path), which no Debian package owns" >&2
            fail=1
            continue
        fi
        used="$used $pkg"
        case "$known" in
        *" $pkg "*) echo "ok: $(basename "$bin") needs $lib from $pkg" ;;
        *)
            echo "runtime-packages: $bin needs $lib from Debian package $pkg, which is not listed: add it to LIBS in scripts/runtime-packages.sh" >&2
            fail=1
            ;;
        esac
    done
done
for p in $LIBS; do
    case " $used " in
    *" $p "*) ;;
    *)
        echo "runtime-packages: $p is listed but no checked binary needs it: remove it from LIBS in scripts/runtime-packages.sh" >&2
        fail=1
        ;;
    esac
done
exit $fail
