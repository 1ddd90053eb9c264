# Shared helpers for the mirror/ scripts. Source it; do not execute it.
#
#   PYCNB_CACHE          cache root (default: $HOME/.cache/pycnb)
#   PYCNB_DEBIAN_MIRROR  Debian archive URI (default: read from the apt configuration)
#   PYCNB_MIRROR_PORT    port of the local mirror server (default: 8642)

PYCNB_CACHE="${PYCNB_CACHE:-${HOME:-/root}/.cache/pycnb}"
case "$PYCNB_CACHE" in /*) ;; *) PYCNB_CACHE="$PWD/$PYCNB_CACHE" ;; esac # docker -v needs absolute paths
MIRROR_ROOT="$PYCNB_CACHE/mirror"
MIRROR_PORT="${PYCNB_MIRROR_PORT:-8642}"
MIRROR_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# CPython sources served by the mirror: version, Debian source package, suite,
# file name on python.org, sha256 of that file (the Debian .orig tarball is the
# same file byte for byte).
CPYTHON_SOURCES="
3.11.2 python3.11 bookworm Python-3.11.2.tgz    2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849
3.13.5 python3.13 trixie   Python-3.13.5.tar.xz 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
"

# Build image the prebuilt interpreters are compiled in, and where the cpython
# buildpack's layer lives inside a build container.
PYCNB_BUILD_IMAGE="${PYCNB_BUILD_IMAGE:-pycnb/build:bookworm}"
CPYTHON_LAYER_PREFIX=/layers/pycnb_cpython/cpython

log() { printf '[mirror] %s\n' "$*" >&2; }
die() { printf '[mirror] ERROR: %s\n' "$*" >&2; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# cpython_source_field VERSION FIELD  (FIELD: 2=package 3=suite 4=file 5=sha256)
cpython_source_field() {
  printf '%s\n' "$CPYTHON_SOURCES" | awk -v v="$1" -v f="$2" '$1 == v { print $f; found = 1 } END { exit !found }'
}

cpython_versions() { printf '%s\n' "$CPYTHON_SOURCES" | awk 'NF { print $1 }'; }

# Path of a source tarball inside the mirror: {originalHost} + original path.
cpython_source_path() {
  local file; file="$(cpython_source_field "$1" 4)" || die "unknown CPython version $1"
  printf '%s/www.python.org/ftp/python/%s/%s\n' "$MIRROR_ROOT" "$1" "$file"
}

cpython_source_url() {
  printf 'https://www.python.org/ftp/python/%s/%s\n' "$1" "$(cpython_source_field "$1" 4)"
}

cpython_prebuilt_relpath() {
  printf 'prebuilt/cpython/%s/cpython_%s_linux_amd64_debian_12.tgz\n' "$1" "$1"
}

# The Debian archive this machine already uses ($PYCNB_DEBIAN_MIRROR wins), read from
# the apt configuration by the one parser the stack uses too.
debian_mirror() {
  "$MIRROR_SCRIPTS/../tools/debian-mirror.sh" bookworm
}
