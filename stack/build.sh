#!/usr/bin/env bash
# Build the stack images from Debian with debootstrap and `docker import` (no registry):
#   pycnb/build:<release>  python3 for the buildpacks, compilers, -dev headers
#   pycnb/run:<release>    minimal runtime: CA certificates, tzdata, runtime libraries
#
# Steps: (1) debootstrap a minbase rootfs once (tarball cached in $PYCNB_CACHE/stack/),
# (2) import it as pycnb/stack-base, (3) per image, run stack/provision.sh in a container
# of that base (apt with the host's mirrors, .debs cached on the host), (4) flatten with
# `docker export | docker import`, adding the CNB env, user and labels.
#
# Idempotent: each image carries a content key (package list, these scripts, mirrors,
# release) in the label io.pycnb.stack.key; an image with the current key is kept.
#
# Usage: stack/build.sh [build] [run]      (default: both)
# Env:   PYCNB_DEBIAN_RELEASE (bookworm), PYCNB_DEBIAN_MIRROR / PYCNB_DEBIAN_SECURITY_MIRROR
#        (else from apt config), PYCNB_STACK_UPDATES=0 (point release only, no -updates or
#        -security), PYCNB_STACK_FORCE=1 (rebuild even if the key matches),
#        PYCNB_BUILD_IMAGE / PYCNB_RUN_IMAGE (tags), PYCNB_CACHE.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$here/../tools"
# shellcheck source=tools/lib.sh
. "$tools/lib.sh"
PYCNB_LOG_TAG=stack

release="${PYCNB_DEBIAN_RELEASE:-bookworm}"
build_image="${PYCNB_BUILD_IMAGE:-pycnb/build:$release}"
run_image="${PYCNB_RUN_IMAGE:-pycnb/run:$release}"
base_image="pycnb/stack-base:$release"
stack_id="pycnb.$release"
uid=1000
gid=1000
cache="$PYCNB_CACHE/stack"
# Bump when the debootstrap step itself changes, to force a new minbase rootfs.
minbase_rev=1

flavors=("$@")
[ "${#flavors[@]}" -gt 0 ] || flavors=(build run)
for f in "${flavors[@]}"; do
    case "$f" in build | run) ;; *) pycnb_die "unknown image '$f' (want: build, run)" ;; esac
done

total_start="$(pycnb_now)"

# --- mirrors, from the host's apt configuration ------------------------------------
mirror="$("$tools/debian-mirror.sh" "$release")"
apt_sources="$mirror $release"
if [ "${PYCNB_STACK_UPDATES:-1}" != 0 ]; then
    for s in "$release-updates" "$release-security"; do
        if u="$("$tools/debian-mirror.sh" "$s" 2>/dev/null)"; then
            apt_sources+=$'\n'"$u $s"
        else
            pycnb_log "no apt source for $s on this machine; images get no $s fixes"
        fi
    done
fi
pycnb_log "debian $release from $mirror ($(wc -l <<<"$apt_sources") suites)"

sha() { sha256sum | cut -c1-64; }
arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
minbase_key="$(printf '%s\n' "$minbase_rev" "$release" "$mirror" "$arch" | sha | cut -c1-16)"

image_key() { # $1 = flavor
    {
        printf '%s\n' "$release" "$arch" "$apt_sources" "$uid:$gid" "$minbase_key"
        cat "$here/build.sh" "$here/provision.sh" "$here/$1-packages.txt"
    } | sha | cut -c1-16
}

