# Shared helpers for the tools/ and stack/ scripts. Source it; do not run it.
# shellcheck shell=bash

# Large artifacts (Go builds, rootfs tarballs, the lifecycle tarball, the docker log)
# live outside the repo so a fresh clone stays small and a second run is fast.
PYCNB_CACHE="${PYCNB_CACHE:-$HOME/.cache/pycnb}"
export PYCNB_CACHE

# One line per step on stderr, so stdout stays free for values a caller captures.
pycnb_log() {
    printf '[%s] %s\n' "${PYCNB_LOG_TAG:-$(basename "$0" .sh)}" "$*" >&2
}

pycnb_die() {
    pycnb_log "ERROR: $*"
    exit 1
}

# Seconds since the epoch with sub-second precision, for step timings.
pycnb_now() {
    date +%s.%N
}

pycnb_elapsed() {
    awk -v a="$1" -v b="$(pycnb_now)" 'BEGIN { printf "%.1fs", b - a }'
}

# Install Debian packages that are missing, running `apt-get update` once first:
# on a new machine the package lists may be absent or stale.
pycnb_apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
            missing+=("$pkg")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || pycnb_die "need root to apt-get install ${missing[*]}"
    mkdir -p "$PYCNB_CACHE"
    local log="$PYCNB_CACHE/apt-get.log"
    pycnb_log "apt-get install ${missing[*]} (log: $log)"
    # apt and maintainer scripts are chatty: keep their output in a log, show it on failure.
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } \
        >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        pycnb_die "apt-get install ${missing[*]} failed (log: $log)"
    fi
}

# Find a Go toolchain (the machine image ships one in /usr/local/go) and put it on PATH.
# 1.24 is only a floor for downloading modules: the pinned modules' go.mod `go` lines set the
# real minimum (tools/versions.env names them), and an older go stops with "go.mod requires
# go >= X" when it builds them.
pycnb_find_go() {
    local d
    for d in "$(dirname "$(command -v go 2>/dev/null || echo /nonexistent/go)")" /usr/local/go/bin "$HOME/go/bin" /usr/lib/go/bin; do
        if [ -x "$d/go" ]; then
            case ":$PATH:" in *":$d:"*) ;; *) PATH="$d:$PATH" ;; esac
            export PATH
            local v
            v="$(go env GOVERSION 2>/dev/null || true)"
            v="${v#go}"
            if [ "$(printf '%s\n' "1.24" "${v%%[a-z]*}" | sort -V | head -n1)" = "1.24" ]; then
                return 0
            fi
            pycnb_log "ignoring $d/go: version '$v' is older than 1.24"
        fi
    done
    pycnb_die "no Go toolchain >= 1.24 found (looked on PATH and in /usr/local/go/bin); install Go first"
}

# `go mod download` a module at an exact version and set GOMOD_DIR (its read-only source
# dir), GOMOD_COMMIT (VCS commit, may be empty) and GOMOD_TIME (commit time, RFC 3339).
# `go install pkg@version` cannot be used: it looks up deprecation notices through the
# proxy's version *list*, which the proxy here refuses (403), and later pack versions
# carry `replace` directives that `go install pkg@version` rejects anyway.
pycnb_go_module() {
    local mod="$1" json info
    json="$(cd / && go mod download -json "$mod")" || pycnb_die "go mod download $mod failed"
    GOMOD_DIR="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")"
    GOMOD_COMMIT="$(sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{40\}\)",\{0,1\}$/\1/p' <<<"$json" | head -n1)"
    info="$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",$/\1/p' <<<"$json")"
    GOMOD_TIME="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info" 2>/dev/null || true)"
    if [ -z "$GOMOD_DIR" ] || [ ! -d "$GOMOD_DIR" ]; then
        pycnb_die "go mod download $mod gave no source dir"
    fi
    export GOMOD_DIR GOMOD_COMMIT GOMOD_TIME
}
