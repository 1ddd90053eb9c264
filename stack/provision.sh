#!/bin/bash
# Runs INSIDE a throw-away container of the debootstrapped minbase rootfs (started by
# stack/build.sh), as root: installs one image's packages, adds the CNB user, strips the
# image. Doing this in a container rather than a chroot lets Docker provide /proc, /dev
# and DNS, and leaves nothing mounted on the host if it fails.
#
# Usage: provision.sh PACKAGE-LIST-FILE
# Env:   PYCNB_APT_SOURCES  newline-separated "URI SUITE" lines (from the host's apt config)
#        PYCNB_CNB_UID / PYCNB_CNB_GID (default 1000)
set -euo pipefail

pkg_file="$1"
uid="${PYCNB_CNB_UID:-1000}"
gid="${PYCNB_CNB_GID:-1000}"
log() { printf '[provision] %s (+%ss)\n' "$*" "$SECONDS" >&2; }

export DEBIAN_FRONTEND=noninteractive

# apt and maintainer scripts are chatty; keep their output in a file and show its tail
# only when a step fails, so the build log stays one line per step.
quiet() {
    if ! "$@" >/tmp/pycnb-step.log 2>&1; then
        tail -n 30 /tmp/pycnb-step.log >&2
        log "FAILED: $*"
        exit 1
    fi
}

# Keep docs, man pages, info and translations out of every package installed from now on
# (copyright files stay: they are the licence notices).
cat >/etc/dpkg/dpkg.cfg.d/90pycnb-nodoc <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
path-exclude=/usr/share/linda/*
EOF

# No fsync per unpacked file while we build the image (a crash just means a rebuild);
# several times faster on overlayfs. Removed again before the image is saved.
echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/00pycnb-unsafe-io

# Lean by default for anyone who apt-gets in the image later, too.
cat >/etc/apt/apt.conf.d/90pycnb <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
EOF

# Sources: only `main` (free software), from the mirrors the host itself uses.
: >/etc/apt/sources.list
while read -r uri suite; do
    [ -n "${uri:-}" ] && printf 'deb %s %s main\n' "$uri" "$suite" >>/etc/apt/sources.list
done <<<"$PYCNB_APT_SOURCES"
log "apt sources: $(tr '\n' ';' </etc/apt/sources.list)"

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]\+//g' "$pkg_file" | grep -v '^$')
log "apt-get update"
# The archives dir is a host cache mounted by build.sh; downloading as root avoids the
# _apt sandbox warning about a directory it does not own.
apt_opts=(-o APT::Sandbox::User=root -o APT::Keep-Downloaded-Packages=true -o Dpkg::Use-Pty=0)
quiet apt-get "${apt_opts[@]}" update

# A line "a|b" names the same library under each release's name (libicu72 on bookworm,
# libicu76 on trixie): the first this release can install wins. (t64 renames need no
# such line: the new package Provides the old name, and apt installs its only provider.)
pkgs=()
for w in "${wanted[@]}"; do
    if [[ "$w" != *"|"* ]]; then pkgs+=("$w"); continue; fi
    pick=""
    IFS='|' read -r -a alts <<<"$w"
    for a in "${alts[@]}"; do
        if apt-get -s -qq install "$a" >/dev/null 2>&1; then pick="$a"; break; fi
    done
    [ -n "$pick" ] || { log "FAILED: none of '$w' is installable on this release"; exit 1; }
    pkgs+=("$pick")
done
log "apt-get dist-upgrade (point-release, -updates and -security fixes)"
quiet apt-get "${apt_opts[@]}" -y -o Dpkg::Options::=--force-confold dist-upgrade
log "apt-get install ${#pkgs[@]} packages: ${pkgs[*]}"
quiet apt-get "${apt_opts[@]}" -y --no-install-recommends install "${pkgs[@]}"

# Non-root user the lifecycle runs as (CNB_USER_ID/CNB_GROUP_ID in the image env).
if ! getent group "$gid" >/dev/null; then groupadd -g "$gid" cnb; fi
if ! getent passwd "$uid" >/dev/null; then
    useradd -u "$uid" -g "$gid" -m -d /home/cnb -s /bin/bash cnb
fi
log "user: $(getent passwd "$uid")"

log "stripping apt lists, logs, docs, man pages, locales"
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old \
    /var/lib/dpkg/*-old /var/log/apt /var/log/*.log /tmp/* /var/tmp/* /root/.cache
find /usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find /usr/share/doc -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf /usr/share/man/* /usr/share/info/* /usr/share/lintian /usr/share/linda
find /usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true
rm -f /etc/dpkg/dpkg.cfg.d/00pycnb-unsafe-io
ldconfig
log "done: $(dpkg-query -W | wc -l) packages, $(du -sxh / 2>/dev/null | cut -f1) on disk"
