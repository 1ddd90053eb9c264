#!/usr/bin/env bash
# A real OCI registry (CNCF Distribution) on 127.0.0.1:$PYCNB_REGISTRY_PORT (default 5042),
# storage in $PYCNB_CACHE/registry/data. Idempotent: a registry already answering on the port
# that this cache started (its pid file, serving its config) is left running; any other fails.
# stdout: REGISTRY=127.0.0.1:<port> (nothing else).
# Docker and pack treat loopback registries as plain HTTP, so no certificate is needed.
#
# Usage: tools/registry.sh [--stop]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/lib.sh
. "$here/lib.sh"
PYCNB_LOG_TAG=registry

port="${PYCNB_REGISTRY_PORT:-5042}"
root="$PYCNB_CACHE/registry"
run_dir="$PYCNB_CACHE/run"
pid_file="$run_dir/registry-$port.pid"
log_file="$run_dir/registry-$port.log"
config="$root/config-$port.yml"
url="http://127.0.0.1:$port/v2/"

answers() { curl -fsS -o /dev/null --max-time 3 "$url" 2>/dev/null; }

# The registry on the port is ours when the process in our pid file is alive and serves our
# config (hence our storage): a registry started from another cache directory would answer
# with manifests that are not there.
ours() {
    local pid
    pid="$(cat "$pid_file" 2>/dev/null)" || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$config"
}

stop() {
    if [ -f "$pid_file" ]; then
        pid="$(cat "$pid_file")"
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q registry "/proc/$pid/cmdline" 2>/dev/null; then
            kill "$pid" && pycnb_log "stopped registry (pid $pid)"
        fi
        rm -f "$pid_file"
    fi
}

if [ "${1:-}" = "--stop" ]; then
    stop
    exit 0
fi

if answers; then
    ours || pycnb_die "a registry this cache did not start (not serving $root/data) answers on $url; stop it or set PYCNB_REGISTRY_PORT"
    pycnb_log "registry already answers at $url"
else
    bin="$("$here/ensure-registry.sh")"
    mkdir -p "$root/data" "$run_dir"
    cat >"$config" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $root/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$port
YAML
    stop
    pycnb_log "starting registry at $url (log: $log_file)"
    setsid nohup "$bin" serve "$config" </dev/null >>"$log_file" 2>&1 &
    printf '%s\n' "$!" >"$pid_file"
    for _ in $(seq 1 100); do
        answers && break
        kill -0 "$(cat "$pid_file")" 2>/dev/null || { tail -n 5 "$log_file" >&2; pycnb_die "registry exited"; }
        sleep 0.1
    done
    answers || { tail -n 5 "$log_file" >&2; pycnb_die "registry did not answer at $url"; }
fi
printf 'REGISTRY=127.0.0.1:%s\n' "$port"
