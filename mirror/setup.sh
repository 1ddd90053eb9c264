#!/usr/bin/env bash
# One entry point for the local dependency mirror used by the tests:
#   1. fetch the CPython source tarballs (Debian .orig tarballs),
#   2. compile the prebuilt CPython 3.11.2 in the build image (once; cached),
#   3. write the extra dependency catalog,
#   4. serve $PYCNB_CACHE/mirror on 127.0.0.1:$PYCNB_MIRROR_PORT,
#   5. prepare a ca-certificates binding from the host's extra CAs (ca-binding.sh).
# Idempotent. Progress goes to stderr; stdout carries only what a build needs, one
# item per line: a KEY=VALUE setting (for `pack build --env`) or a pack argument
# starting with `--`:
#   BP_DEPENDENCY_MIRROR=http://127.0.0.1:<port>/{originalHost}
#   BP_DEPENDENCY_CATALOG=http://127.0.0.1:<port>/catalog/cpython.toml
#   --volume <cache>/ca-certificates:/platform/bindings/ca-certificates:ro
# The build image ($PYCNB_BUILD_IMAGE, default pycnb/build:bookworm) must exist.
set -euo pipefail
. "$(dirname "$0")/common.sh"

PREBUILT_VERSIONS="3.11.2" # 3.13.5 stays source-only: the buildpack compiles it

command -v docker >/dev/null || die "docker is not installed"
docker image inspect "$PYCNB_BUILD_IMAGE" >/dev/null 2>&1 ||
  die "build image $PYCNB_BUILD_IMAGE not found: build the stack first (make stack), then rerun $0"

"$MIRROR_SCRIPTS/fetch-cpython-sources.sh" >&2
for v in $PREBUILT_VERSIONS; do
  "$MIRROR_SCRIPTS/build-prebuilt.sh" "$v" >&2
done
"${PYTHON:-python3}" "$MIRROR_SCRIPTS/catalog.py" --mirror "$MIRROR_ROOT" --port "$MIRROR_PORT" >&2
"$MIRROR_SCRIPTS/serve.sh" >&2
# The conda channel, py-rattler and the conda binding (prints a --volume line).
"$MIRROR_SCRIPTS/conda-setup.sh"
ca_binding=$("$MIRROR_SCRIPTS/ca-binding.sh")

printf 'BP_DEPENDENCY_MIRROR=http://127.0.0.1:%s/{originalHost}\n' "$MIRROR_PORT"
printf 'BP_DEPENDENCY_CATALOG=http://127.0.0.1:%s/catalog/cpython.toml\n' "$MIRROR_PORT"
printf -- '--volume %s:/platform/bindings/ca-certificates:ro\n' "$ca_binding"
