#!/usr/bin/env bash
# Compile a prebuilt CPython tarball inside the build image:
#   $PYCNB_CACHE/mirror/prebuilt/cpython/<ver>/cpython_<ver>_linux_amd64_debian_<N>.tgz
# where N is the build image's io.buildpacks.base.distro.version (12 bookworm, 13 trixie).
#
# The interpreter is installed at the prefix the cpython buildpack's layer has
# in a build container (/layers/pycnb_cpython/cpython) and the tarball holds
# the contents of that prefix. It is compiled once per (source sha256, build
# image id, sha256 of compile.py); later runs only check that key.
#
# Usage: build-prebuilt.sh VERSION
# Env:   PYCNB_BUILD_IMAGE (default pycnb/build:bookworm), PYCNB_RUN_IMAGE
#        (default: the build image's run image, pycnb/run:<release>; used for a smoke test when present),
#        SOURCE_DATE_EPOCH (default 0), PYCNB_JOBS (default: all CPUs)
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ $# -eq 1 ] || die "usage: $0 VERSION"
version="$1"
cpython_versions | grep -qxF "$version" || die "unknown CPython version $version (known: $(cpython_versions | tr '\n' ' '))"

repo="$(cd "$MIRROR_SCRIPTS/.." && pwd)"
compile_py=""
for c in "$repo/buildpacks/cpython/pycnb_cpython/compile.py" "$repo/buildpacks/cpython/compile.py"; do
  [ -f "$c" ] && { compile_py="$c"; break; }
done
[ -n "$compile_py" ] || die "compile.py of the cpython buildpack not found under $repo/buildpacks/cpython"
run_image="${PYCNB_RUN_IMAGE:-${PYCNB_BUILD_IMAGE/\/build:/\/run:}}"
command -v docker >/dev/null || die "docker is not installed"

image_id="$(docker image inspect --format '{{.Id}}' "$PYCNB_BUILD_IMAGE" 2>/dev/null)" ||
  die "build image $PYCNB_BUILD_IMAGE not found: build the stack first (make stack)"

"$MIRROR_SCRIPTS/fetch-cpython-sources.sh" "$version" >/dev/null
source="$(cpython_source_path "$version")"
source_sha="$(sha256_of "$source")"
compile_sha="$(sha256_of "$compile_py")"
epoch="${SOURCE_DATE_EPOCH:-0}"
key="source=$source_sha image=$(stack_image_key "$PYCNB_BUILD_IMAGE") compile.py=$compile_sha epoch=$epoch"

distro_version="$(image_distro_version "$PYCNB_BUILD_IMAGE")"
rel="$(cpython_prebuilt_relpath "$version" "$distro_version")"
out="$MIRROR_ROOT/$rel"
# The key lives next to the tarball, so every mirror root keeps its own.
key_file="$out.key"
mkdir -p "$(dirname "$out")"

# A key from before keys lived next to the tarball counts too (no recompile after an upgrade).
old_key="$PYCNB_CACHE/state/prebuilt-cpython-$version.key"
if [ "$distro_version" = 12 ] && [ ! -f "$key_file" ] && [ -f "$old_key" ] && [ "$MIRROR_ROOT" = "$PYCNB_CACHE/mirror" ]; then cp "$old_key" "$key_file"; fi
# key_file holds the key line and the tarball's sha256.
if prebuilt_is_current "$out" "$key"; then
  log "prebuilt CPython $version is up to date: $out"
  exit 0
fi

log "compiling CPython $version in $PYCNB_BUILD_IMAGE (${image_id:7:12}); this takes a few minutes"
tmp_name=".$(basename "$out").tmp$$"
rm -f "$key_file" "$(dirname "$out")/$tmp_name"
trap 'rm -f "$(dirname "$out")/$tmp_name"' EXIT
started=$(date +%s)
src_name="$(basename "$source")"
log_file="$PYCNB_CACHE/logs/prebuilt-cpython-$version-debian_$distro_version.log"
mkdir -p "$(dirname "$log_file")"
log "full output: $log_file (PYCNB_VERBOSE=1 to stream it)"
if [ "${PYCNB_VERBOSE:-0}" = 1 ]; then sink=/dev/stderr; else sink="$log_file"; fi
docker run --rm --network none -u 0 \
  -e SOURCE_DATE_EPOCH="$epoch" \
  -v "$compile_py:/pycnb/compile.py:ro" \
  -v "$source:/pycnb/src/$src_name:ro" \
  -v "$(dirname "$out"):/pycnb/out" \
  --entrypoint /bin/sh \
  "$PYCNB_BUILD_IMAGE" -ec '
    python3 -I /pycnb/compile.py --source "/pycnb/src/$1" --prefix "$2" \
      --workdir /tmp/pycnb-cpython-build --tarball "/pycnb/out/$3" --jobs "$4" --check-relocation
    chown "$5" "/pycnb/out/$3"
  ' sh "$src_name" "$CPYTHON_LAYER_PREFIX" "$tmp_name" "${PYCNB_JOBS:-$(nproc)}" "$(id -u):$(id -g)" >"$sink" 2>&1 || {
  [ "$sink" = "$log_file" ] && tail -n 40 "$log_file" >&2
  die "compiling CPython $version in $PYCNB_BUILD_IMAGE failed (log: $log_file)"
}
# The interesting part of the log: step timings and the relocation findings.
[ "$sink" = "$log_file" ] && grep -E '^(\+ |  \(|relocated|  (bin|lib|include|share)/|done in)' "$log_file" | cut -c1-160 >&2 || true
mv -f "$(dirname "$out")/$tmp_name" "$out"
trap - EXIT
sha="$(sha256_of "$out")"
printf '%s\n%s\n' "$key" "$sha" >"$key_file"
log "prebuilt CPython $version compiled in $(($(date +%s) - started))s: $out"

# Smoke test in the run image: does the interpreter work there, and which
# shared libraries of its extension modules does the run image lack?
if docker image inspect "$run_image" >/dev/null 2>&1; then
  docker run --rm --network none -u 0 -v "$out:/tmp/cpython.tgz:ro" --entrypoint /bin/sh "$run_image" -c '
      mkdir -p "$1" && tar -xzf /tmp/cpython.tgz -C "$1" || exit 1
      "$1/bin/python3" -I -c "import ssl, sqlite3, ctypes, lzma, bz2, zlib, readline, uuid, decimal, json, curses, dbm; print(\"run image: CPython\", __import__(\"sys\").version.split()[0], \"works\")" || exit 1
      if command -v ldd >/dev/null; then
        for f in "$1"/bin/python3 "$1"/lib/python3.*/lib-dynload/*.so; do
          ldd "$f" 2>/dev/null | sed -n "s|^[[:space:]]*\([^ ]*\) => not found|run image lacks \1 (needed by ${f##*/})|p"
        done
      fi
    ' sh "$CPYTHON_LAYER_PREFIX" >&2 ||
    log "WARNING: prebuilt CPython $version does not work in $run_image (missing runtime libraries?)"
fi
printf '%s  %s\n' "$sha" "$out"
