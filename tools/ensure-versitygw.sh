#!/usr/bin/env bash
# Make sure the versitygw S3 gateway at the pinned version is built; print its path.
#
# versitygw (Apache-2.0) serves a POSIX directory as S3: top-level directories are buckets.
# The tests and `make s3` use it as the real S3 server on 127.0.0.1.
# Pin: v1.8.0. Built from the module source (see pycnb_go_module in lib.sh for why not
# `go install pkg@version`), static and stripped; kept in $PYCNB_CACHE/versitygw/.
#
# Env: PYCNB_VERSITYGW_VERSION (override the pin), PYCNB_CACHE.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/lib.sh
. "$here/lib.sh"

version="${PYCNB_VERSITYGW_VERSION:-1.8.0}"
cached="$PYCNB_CACHE/versitygw/versitygw-$version"

if [ -x "$cached" ] && "$cached" --version >/dev/null 2>&1; then
    echo "$cached"
    exit 0
fi

pycnb_find_go
start="$(pycnb_now)"
pycnb_log "downloading github.com/versity/versitygw@v$version"
pycnb_go_module "github.com/versity/versitygw@v$version"
pycnb_log "building versitygw $version with $(go env GOVERSION) (a few minutes, once)"
mkdir -p "$(dirname "$cached")"
(cd "$GOMOD_DIR" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X main.Version=v$version -X main.Build=${GOMOD_COMMIT:-unknown} -X main.BuildTime=${GOMOD_TIME:-unknown}" \
    -o "$cached.tmp" ./cmd/versitygw) >&2
mv -f "$cached.tmp" "$cached"
pycnb_log "built versitygw in $(pycnb_elapsed "$start")"
echo "$cached"
