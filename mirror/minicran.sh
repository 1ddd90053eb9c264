#!/usr/bin/env bash
# The mirror's miniCRAN repositories (issue 11), from Debian's r-cran-* source packages:
#   $MIRROR_ROOT/cran/                    source repository (src/contrib/PACKAGES*, tarballs,
#                                         Archive/ + Meta/archive.rds, provenance/*.json)
#   $MIRROR_ROOT/cran-bin/<R x.y>/debian-<N>/   the same packages compiled once (R CMD INSTALL
#                                         --build), served under their source names
#
# Usage: minicran.sh [PACKAGE...]   adds the closure of the named CRAN packages (default: the
#        plumber app's closure, and R6's older version from bookworm for pinned-version tests)
# Idempotent: packages already served are neither fetched nor compiled again; the indexes
# are rewritten only when the set of tarballs changed. Prints nothing on stdout.
# Env: PYCNB_R_VERSION (default: the catalog's first r-source version), PYCNB_BUILD_IMAGE.
set -euo pipefail
. "$(dirname "$0")/common.sh"

packages=("$@")
[ "${#packages[@]}" -gt 0 ] || packages=(plumber)
r_version="${PYCNB_R_VERSION:-$(awk '/^id = "r-source"/ { on = 1 } on && $1 == "version" { gsub(/"/, "", $3); print $3; exit }' "$R_CATALOG")}"
repo="$MIRROR_ROOT/cran"

# The prebuilt R indexes and compiles (compiled first if needed).
prebuilt="$("$MIRROR_SCRIPTS/build-r-prebuilt.sh" "$r_version" | tail -n1 | cut -d' ' -f3)"
[ -f "$prebuilt" ] || die "no prebuilt R $r_version"

"${PYTHON:-python3}" "$MIRROR_SCRIPTS/minicran.py" --repo "$repo" --apt-dir "$PYCNB_CACHE/apt-r" \
  --archive "$(debian_mirror)" --older R6=bookworm "${packages[@]}" >/dev/null

# R in a build-image container: the prebuilt unpacked at its layer path, the repository
# mounted read-write at /repo.
r_in_container() { # extra docker args..., -- script args...
  local args=()
  while [ "$1" != -- ]; do args+=("$1"); shift; done
  shift
  nice -n 10 docker run --rm --network none -u 0 -v "$prebuilt:/pycnb/r.tgz:ro" "${args[@]}" \
    --entrypoint /bin/sh "$PYCNB_BUILD_IMAGE" -ec '
      mkdir -p "'"$R_LAYER_PREFIX"'" && tar -xzf /pycnb/r.tgz -C "'"$R_LAYER_PREFIX"'"
      export PATH="'"$R_LAYER_PREFIX"'/bin:$PATH"
      '"$1"'
      chown -R "'"$(id -u):$(id -g)"'" /repo
    ' sh "${@:2}"
}

# --- index the source repository (write_PACKAGES, Meta/archive.rds) --------------------------
index_key="$( (cd "$repo" && find src/contrib -name '*.tar.gz' -printf '%P %s\n' | sort; sha256_of "$prebuilt") | sha256sum | cut -c1-16)"
if [ "$(cat "$repo/.index-key" 2>/dev/null)" != "$index_key" ]; then
  log "indexing $repo with tools::write_PACKAGES"
  r_in_container -v "$repo:/repo" -- 'Rscript -e "
    contrib <- \"/repo/src/contrib\"
    tools::write_PACKAGES(contrib, type = \"source\")
    # Meta/archive.rds as CRAN has it: per package, file.info() of its Archive/ tarballs,
    # row names <pkg>/<file> (renv and remotes read it to find older versions).
    files <- list.files(file.path(contrib, \"Archive\"), pattern = \"[.]tar[.]gz$\", recursive = TRUE)
    info <- file.info(file.path(contrib, \"Archive\", files))
    rownames(info) <- files
    dir.create(file.path(contrib, \"Meta\"), showWarnings = FALSE)
    saveRDS(split(info, dirname(files)), file.path(contrib, \"Meta\", \"archive.rds\"))
    cat(nrow(available.packages(repos = \"file:///repo\")), \"packages indexed\\n\")
  "'
  echo "$index_key" >"$repo/.index-key"
fi
log "source repository: $repo ($(grep -c '^Package:' "$repo/src/contrib/PACKAGES") packages, $(du -sh "$repo/src/contrib" | cut -f1))"

"$MIRROR_SCRIPTS/build-r-binaries.sh" "$prebuilt"
