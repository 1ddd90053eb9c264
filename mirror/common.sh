# Shared helpers for the mirror/ scripts. Source it; do not execute it.
#
#   PYCNB_CACHE          cache root (default: $HOME/.cache/pycnb)
#   PYCNB_DEBIAN_MIRROR  Debian archive URI (default: read from the apt configuration)
#   PYCNB_MIRROR_PORT    port of the local mirror server (default: 8642)
#   PYCNB_MIRROR_ROOT    the served tree (default: $PYCNB_CACHE/mirror)

PYCNB_CACHE="${PYCNB_CACHE:-${HOME:-/root}/.cache/pycnb}"
case "$PYCNB_CACHE" in /*) ;; *) PYCNB_CACHE="$PWD/$PYCNB_CACHE" ;; esac # docker -v needs absolute paths
# PYCNB_MIRROR_ROOT: another served tree (a work tree's own mirror next to the shared one).
MIRROR_ROOT="${PYCNB_MIRROR_ROOT:-$PYCNB_CACHE/mirror}"
MIRROR_PORT="${PYCNB_MIRROR_PORT:-8642}"
MIRROR_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The catalog of CPython source tarballs (version, python.org URI, sha256): the cpython
# buildpack's own. The mirror fetches them from Debian and refuses any other checksum.
CPYTHON_CATALOG="$MIRROR_SCRIPTS/../buildpacks/cpython/buildpack.toml"

# Build image the prebuilt interpreters are compiled in, and where the cpython
# buildpack's layer lives inside a build container.
PYCNB_BUILD_IMAGE="${PYCNB_BUILD_IMAGE:-pycnb/build:bookworm}"
CPYTHON_LAYER_PREFIX=/layers/pycnb_cpython/cpython

log() { printf '[mirror] %s\n' "$*" >&2; }
die() { printf '[mirror] ERROR: %s\n' "$*" >&2; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

cpython_versions() {
  awk '/^id = "cpython-source"/ { on = 1 } on && /^version = / { gsub(/"/, "", $3); print $3; on = 0 }' "$CPYTHON_CATALOG"
}

# Path of a source tarball inside the mirror: {originalHost} + original path.
catalog_source_path() { # CATALOG ID VERSION LABEL
  local uri
  uri="$(awk -v id="$2" -v v="$3" '$1 == "id" { on = ($3 == "\"" id "\""); ok = 0 } on && $1 == "version" { ok = ($3 == "\"" v "\"") }
        on && ok && $1 == "uri" { gsub(/"/, "", $3); print $3; exit }' "$1")"
  [ -n "$uri" ] || die "$4 $3 is not in the catalog ($1)"
  printf '%s/%s\n' "$MIRROR_ROOT" "${uri#https://}"
}
cpython_source_path() { catalog_source_path "$CPYTHON_CATALOG" cpython-source "$1" CPython; }

# A prebuilt is current when <tarball>.key holds KEY and the tarball's sha256; prints
# "<sha256>  <tarball>" then.
prebuilt_is_current() { # TARBALL KEY
  [ -f "$1" ] && [ -f "$1.key" ] && [ "$(sed -n 1p "$1.key")" = "$2" ] &&
    [ "$(sed -n 2p "$1.key")" = "$(sha256_of "$1")" ] && printf '%s  %s\n' "$(sed -n 2p "$1.key")" "$1"
}

# The content key of a stack image (survives a rebuild of an identical image; the id does
# not), else its id.
stack_image_key() {
  local k
  k="$(docker image inspect --format '{{index .Config.Labels "io.pycnb.stack.key"}}' "$1" 2>/dev/null || true)"
  case "$k" in "" | "<no value>") docker image inspect --format '{{.Id}}' "$1" ;; *) echo "$k" ;; esac
}

# The Debian major version a stack image is made of, from the label pack and the lifecycle
# match [[targets.distros]] against (stack/build.sh sets it): "12" for pycnb/build:bookworm.
# Prebuilt artifacts are named by it: a prebuilt links against its distro's libraries.
image_distro_version() {
  local v
  v="$(docker image inspect --format '{{ index .Config.Labels "io.buildpacks.base.distro.version" }}' "$1" 2>/dev/null)" ||
    die "image $1 not found: build the stack first (make stack DISTRO=...)"
  case "$v" in '' | '<no value>' | *[!0-9.]*) die "image $1 has no io.buildpacks.base.distro.version label (got '$v')" ;; esac
  printf '%s\n' "$v"
}

# cpython_prebuilt_relpath VERSION DEBIAN_VERSION
cpython_prebuilt_relpath() {
  printf 'prebuilt/cpython/%s/cpython_%s_linux_amd64_debian_%s.tgz\n' "$1" "$1" "${2:?debian version}"
}

# The Debian archive this machine already uses ($PYCNB_DEBIAN_MIRROR wins), read from
# the apt configuration by the one parser the stack uses too.
debian_mirror() {
  "$MIRROR_SCRIPTS/../tools/debian-mirror.sh" bookworm
}

# --- R (issue 11) ---------------------------------------------------------------------
# R's source tarballs: the r buildpack's catalog (id "r-source"), read like cpython's.
R_CATALOG="$MIRROR_SCRIPTS/../buildpacks/r/buildpack.toml"
# Where the r buildpack's layer lives in a build container (buildpack pycnb/r, layer r).
R_LAYER_PREFIX=/layers/pycnb_r/r

r_source_path() { catalog_source_path "$R_CATALOG" r-source "$1" R; }

r_prebuilt_relpath() { # VERSION [DEBIAN_MAJOR]
  printf 'prebuilt/r/%s/r_%s_linux_amd64_debian_%s.tgz\n' "$1" "$1" "${2:-12}"
}

# Index a CRAN-like repository (write-packages.R) with the prebuilt R, in the build image.
index_repo() { # PREBUILT.tgz REPO-ROOT
  nice -n 10 docker run --rm --network none -u 0 -v "$1:/pycnb/r.tgz:ro" -v "$2:/repo" \
    -v "$MIRROR_SCRIPTS/write-packages.R:/pycnb/write-packages.R:ro" --entrypoint /bin/sh "$PYCNB_BUILD_IMAGE" -ec '
      mkdir -p "$1" && tar -xzf /pycnb/r.tgz -C "$1"
      "$1/bin/Rscript" /pycnb/write-packages.R /repo
      chown -R "$2" /repo
    ' sh "$R_LAYER_PREFIX" "$(id -u):$(id -g)" >&2
}