label_of() { # $1 = image, $2 = label; empty if the image or label is missing
    docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

# Work out what needs building before touching docker images or debootstrap.
"$tools/ensure-docker.sh"
todo=()
for f in "${flavors[@]}"; do
    img="$build_image"; [ "$f" = run ] && img="$run_image"
    if [ "${PYCNB_STACK_FORCE:-0}" != 1 ] && [ "$(label_of "$img" io.pycnb.stack.key)" = "$(image_key "$f")" ]; then
        pycnb_log "$img is up to date (key $(image_key "$f")); skipping"
    else
        todo+=("$f")
    fi
done
if [ "${#todo[@]}" -eq 0 ]; then
    pycnb_log "nothing to do ($(pycnb_elapsed "$total_start"))"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || pycnb_die "building the stack needs root (debootstrap)"
mkdir -p "$cache/debootstrap-debs" "$cache/apt-archives"

# --- 1+2. base image from a debootstrapped minbase rootfs (tarball cached) -------------
rootfs_tar="$cache/rootfs-$release-minbase-$minbase_key.tar"
if [ "$(label_of "$base_image" io.pycnb.stack.minbase-key)" != "$minbase_key" ]; then
    if [ ! -s "$rootfs_tar" ]; then
        pycnb_apt_install debootstrap debian-archive-keyring
        step="$(pycnb_now)"
        work="$(mktemp -d "${TMPDIR:-/tmp}/pycnb-rootfs.XXXXXX")"
        trap 'rm -rf "$work"' EXIT
        pycnb_log "debootstrap --variant=minbase $release (log: $cache/debootstrap.log)"
        # --cache-dir keeps the .debs, so a new rootfs (minbase_rev bump) downloads nothing.
        # ca-certificates already here so apt in the provisioning step can use https mirrors.
        if ! debootstrap --variant=minbase --components=main --arch="$arch" \
            --include=ca-certificates --cache-dir="$cache/debootstrap-debs" \
            "$release" "$work/rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1; then
            tail -n 20 "$cache/debootstrap.log" >&2
            pycnb_die "debootstrap failed; full log in $cache/debootstrap.log"
        fi
        # Drop what debootstrap copied from the host (DNS, hostname) and the device nodes:
        # Docker provides all of these at run time.
        : >"$work/rootfs/etc/resolv.conf"
        echo localhost >"$work/rootfs/etc/hostname"
        rm -rf "${work:?}/rootfs/dev/"* "$work/rootfs/var/log/bootstrap.log" "$work/rootfs/var/cache/apt/archives/"*.deb
        tar -C "$work/rootfs" --numeric-owner --xattrs -cf "$rootfs_tar.tmp" .
        mv -f "$rootfs_tar.tmp" "$rootfs_tar"
        # Older rootfs tarballs of this release are dead weight now.
        find "$cache" -maxdepth 1 -name "rootfs-$release-minbase-*.tar" ! -path "$rootfs_tar" -delete
        rm -rf "$work"
        trap - EXIT
        pycnb_log "minbase rootfs: $(du -h "$rootfs_tar" | cut -f1) in $(pycnb_elapsed "$step")"
    fi
    step="$(pycnb_now)"
    distro_version="$(tar -xOf "$rootfs_tar" ./etc/debian_version)"
    docker import \
        --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        --change "LABEL io.pycnb.stack.minbase-key=$minbase_key" \
        --change "LABEL io.pycnb.stack.debian-version=$distro_version" \
        "$rootfs_tar" "$base_image" >/dev/null
    pycnb_log "imported $base_image (debian $distro_version) in $(pycnb_elapsed "$step")"
fi
distro_version="$(label_of "$base_image" io.pycnb.stack.debian-version)"
distro_major="${distro_version%%.*}"
case "$distro_major" in
    '' | *[!0-9]*) pycnb_die "cannot tell the Debian version of $base_image (debian_version '$distro_version')" ;;
esac

# --- 3+4. provision and flatten each image ------------------------------------------
ctr=""
cleanup() { [ -z "$ctr" ] || docker rm -f "$ctr" >/dev/null 2>&1 || true; }
trap cleanup EXIT

for f in "${todo[@]}"; do
    step="$(pycnb_now)"
    img="$build_image"; desc="build image: python3, compilers and -dev headers"
    if [ "$f" = run ]; then img="$run_image"; desc="run image: minimal runtime libraries"; fi
    key="$(image_key "$f")"
    ctr="pycnb-stack-$f-$$"
    pycnb_log "provisioning $img in container $ctr"
    # --network host: apt reaches the same mirrors as the host; the engine has no bridge.
    docker run --name "$ctr" --network host \
        -e PYCNB_APT_SOURCES="$apt_sources" -e PYCNB_CNB_UID="$uid" -e PYCNB_CNB_GID="$gid" \
        -v "$here:/pycnb-stack:ro" -v "$cache/apt-archives:/var/cache/apt/archives" \
        "$base_image" bash /pycnb-stack/provision.sh "/pycnb-stack/$f-packages.txt" >&2

    # Flatten into one layer and set the image config: the CNB env (pack refuses a build
    # image without CNB_USER_ID/CNB_GROUP_ID), the non-root user, and the platform labels
    # pack and the lifecycle match buildpack [[targets]] against.
    changes=(
        --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        --change "ENV LANG=C.UTF-8"
        --change "ENV CNB_USER_ID=$uid"
        --change "ENV CNB_GROUP_ID=$gid"
        --change "USER $uid:$gid"
        --change "WORKDIR /home/cnb"
        --change 'CMD ["/bin/bash"]'
        --change "LABEL io.buildpacks.base.distro.name=debian"
        --change "LABEL io.buildpacks.base.distro.version=$distro_major"
        --change "LABEL io.buildpacks.base.id=$stack_id"
        --change "LABEL io.buildpacks.stack.id=$stack_id"
        --change "LABEL io.buildpacks.base.maintainer=pycnb"
        --change "LABEL io.buildpacks.base.description=\"pycnb $desc (Debian $release)\""
        --change "LABEL io.pycnb.stack.key=$key"
        --change "LABEL io.pycnb.stack.debian-version=$distro_version"
    )
    old_id="$(docker image inspect --format '{{.Id}}' "$img" 2>/dev/null || true)"
    # Legacy (stack-era) tools read CNB_STACK_ID in the build environment only.
    [ "$f" = build ] && changes+=(--change "ENV CNB_STACK_ID=$stack_id")
    docker export "$ctr" | docker import "${changes[@]}" - "$img" >/dev/null
    docker rm "$ctr" >/dev/null
    ctr=""
    # The replaced image is now untagged: drop it (unless a container still uses it).
    if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect --format '{{.Id}}' "$img")" ]; then
        docker rmi "$old_id" >/dev/null 2>&1 || true
    fi
    size="$(docker image inspect --format '{{.Size}}' "$img" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
    pycnb_log "built $img ($size, key $key) in $(pycnb_elapsed "$step")"
done

pycnb_log "stack done in $(pycnb_elapsed "$total_start")"
