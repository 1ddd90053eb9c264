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

# --- index the source repository (write-packages.R) ----------------------------------------
index_key="$( (cd "$repo" && find src/contrib -name '*.tar.gz' -exec sha256sum {} + | sort; sha256_of "$prebuilt") | sha256sum | cut -c1-16)"
if [ "$(cat "$repo/.index-key" 2>/dev/null)" != "$index_key" ]; then
  log "indexing $repo with tools::write_PACKAGES"
  index_repo "$prebuilt" "$repo"
  echo "$index_key" >"$repo/.index-key"
fi
log "source repository: $repo ($(grep -c '^Package:' "$repo/src/contrib/PACKAGES") packages, $(du -sh "$repo/src/contrib" | cut -f1))"

"$MIRROR_SCRIPTS/build-r-binaries.sh" "$prebuilt"
