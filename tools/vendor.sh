#!/usr/bin/env bash
# Installs libbuild's pinned third-party libraries into $1 (pure Python only), idempotently.
set -euo pipefail
dest=${1:?usage: vendor.sh DEST}
here=$(cd "$(dirname "$0")/.." && pwd)
stamp="$dest/.vendor-stamp"
want=$(cat "$here/libbuild/vendor.txt" "$here/libbuild/vendor-binary.txt" "$here/libbuild/vendor-s3.txt" "$0" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
rm -rf "${dest:?}" && mkdir -p "$dest"
export PIP_ROOT_USER_ACTION=ignore
pip=(python3 -m pip install --quiet --disable-pip-version-check --no-compile --no-deps --target "$dest")
# Pure wheels only, chosen for the oldest interpreter we support.
"${pip[@]}" --only-binary=:all: --platform any --python-version 3.9 --implementation py -r "$here/libbuild/vendor.txt"
"${pip[@]}" --only-binary=:all: -r "$here/libbuild/vendor-binary.txt"
find "$dest" -name '*.so' -delete
rm -rf "${dest:?}/bin" "${dest:?}/_yaml"

# The S3 client: installed beside the rest (the source tree's launcher finds it there),
# its top-level names listed in .optional-s3 so tools/package.py ships it only to the
# buildpacks that ask for it. botocore's data is trimmed to the services S3 access
# needs: s3, sts (assume-role, web identity), sso and sso-oidc (SSO profiles), plus the
# endpoint and partition tables (from ~28 MB to ~5 MB).
s3tmp=$(mktemp -d)
trap 'rm -rf "$s3tmp"' EXIT
python3 -m pip install --quiet --disable-pip-version-check --no-compile --no-deps --target "$s3tmp" \
    --only-binary=:all: --platform any --python-version 3.9 --implementation py \
    -r "$here/libbuild/vendor-s3.txt"
rm -rf "${s3tmp:?}/bin"
for svc in "$s3tmp"/botocore/data/*/; do
    case "$(basename "$svc")" in s3|sts|sso|sso-oidc) ;; *) rm -rf "$svc" ;; esac
done
ls -A "$s3tmp" > "$dest/.optional-s3"
mv "$s3tmp"/* "$dest"/
echo "$want" > "$stamp"
