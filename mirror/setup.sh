#!/usr/bin/env bash
# One entry point for the local dependency mirror used by the tests:
#   1. fetch the CPython source tarballs of the catalog that Debian carries (.orig tarballs),
#   2. fetch the pip wheels of the pip buildpack's catalog,
#   3. compile the prebuilt CPythons the tests use in the build image (once each; cached),
#      and the trixie smoke tests' one in pycnb/build:trixie when that image exists,
#   3b. R: its source, the prebuilt R, the miniCRAN repositories (minicran.sh),
#   4. write the extra dependency catalogs (cpython.toml, r.toml),
#   5. serve $PYCNB_MIRROR_ROOT (default $PYCNB_CACHE/mirror) on 127.0.0.1:$PYCNB_MIRROR_PORT,
#   6. prepare a ca-certificates binding from the host's extra CAs (ca-binding.sh).
# Idempotent. Progress goes to stderr; stdout carries only the settings a
# build needs, one per line:
#   BP_DEPENDENCY_MIRROR=http://127.0.0.1:<port>/{originalHost}
#   BP_DEPENDENCY_CATALOG=http://127.0.0.1:<port>/catalog/cpython.toml,http://127.0.0.1:<port>/catalog/r.toml
#   BP_R_REPOS=http://127.0.0.1:<port>/cran            the miniCRAN source repository (minicran.sh)
#   BP_CPYTHON_DEFAULT_VERSION=<line>   only when the cpython default line's source cannot be
#                                       fetched here (catalog/platform.env; see catalog.py)
#   --volume <cache>/ca-certificates:/platform/bindings/ca-certificates:ro
# The build image ($PYCNB_BUILD_IMAGE, default pycnb/build:bookworm) must exist.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# The default line (3.14) and every other line an integration app pins, so `make test` builds
# them from prebuilts; 3.11.2 is the conda channel's python (mirror/conda_channel.py). One
# air-gapped test still compiles 3.11.2 inside pack build (it is given no prebuilt catalog).
PREBUILT_VERSIONS="${PYCNB_PREBUILT_VERSIONS:-3.14.8 3.9.2 3.11.2 3.13.15 3.15.0}"

command -v docker >/dev/null || die "docker is not installed"
docker image inspect "$PYCNB_BUILD_IMAGE" >/dev/null 2>&1 ||
  die "build image $PYCNB_BUILD_IMAGE not found: build the stack first (make stack), then rerun $0"

"$MIRROR_SCRIPTS/fetch-cpython-sources.sh" >&2
"$MIRROR_SCRIPTS/fetch-pip-wheels.sh" >&2
for v in $PREBUILT_VERSIONS; do
  if [ ! -f "$(cpython_source_path "$v")" ]; then
    log "WARNING: no prebuilt CPython $v: its source is not available here (see above)"
    continue
  fi
  "$MIRROR_SCRIPTS/build-prebuilt.sh" "$v" >&2
done
# Prebuilts for the trixie stack (Debian 13; named ..._debian_13.tgz): only the release its
# smoke tests build on (a compile costs 6-12 minutes). 3.13.15 stands in for the default line
# on this mirror (catalog.py) and is Debian 13's own line. Skipped without the trixie build
# image (make stack DISTRO=trixie; `make integration` builds it).
TRIXIE_BUILD_IMAGE="${PYCNB_TRIXIE_BUILD_IMAGE:-pycnb/build:trixie}"
if docker image inspect "$TRIXIE_BUILD_IMAGE" >/dev/null 2>&1; then
  for v in ${PYCNB_PREBUILT_VERSIONS_TRIXIE:-3.13.15}; do
    [ -f "$(cpython_source_path "$v")" ] || { log "WARNING: no trixie prebuilt CPython $v: its source is not available here"; continue; }
    PYCNB_BUILD_IMAGE="$TRIXIE_BUILD_IMAGE" PYCNB_RUN_IMAGE="${PYCNB_TRIXIE_RUN_IMAGE:-}" "$MIRROR_SCRIPTS/build-prebuilt.sh" "$v" >&2
  done
else
  log "no $TRIXIE_BUILD_IMAGE: no trixie prebuilts (make stack DISTRO=trixie, then rerun $0)"
fi
# R (issue 11): CRAN's R source from Debian, the prebuilt R, the miniCRAN source and binary
# repositories of the plumber closure (minicran.sh; compiled once, cached).
"$MIRROR_SCRIPTS/minicran.sh" >&2
"${PYTHON:-python3}" "$MIRROR_SCRIPTS/catalog.py" --mirror "$MIRROR_ROOT" --port "$MIRROR_PORT" \
  --cpython-buildpack "$CPYTHON_CATALOG" >&2
"$MIRROR_SCRIPTS/serve.sh" >&2
# The conda channel, py-rattler and the conda binding (prints a --volume line).
"$MIRROR_SCRIPTS/conda-setup.sh"
ca_binding=$("$MIRROR_SCRIPTS/ca-binding.sh")

printf 'BP_DEPENDENCY_MIRROR=http://127.0.0.1:%s/{originalHost}\n' "$MIRROR_PORT"
printf 'BP_DEPENDENCY_CATALOG=http://127.0.0.1:%s/catalog/cpython.toml,http://127.0.0.1:%s/catalog/r.toml\n' "$MIRROR_PORT" "$MIRROR_PORT"
printf 'BP_R_REPOS=http://127.0.0.1:%s/cran\n' "$MIRROR_PORT"
printf -- '--volume %s:/platform/bindings/ca-certificates:ro\n' "$ca_binding"
# Platform defaults this mirror needs (see catalog.py): empty when the default line is served.
cat "$MIRROR_ROOT/catalog/platform.env"
