#!/usr/bin/env bash
# Installs libbuild's pinned third-party libraries into $1 (pure Python only), idempotently.
set -euo pipefail
dest=${1:?usage: vendor.sh DEST}
here=$(cd "$(dirname "$0")/.." && pwd)
stamp="$dest/.vendor-stamp"
want=$(cat "$here/libbuild/vendor.txt" "$here/libbuild/vendor-binary.txt" "$0" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
rm -rf "${dest:?}" && mkdir -p "$dest"
export PIP_ROOT_USER_ACTION=ignore
pip=(python3 -m pip install --quiet --disable-pip-version-check --no-compile --no-deps --target "$dest")
# Pure wheels only, chosen for the oldest interpreter we support.
"${pip[@]}" --only-binary=:all: --platform any --python-version 3.9 --implementation py -r "$here/libbuild/vendor.txt"
"${pip[@]}" --only-binary=:all: -r "$here/libbuild/vendor-binary.txt"
find "$dest" -name '*.so' -delete
rm -rf "${dest:?}/bin" "${dest:?}/_yaml"
echo "$want" > "$stamp"
