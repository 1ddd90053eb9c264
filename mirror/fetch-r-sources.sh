#!/usr/bin/env bash
# Put R's source tarballs of the catalog into the local mirror:
#   $PYCNB_CACHE/mirror/cran.r-project.org/src/base/R-<major>/R-<ver>.tar.gz
# from Debian's r-base source package (its .orig tarball is CRAN's file), checked against
# the signed Sources index and the catalog's sha256: see r_sources.py.
#
# Usage: fetch-r-sources.sh [VERSION...]   (default: every catalog version Debian carries)
# Prints "<sha256>  <path>" for each tarball the mirror holds.
set -euo pipefail
. "$(dirname "$0")/common.sh"
exec "${PYTHON:-python3}" "$MIRROR_SCRIPTS/r_sources.py" --catalog "$R_CATALOG" \
    --mirror "$MIRROR_ROOT" --apt-dir "$PYCNB_CACHE/apt-r" --archive "$(debian_mirror)" "$@"
