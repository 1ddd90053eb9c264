#!/usr/bin/env bash
# Compile a prebuilt R tarball inside the build image:
#   $PYCNB_CACHE/mirror/prebuilt/r/<ver>/r_<ver>_linux_amd64_debian_<major>.tgz
#
# R is installed at the prefix the r buildpack's layer has in a build container
# (/layers/pycnb_r/r: R hard-codes its home, so no relocation is needed) and the tarball
# holds the contents of that prefix (bin/R, bin/Rscript, lib/R/...). Compiled once per
# (source sha256, build image content key, sha256 of compile-r.sh); later runs only check
# that key (kept next to the tarball in <tarball>.key with the tarball's sha256).
#
# Usage: build-r-prebuilt.sh VERSION
# Env:   PYCNB_BUILD_IMAGE (default pycnb/build:bookworm), PYCNB_RUN_IMAGE (default
#        pycnb/run:<release of the build image>; the smoke test), PYCNB_JOBS (default 2),
#        SOURCE_DATE_EPOCH (default 0), PYCNB_VERBOSE=1 (stream the compile output)
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ $# -eq 1 ] || die "usage: $0 VERSION"
version="$1"
command -v docker >/dev/null || die "docker is not installed"
image_id="$(docker image inspect --format '{{.Id}}' "$PYCNB_BUILD_IMAGE" 2>/dev/null)" ||
  die "build image $PYCNB_BUILD_IMAGE not found: build the stack first (make stack)"
debian_major="$(image_distro_version "$PYCNB_BUILD_IMAGE")"
case "$debian_major" in *[!0-9]*) die "$PYCNB_BUILD_IMAGE is Debian $debian_major: R prebuilts are named by a major version" ;; esac
run_image="${PYCNB_RUN_IMAGE:-${PYCNB_BUILD_IMAGE/\/build:/\/run:}}"

"$MIRROR_SCRIPTS/fetch-r-sources.sh" "$version" >/dev/null
source="$(r_source_path "$version")"
compile_sh="$MIRROR_SCRIPTS/compile-r.sh"
epoch="${SOURCE_DATE_EPOCH:-0}"
key="source=$(sha256_of "$source") image=$(stack_image_key "$PYCNB_BUILD_IMAGE") compile-r.sh=$(sha256_of "$compile_sh") prefix=$R_LAYER_PREFIX epoch=$epoch"

out="$MIRROR_ROOT/$(r_prebuilt_relpath "$version" "$debian_major")"
key_file="$out.key"
mkdir -p "$(dirname "$out")"
if prebuilt_is_current "$out" "$key"; then
  log "prebuilt R $version is up to date: $out"
  exit 0
fi

log "compiling R $version in $PYCNB_BUILD_IMAGE (${image_id:7:12}); this takes several minutes"
tmp_name=".$(basename "$out").tmp$$"
rm -f "$key_file" "$(dirname "$out")/$tmp_name"
trap 'rm -f "$(dirname "$out")/$tmp_name"' EXIT
started=$(date +%s)
log_file="$PYCNB_CACHE/logs/prebuilt-r-$version-debian-$debian_major.log"
mkdir -p "$(dirname "$log_file")"
log "full output: $log_file (PYCNB_VERBOSE=1 to stream it)"
if [ "${PYCNB_VERBOSE:-0}" = 1 ]; then sink=/dev/stderr; else sink="$log_file"; fi
# nice: the machine is shared; the compile is a background chore.
nice -n 10 docker run --rm --network none -u 0 -e SOURCE_DATE_EPOCH="$epoch" \
  -v "$compile_sh:/pycnb/compile-r.sh:ro" -v "$source:/pycnb/src/R.tar.gz:ro" -v "$(dirname "$out"):/pycnb/out" \
  --entrypoint /bin/sh "$PYCNB_BUILD_IMAGE" -ec '
    nice -n 10 sh /pycnb/compile-r.sh /pycnb/src/R.tar.gz "$1" "/pycnb/out/$2" "$3"
    chown "$4" "/pycnb/out/$2"
  ' sh "$R_LAYER_PREFIX" "$tmp_name" "${PYCNB_JOBS:-2}" "$(id -u):$(id -g)" >"$sink" 2>&1 || {
  [ "$sink" = "$log_file" ] && tail -n 40 "$log_file" >&2
  die "compiling R $version in $PYCNB_BUILD_IMAGE failed (log: $log_file)"
}
[ "$sink" = "$log_file" ] && grep -E '^\+ ' "$log_file" >&2 || true
# Smoke test in the run image (check-r.sh), before the tarball is kept: R starts from the
# layer path with only the run image's libraries.
if docker image inspect "$run_image" >/dev/null 2>&1; then
  docker run --rm --network none -u 0 -v "$(dirname "$out")/$tmp_name:/pycnb/r.tgz:ro" \
    -v "$MIRROR_SCRIPTS/check-r.sh:/pycnb/check-r.sh:ro" --entrypoint /bin/sh "$run_image" \
    /pycnb/check-r.sh /pycnb/r.tgz "$R_LAYER_PREFIX" >&2 ||
    die "prebuilt R $version does not work in $run_image (missing runtime libraries?)"
fi
mv -f "$(dirname "$out")/$tmp_name" "$out"
trap - EXIT
sha="$(sha256_of "$out")"
printf '%s\n%s\n' "$key" "$sha" >"$key_file"
log "prebuilt R $version compiled in $(($(date +%s) - started))s: $out ($(du -h "$out" | cut -f1))"

printf '%s  %s\n' "$sha" "$out"
