#!/usr/bin/env bash
# The binary twin of the miniCRAN source repository, compiled once:
#   $MIRROR_ROOT/cran-bin/<R major.minor>/debian-<N>/src/contrib/{PACKAGES*,<pkg>_<ver>.tar.gz}
# Every package of $MIRROR_ROOT/cran is installed with the prebuilt R in the build image
# (install.packages(INSTALL_opts = "--build"), Ncpus = PYCNB_JOBS) and its binary tarball
# served under the source tarball's name, the way Posit Package Manager serves Linux
# binaries: install.packages() from this repository unpacks them without compiling.
# Only packages whose binary is missing are compiled (their dependencies come from a library
# kept per prebuilt R + build image under $PYCNB_CACHE/r-build-lib/); a new prebuilt R or
# build image starts a new binary repository.
#
# Usage: build-r-binaries.sh PREBUILT.tgz      (minicran.sh calls it)
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] && [ -f "$1" ] || die "usage: $0 PREBUILT-R.tgz"
prebuilt="$1"
src="$MIRROR_ROOT/cran"
[ -f "$src/src/contrib/PACKAGES" ] || die "no source repository at $src (run minicran.sh)"
name="$(basename "$prebuilt")" # r_<ver>_linux_amd64_debian_<N>.tgz
r_version="$(sed -E 's/^r_([0-9.]+)_.*/\1/' <<<"$name")"
debian="$(sed -E 's/.*_debian_([0-9]+)\.tgz$/\1/' <<<"$name")"
bin="$MIRROR_ROOT/cran-bin/${r_version%.*}/debian-$debian"
key="r=$(sha256_of "$prebuilt") image=$(stack_image_key "$PYCNB_BUILD_IMAGE")"
mkdir -p "$bin/src/contrib"
if [ "$(cat "$bin/.build-key" 2>/dev/null)" != "$key" ]; then
  # Binaries of another R or image are not these: start afresh.
  rm -rf "${bin:?}/src/contrib/"* "$bin/.index-key"
  echo "$key" >"$bin/.build-key"
fi
lib="$PYCNB_CACHE/r-build-lib/$(printf '%s' "$key" | sha256sum | cut -c1-16)"
mkdir -p "$lib"

# Source tarballs without a binary of the same name yet.
missing=()
while read -r f; do
  [ -f "$bin/src/contrib/$f" ] || missing+=("${f%%_*}")
done < <(cd "$src/src/contrib" && ls -1 -- *.tar.gz)
if [ "${#missing[@]}" -gt 0 ]; then
  log "compiling ${#missing[@]} R packages once for $bin: ${missing[*]}"
  started=$(date +%s)
  log_file="$PYCNB_CACHE/logs/r-binaries-${r_version}-debian-$debian.log"
  mkdir -p "$(dirname "$log_file")"
  work="$(mktemp -d "$PYCNB_CACHE/r-build-lib/.out.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  if ! nice -n 10 docker run --rm --network none -u 0 -v "$prebuilt:/pycnb/r.tgz:ro" -v "$src:/src:ro" \
    -v "$lib:/rlib" -v "$work:/out" --entrypoint /bin/sh "$PYCNB_BUILD_IMAGE" -ec '
      prefix="$1" jobs="$2" owner="$3"
      shift 3
      mkdir -p "$prefix" && tar -xzf /pycnb/r.tgz -C "$prefix"
      cd /out
      nice -n 10 "$prefix/bin/Rscript" -e "
        want <- commandArgs(TRUE)
        options(warn = 1)
        install.packages(want, lib = \"/rlib\", repos = \"file:///src\", Ncpus = $jobs,
                         INSTALL_opts = \"--build\", dependencies = NA)
        bad <- setdiff(want, rownames(installed.packages(\"/rlib\")))
        if (length(bad)) stop(\"not installed: \", paste(bad, collapse = \", \"))
      " "$@"
      chown -R "$owner" /out /rlib
    ' sh "$R_LAYER_PREFIX" "${PYCNB_JOBS:-2}" "$(id -u):$(id -g)" "${missing[@]}" >"$log_file" 2>&1; then
    tail -n 30 "$log_file" >&2
    die "compiling R packages failed (log: $log_file)"
  fi
  # pkg_ver_R_x86_64-pc-linux-gnu.tar.gz -> pkg_ver.tar.gz (the source tarball's name).
  for f in "$work"/*_R_*.tar.gz; do
    b="$(basename "$f")"
    mv -f "$f" "$bin/src/contrib/${b%%_R_*}.tar.gz"
  done
  rm -rf "$work"
  trap - EXIT
  log "compiled in $(($(date +%s) - started))s (log: $log_file)"
fi

index_key="$( (cd "$bin/src/contrib" && sha256sum -- *.tar.gz) | sha256sum | cut -c1-16)"
if [ "$(cat "$bin/.index-key" 2>/dev/null)" != "$index_key" ]; then
  index_repo "$prebuilt" "$bin"
  # Before the index counts: every package installs from it without compiling (build
  # image) and loads (run image), from a fresh library.
  run_image="${PYCNB_RUN_IMAGE:-${PYCNB_BUILD_IMAGE/\/build:/\/run:}}"
  check_lib="$(mktemp -d "$PYCNB_CACHE/r-build-lib/.check.XXXXXX")"
  trap 'rm -rf "$check_lib"' EXIT
  mapfile -t all < <(sed -n 's/^Package: //p' "$bin/src/contrib/PACKAGES")
  for step in "install $PYCNB_BUILD_IMAGE" "load $run_image"; do
    set -- $step
    nice -n 10 docker run --rm --network none -u 0 -v "$prebuilt:/pycnb/r.tgz:ro" -v "$bin:/repo:ro" \
      -v "$check_lib:/checklib" -v "$MIRROR_SCRIPTS/check-r-binaries.sh:/pycnb/check.sh:ro" \
      --entrypoint /bin/sh "$2" /pycnb/check.sh "$1" /pycnb/r.tgz "$R_LAYER_PREFIX" /checklib "${all[@]}" >&2 ||
      die "the binary repository $bin fails its check ($1 in $2)"
  done
  rm -rf "$check_lib"
  trap - EXIT
  echo "$index_key" >"$bin/.index-key"
fi
log "binary repository: $bin ($(grep -c '^Package:' "$bin/src/contrib/PACKAGES") packages, $(du -sh "$bin/src/contrib" | cut -f1))"
