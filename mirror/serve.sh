#!/usr/bin/env bash
# Make sure the local mirror serves $PYCNB_CACHE/mirror on
# http://127.0.0.1:$PYCNB_MIRROR_PORT/ (default 8642).
#
# A marker file in the mirror root identifies it: when the server on the port
# answers with this marker, it is left running. Otherwise a detached
# `python3 -m http.server --bind 127.0.0.1` is started (pid file and log in
# $PYCNB_CACHE/run/) and the script waits until it answers.
#
# Usage: serve.sh [--stop]
set -euo pipefail
. "$(dirname "$0")/common.sh"

PYTHON="${PYTHON:-python3}"
run_dir="$PYCNB_CACHE/run"
pid_file="$run_dir/mirror-$MIRROR_PORT.pid"
log_file="$run_dir/mirror-$MIRROR_PORT.log"
marker_name="pycnb-mirror.txt"
marker="$MIRROR_ROOT/$marker_name"
url="http://127.0.0.1:$MIRROR_PORT"

mkdir -p "$MIRROR_ROOT" "$run_dir"
expected="pycnb mirror $(cd "$MIRROR_ROOT" && pwd -P)"
[ "$(cat "$marker" 2>/dev/null || true)" = "$expected" ] || printf '%s\n' "$expected" >"$marker"

# probe: 0 = our mirror answers, 1 = nothing answers, 2 = something else answers
probe() {
  "$PYTHON" - "$url/$marker_name" "$expected" <<'EOF'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=3) as r:
        body = r.read().decode("utf-8", "replace").strip()
except urllib.error.HTTPError:
    sys.exit(2)
except Exception:
    sys.exit(1)
sys.exit(0 if body == sys.argv[2] else 2)
EOF
}

stop() {
  if [ -f "$pid_file" ]; then
    pid="$(cat "$pid_file")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q http.server "/proc/$pid/cmdline" 2>/dev/null; then
      kill "$pid" && log "stopped mirror server (pid $pid)"
    fi
    rm -f "$pid_file"
  fi
}

if [ "${1:-}" = "--stop" ]; then
  stop
  exit 0
fi

status=0
probe || status=$?
case "$status" in
  0) log "mirror already serving $MIRROR_ROOT at $url"; exit 0 ;;
  2) die "something else answers on $url (not this mirror: $MIRROR_ROOT); set PYCNB_MIRROR_PORT or stop it" ;;
esac

stop # a stale server of ours, if any
log "starting mirror server for $MIRROR_ROOT at $url (log: $log_file)"
# Not a process group leader (no job control), so setsid does not fork and $!
# is the server's pid; setsid + nohup detach it from this script's terminal.
setsid nohup "$PYTHON" -m http.server --bind 127.0.0.1 --directory "$MIRROR_ROOT" "$MIRROR_PORT" \
  </dev/null >>"$log_file" 2>&1 &
pid=$!
printf '%s\n' "$pid" >"$pid_file"

for _ in $(seq 1 100); do
  status=0
  probe || status=$?
  [ "$status" = 0 ] && { log "mirror server up (pid $pid)"; exit 0; }
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
tail -n 5 "$log_file" >&2 || true
die "mirror server did not come up on $url (see $log_file)"
