#!/usr/bin/env bash
# Downloads wheels (with dependencies) from the index pip is configured for into
# $PYCNB_CACHE/wheels/<name>, once: tests and benchmarks then serve them on 127.0.0.1.
#   fetch-wheels.sh NAME REQUIREMENT...      prints the directory
set -euo pipefail
name=${1:?usage: fetch-wheels.sh NAME REQUIREMENT...}; shift
dest="${PYCNB_CACHE:-$HOME/.cache/pycnb}/wheels/$name"
want=$(printf '%s\n' "$@" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$dest/.stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$dest" && mkdir -p "$dest"
    echo "fetching wheels for $name: $*" >&2
    PIP_ROOT_USER_ACTION=ignore python3 -m pip download --quiet --disable-pip-version-check \
        --only-binary=:all: --python-version 3.11 --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 --platform any \
        --dest "$dest" "$@" >&2
    echo "$want" > "$dest/.stamp"
fi
echo "$dest"
