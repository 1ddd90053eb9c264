#!/usr/bin/env bash
# Put the CPython release tarballs of the catalog into the local mirror:
#   $PYCNB_CACHE/mirror/www.python.org/ftp/python/<ver>/Python-<ver>.tgz|.tar.xz
# from Debian's python3.X source packages (their .orig tarballs are python.org's files),
# checked against the signed Sources index and the catalog's sha256: see cpython_sources.py.
#
# Usage: fetch-cpython-sources.sh [VERSION...]   (default: every catalog version Debian carries)
# Prints "<sha256>  <path>" for each tarball the mirror holds.
set -euo pipefail
. "$(dirname "$0")/common.sh"
exec "${PYTHON:-python3}" "$MIRROR_SCRIPTS/cpython_sources.py" --catalog "$CPYTHON_CATALOG" \
    --mirror "$MIRROR_ROOT" --apt-dir "$PYCNB_CACHE/apt-cpython" --archive "$(debian_mirror)" "$@"
