#!/usr/bin/env bash
# Make sure `pack` at the pinned version is installed (default /usr/local/bin/pack).
#
# Pin: pack v0.35.1. It speaks Platform API 0.3-0.13 (lifecycle v0.20.x offers 0.7-0.14, so
# the two agree on 0.13), understands [[targets]] and the io.buildpacks.base.* labels, and
# its Docker client negotiates down to the engine's API 1.41 (Debian bookworm's 20.10).
# Its go.mod has no `replace` directives, so it builds straight from the module source.
#
# Env: PYCNB_PACK_VERSION (override the pin), PYCNB_BIN_DIR (default /usr/local/bin),
#      PYCNB_CACHE (the built binary is kept in $PYCNB_CACHE/pack/ for quick reinstalls).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/lib.sh
. "$here/lib.sh"

version="${PYCNB_PACK_VERSION:-0.35.1}"
bindir="${PYCNB_BIN_DIR:-/usr/local/bin}"
cached="$PYCNB_CACHE/pack/pack-$version"

have="$(pack version 2>/dev/null | head -n1 || true)"
if [ "$have" = "$version" ]; then
    pycnb_log "pack $version already on PATH ($(command -v pack)); nothing to do"
    exit 0
fi
[ -n "$have" ] && pycnb_log "pack on PATH reports '$have', want $version"

if [ ! -x "$cached" ] || [ "$("$cached" version 2>/dev/null | head -n1)" != "$version" ]; then
    pycnb_find_go
    start="$(pycnb_now)"
    pycnb_log "downloading github.com/buildpacks/pack@v$version"
    pycnb_go_module "github.com/buildpacks/pack@v$version"
    pycnb_log "building pack $version with $(go env GOVERSION)"
    mkdir -p "$(dirname "$cached")"
    # Same flags as pack's Makefile: static, stripped, version stamped.
    (cd "$GOMOD_DIR" && CGO_ENABLED=0 go build -trimpath \
        -ldflags "-s -w -X github.com/buildpacks/pack.Version=$version" \
        -o "$cached.tmp" ./cmd/pack) >&2
    mv -f "$cached.tmp" "$cached"
    pycnb_log "built pack in $(pycnb_elapsed "$start")"
fi

mkdir -p "$bindir"
install -m 0755 "$cached" "$bindir/pack.tmp"
mv -f "$bindir/pack.tmp" "$bindir/pack"
pycnb_log "installed $bindir/pack ($("$bindir/pack" version))"

# A different pack earlier on PATH would shadow the one we installed.
if [ "$(command -v pack)" != "$bindir/pack" ]; then
    pycnb_log "WARNING: $(command -v pack || echo 'no pack') comes first on PATH, not $bindir/pack"
fi
