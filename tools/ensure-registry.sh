#!/usr/bin/env bash
# Make sure the CNCF Distribution registry binary is built and print its path.
#
# Pin: github.com/distribution/distribution/v3 v3.1.1 (the module proxy here serves exact
# versions only: to move it, change the pin and check `go mod download -json <module>@<v>`).
# Built once into $PYCNB_CACHE/registry/registry-<version>; the tests and `make -s registry`
# run it on 127.0.0.1 only (tools/registry.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/lib.sh
. "$here/lib.sh"

version="${PYCNB_REGISTRY_VERSION:-3.1.1}"
bin="$PYCNB_CACHE/registry/registry-$version"

if [ ! -x "$bin" ]; then
    pycnb_find_go
    start="$(pycnb_now)"
    pycnb_log "downloading github.com/distribution/distribution/v3@v$version"
    pycnb_go_module "github.com/distribution/distribution/v3@v$version"
    mkdir -p "$(dirname "$bin")"
    pycnb_log "building registry $version with $(go env GOVERSION)"
    (cd "$GOMOD_DIR" && CGO_ENABLED=0 go build -trimpath \
        -ldflags "-s -w -X github.com/distribution/distribution/v3/version.version=v$version" \
        -o "$bin.tmp" ./cmd/registry) >&2
    mv -f "$bin.tmp" "$bin"
    pycnb_log "built registry in $(pycnb_elapsed "$start")"
fi
printf '%s\n' "$bin"
