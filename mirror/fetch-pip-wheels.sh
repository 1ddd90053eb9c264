#!/usr/bin/env bash
# Put the pip wheels of the pip buildpack's catalog into the local mirror (see pip_wheels.py).
set -euo pipefail
. "$(dirname "$0")/common.sh"
exec "${PYTHON:-python3}" "$MIRROR_SCRIPTS/pip_wheels.py" --catalog "$MIRROR_SCRIPTS/../buildpacks/pip/buildpack.toml" \
    --mirror "$MIRROR_ROOT"
