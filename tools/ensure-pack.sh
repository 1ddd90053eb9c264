#!/usr/bin/env bash
# Make sure `pack` at the pinned version is installed (default /usr/local/bin/pack).
#
# The pin lives in tools/versions.env (with how to move it). Since v0.36 pack's go.mod
# carries a `replace` directive, which `go install pkg@version` rejects, so we download the
# module and build inside a writable copy of it, as pack's own Makefile does.
#
# Other builds may be running `pack` while this script works: the new binary is built and
# checked in the cache first and only then renamed over the installed one (an atomic swap),
# so the old pack keeps working until the new one is ready.
#
# Env: PYCNB_PACK_VERSION (override the pin), PYCNB_BIN_DIR (default /usr/local/bin),
#      PYCNB_CACHE (the built binary is kept in $PYCNB_CACHE/pack/ for quick reinstalls).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/lib.sh
. "$here/lib.sh"
# shellcheck source=tools/versions.env
. "$here/versions.env"

version="${PYCNB_PACK_VERSION:-$PYCNB_PACK_PIN}"
version="${version#v}"
bindir="${PYCNB_BIN_DIR:-/usr/local/bin}"
cached="$PYCNB_CACHE/pack/pack-$version"

# `pack version` prints "<version>" or "<version>+git-<commit>".
reports() { "$1" version 2>/dev/null | head -n1 | sed 's/+.*//'; }

if [ -x "$bindir/pack" ] && [ "$(reports "$bindir/pack")" = "$version" ]; then
    pycnb_log "pack $version already installed ($bindir/pack); nothing to do"
    exit 0
fi
[ -x "$bindir/pack" ] && pycnb_log "$bindir/pack reports '$(reports "$bindir/pack")', want $version"

if [ ! -x "$cached" ] || [ "$(reports "$cached")" != "$version" ]; then
    pycnb_find_go
    start="$(pycnb_now)"
    pycnb_log "downloading github.com/buildpacks/pack@v$version"
    pycnb_go_module "github.com/buildpacks/pack@v$version"
    work="$(mktemp -d "${TMPDIR:-/tmp}/pycnb-pack.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    # The module cache is read-only; a copy lets the go command write go.sum if it must.
    cp -R "$GOMOD_DIR" "$work/src"
    chmod -R u+w "$work/src"
    # The main package moved from ./cmd/pack to the module root over the releases, and so
    # did the version variable; the linker ignores an -X for a symbol that does not exist.
    pkg=.
    [ -d "$work/src/cmd/pack" ] && pkg=./cmd/pack
    ldflags="-s -w -X github.com/buildpacks/pack/pkg/client.Version=$version"
    ldflags+=" -X github.com/buildpacks/pack.Version=$version"
    pycnb_log "building pack $version with $(go env GOVERSION)"
    mkdir -p "$(dirname "$cached")"
    # Static and stripped like pack's Makefile.
    (cd "$work/src" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$work/pack" "$pkg") >&2
    got="$(reports "$work/pack")"
    [ "$got" = "$version" ] || pycnb_die "built pack reports version '$got', want $version"
    mv -f "$work/pack" "$cached.tmp"
    mv -f "$cached.tmp" "$cached"
    pycnb_log "built pack in $(pycnb_elapsed "$start")"
fi

mkdir -p "$bindir"
# Copy next to the target (same file system), then rename: running builds keep the old
# binary open, new invocations get the new one, nobody sees a half-written file.
staged="$(mktemp "$bindir/.pack.XXXXXX")"
install -m 0755 "$cached" "$staged"
mv -f "$staged" "$bindir/pack"
pycnb_log "installed $bindir/pack ($("$bindir/pack" version))"

# A different pack earlier on PATH would shadow the one we installed.
if [ "$(command -v pack)" != "$bindir/pack" ]; then
    pycnb_log "WARNING: $(command -v pack || echo 'no pack') comes first on PATH, not $bindir/pack"
fi
