#!/usr/bin/env bash
# Build the CNB lifecycle from its Go module and package it the way pack expects for
# builder.toml `[lifecycle] uri`; print the tarball's path on stdout.
#
# Offline, pack cannot download a lifecycle release, so we build one: the tarball holds
#   lifecycle.toml                 descriptor: [apis] supported/deprecated, [api], [lifecycle] version
#   lifecycle/lifecycle            the multi-call binary
#   lifecycle/launcher             separate small binary, copied into app images
#   lifecycle/{detector,analyzer,restorer,builder,exporter,rebaser,creator,extender}
#                                  symlinks to `lifecycle` (pack checks that they exist)
# This mirrors the lifecycle's own Makefile and tools/packager.
#
# The pin lives in tools/versions.env (with how to move it). The lifecycle's go.mod has no
# `replace` directive, but we build inside the downloaded module all the same: one way for
# both tools, and the module's own api/apis.go is at hand for the descriptor.
#
# Env: PYCNB_LIFECYCLE_VERSION (override the pin), PYCNB_CACHE.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/lib.sh
. "$here/lib.sh"
# shellcheck source=tools/versions.env
. "$here/versions.env"

version="${PYCNB_LIFECYCLE_VERSION:-$PYCNB_LIFECYCLE_PIN}"
version="${version#v}"
outdir="$PYCNB_CACHE/lifecycle"
out="$outdir/lifecycle-v$version+linux.x86-64.tgz"
phases="detector analyzer restorer builder exporter rebaser creator extender"

tarball_ok() {
    [ -s "$1" ] || return 1
    local listing
    listing="$(tar -tzf "$1" 2>/dev/null)" || return 1
    local f
    for f in lifecycle.toml lifecycle/lifecycle lifecycle/launcher lifecycle/launcher.sbom.cdx.json; do
        grep -qx "$f" <<<"$listing" || return 1
    done
    tar -xzOf "$1" lifecycle.toml | grep -q "^ *version = \"$version\"" || return 1
}

if tarball_ok "$out"; then
    pycnb_log "lifecycle $version already packaged; nothing to do"
    printf '%s\n' "$out"
    exit 0
fi

pycnb_find_go
start="$(pycnb_now)"
mod="github.com/buildpacks/lifecycle@v$version"
pycnb_log "downloading $mod"
pycnb_go_module "$mod"
src="$GOMOD_DIR"
commit="$GOMOD_COMMIT"

stage="$(mktemp -d "${TMPDIR:-/tmp}/pycnb-lifecycle.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lifecycle"

pycnb_log "building lifecycle and launcher $version with $(go env GOVERSION)"
# Static, stripped and version-stamped like the lifecycle's Makefile; the lifecycle
# refuses nothing without the stamp, but `lifecycle -version` and image labels use it.
ldflags="-s -w -X github.com/buildpacks/lifecycle/cmd.Version=$version"
ldflags+=" -X github.com/buildpacks/lifecycle/cmd.SCMRepository=github.com/buildpacks/lifecycle"
[ -n "$commit" ] && ldflags+=" -X github.com/buildpacks/lifecycle/cmd.SCMCommit=${commit:0:7}"
(cd "$src" && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags "$ldflags" \
    -o "$stage/lifecycle/" ./cmd/lifecycle ./cmd/launcher) >&2

got="$("$stage/lifecycle/lifecycle" -version)"
# It prints "<version>+<commit>" when the commit is stamped.
[ "${got%%+*}" = "$version" ] || pycnb_die "built lifecycle reports version '$got', want $version"
for p in $phases; do
    ln -s lifecycle "$stage/lifecycle/$p"
done

# SBOMs of both binaries: the exporter copies /cnb/lifecycle/*.sbom.* into every app
# image and warns six times per build when they are missing.
for b in lifecycle launcher; do
    python3 "$here/go-sbom.py" "$(command -v go)" "$stage/lifecycle/$b" github.com/buildpacks/lifecycle \
        "$version" "${GOMOD_TIME:-1980-01-01T00:00:01Z}" "$stage/lifecycle/$b"
done

# The supported API lists come from the module's own api/apis.go, so the descriptor can
# never claim an API the binary does not speak.
apis_list() { # $1 = Platform|Buildpack, $2 = 1 (supported) or 2 (deprecated)
    local line
    line="$(grep -E "^[[:space:]]*$1[[:space:]]*=[[:space:]]*newApisMustParse\(" "$src/api/apis.go")" \
        || pycnb_die "cannot find the $1 API list in $src/api/apis.go"
    sed -E "s/.*newApisMustParse\\(\\[\\]string\\{([^}]*)\\}, *\\[\\]string\\{([^}]*)\\}\\).*/\\$2/" <<<"$line" \
        | sed -E 's/^ *//; s/ *$//'
}
bp_sup="$(apis_list Buildpack 1)"; bp_dep="$(apis_list Buildpack 2)"
pf_sup="$(apis_list Platform 1)"; pf_dep="$(apis_list Platform 2)"
grep -q '"0.11"' <<<"$bp_sup" || pycnb_die "lifecycle $version does not support Buildpack API 0.11 (has: $bp_sup)"
first() { sed -E 's/^"([^"]*)".*/\1/' <<<"$1"; }

cat >"$stage/lifecycle.toml" <<EOF
[apis]
[apis.buildpack]
  deprecated = [$bp_dep]
  supported = [$bp_sup]
[apis.platform]
  deprecated = [$pf_dep]
  supported = [$pf_sup]

# For backwards compatibility the minimum supported APIs are provided in RFC-0011 format
[api]
  platform = "$(first "$pf_sup")"
  buildpack = "$(first "$bp_sup")"

[lifecycle]
  version = "$version"
  sbom-formats = ["application/vnd.cyclonedx+json", "application/spdx+json", "application/vnd.syft+json"]
EOF

mkdir -p "$outdir"
# Deterministic archive: fixed order, owner and mtime, gzip without a timestamp, so the
# same version always yields the same bytes (and builder layer digests stay stable).
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime='1980-01-01 00:00:01Z' \
    -cf - lifecycle.toml lifecycle | gzip -n -9 >"$out.tmp"
mv -f "$out.tmp" "$out"
(cd "$outdir" && sha256sum "$(basename "$out")" >"$(basename "$out").sha256")
tarball_ok "$out" || pycnb_die "packaged $out looks wrong"
pycnb_log "packaged lifecycle $version in $(pycnb_elapsed "$start"): $out"
printf '%s\n' "$out"
