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

# The Debian archive this machine already uses. Order: $PYCNB_DEBIAN_MIRROR,
# deb822 *.sources, then one-line sources.list(.d/*.list). Stanzas of the main
# archive (a suite without "-security"/"-updates"...) are preferred.
debian_mirror() {
  if [ -n "${PYCNB_DEBIAN_MIRROR:-}" ]; then
    printf '%s\n' "${PYCNB_DEBIAN_MIRROR%/}"
    return 0
  fi
  local etc="${PYCNB_APT_ETC:-/etc/apt}" found
  found="$(
    {
      for f in "$etc"/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk '
          function flush() {
            if (uris != "" && types ~ /deb/ && enabled !~ /^(no|false)$/) {
              split(uris, u, /[ \t]+/)
              n = split(suites, s, /[ \t]+/)
              main = 0
              for (i = 1; i <= n; i++) if (s[i] != "" && s[i] !~ /-/) main = 1
              print (main ? 0 : 1), u[1]
            }
            types = ""; uris = ""; suites = ""; enabled = ""
          }
          /^[ \t]*#/ { next }
          /^[ \t]*$/ { flush(); next }
          /^[ \t]/ { next }  # continuation line (e.g. an inline Signed-By key)
          {
            line = $0
            key = tolower(line); sub(/:.*/, "", key)
            val = line; sub(/^[^:]*:[ \t]*/, "", val)
            if (key == "types") types = val
            else if (key == "uris") uris = val
            else if (key == "suites") suites = val
            else if (key == "enabled") enabled = tolower(val)
          }
          END { flush() }' "$f"
      done
      for f in "$etc"/sources.list "$etc"/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        awk '
          /^[ \t]*(deb|deb-src)[ \t]/ {
            i = 2
            if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
            uri = $i; suite = $(i + 1)
            print (suite ~ /-/ ? 1 : 0), uri
          }' "$f"
      done
    } | awk '$1 == 0 && main == "" { main = $2 } fb == "" { fb = $2 } END { print (main != "" ? main : fb) }'
  )"
  [ -n "$found" ] || die "no Debian archive found in $etc (set PYCNB_DEBIAN_MIRROR)"
  printf '%s\n' "${found%/}"
}
