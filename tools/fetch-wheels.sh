#!/usr/bin/env bash
# Downloads wheels (with dependencies) from the index pip is configured for into
# $PYCNB_CACHE/wheels/<name>, once: tests and benchmarks then serve them on 127.0.0.1.
#   fetch-wheels.sh NAME REQUIREMENT...      prints the directory
# Binary wheels are fetched for every Python the tests build apps on ($PYCNB_WHEEL_PYTHONS):
# the lines of the test mirror's prebuilts and the catalog's default line.
set -euo pipefail
name=${1:?usage: fetch-wheels.sh NAME REQUIREMENT...}; shift
dest="${PYCNB_CACHE:-$HOME/.cache/pycnb}/wheels/$name"
pythons="${PYCNB_WHEEL_PYTHONS:-3.11 3.13 3.14}"
want=$( (printf '%s\n' "$@"; echo "pythons: $pythons") | sha256sum | cut -d' ' -f1)
if [ "$(cat "$dest/.stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$dest" && mkdir -p "$dest"
    for py in $pythons; do
        echo "fetching wheels for $name (Python $py): $*" >&2
        PIP_ROOT_USER_ACTION=ignore python3 -m pip download --quiet --disable-pip-version-check \
            --only-binary=:all: --python-version "$py" --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
            --platform any --dest "$dest" "$@" >&2
    done
    echo "$want" > "$dest/.stamp"
fi
echo "$dest"
