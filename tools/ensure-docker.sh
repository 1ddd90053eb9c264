#!/usr/bin/env bash
# Make sure a Docker engine answers `docker info`; install and start one if not.
#
# pack needs a daemon. CI machines start with none and have no systemd, so we install
# Debian's docker.io and run dockerd ourselves, detached so it outlives this script.
# The engine runs with --bridge=none and no iptables: builds use --network host (or none),
# so containers never get a NATed network of their own.
#
# Env: PYCNB_CACHE (dockerd log goes to $PYCNB_CACHE/docker/dockerd.log),
#      PYCNB_DOCKER_WAIT (seconds to wait for the engine, default 60).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/lib.sh
. "$here/lib.sh"

wait_s="${PYCNB_DOCKER_WAIT:-60}"

docker_ok() {
    command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1
}

if docker_ok; then
    pycnb_log "docker engine answers; nothing to do"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || pycnb_die "docker info fails and starting dockerd needs root"

# docker.io brings dockerd, containerd, runc and a client; the machine may already have a
# newer client in /usr/local/bin, which talks to this engine by API version negotiation.
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    pycnb_apt_install docker.io
    command -v dockerd >/dev/null 2>&1 || pycnb_die "dockerd still missing after installing docker.io"
fi

# Start dockerd only if none is running: a second one would fight over /var/run/docker.pid.
pidfile=/var/run/docker.pid
running_pid=""
if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null \
    && grep -q dockerd "/proc/$(cat "$pidfile")/cmdline" 2>/dev/null; then
    running_pid="$(cat "$pidfile")"
    pycnb_log "dockerd (pid $running_pid) is running but not answering yet; waiting"
else
    logdir="$PYCNB_CACHE/docker"
    mkdir -p "$logdir"
    log="$logdir/dockerd.log"
    pycnb_log "starting dockerd --bridge=none (log: $log)"
    # setsid+nohup: own session, no controlling terminal, ignores SIGHUP, so the engine
    # survives this script, the calling shell and CI step boundaries.
    setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false \
        >>"$log" 2>&1 </dev/null &
    running_pid=$!
fi

start="$(pycnb_now)"
for _ in $(seq 1 "$wait_s"); do
    if docker_ok; then
        pycnb_log "docker engine up after $(pycnb_elapsed "$start")"
        exit 0
    fi
    if ! kill -0 "$running_pid" 2>/dev/null; then
        pycnb_die "dockerd exited; see the last lines of ${log:-its log}: $(tail -n 5 "${log:-/dev/null}" 2>/dev/null | tr '\n' ' ')"
    fi
    sleep 1
done
pycnb_die "docker engine did not answer within ${wait_s}s (dockerd pid $running_pid, log ${log:-unknown})"
