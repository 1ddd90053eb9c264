#!/usr/bin/env bash
# `make -s s3`: a real S3 server (versitygw) on 127.0.0.1 for trying s3 bindings by hand.
# Idempotent: a server this script started and that still answers is reused. Prints the
# AWS_* settings a client needs on stdout (KEY=VALUE lines), everything else on stderr.
#
# Data in $PYCNB_CACHE/s3/data (top-level directories are buckets; `pycnb` exists), the
# generated root credentials in $PYCNB_CACHE/s3/credentials, the access log beside them.
# Env: PYCNB_S3_PORT (default 8643), PYCNB_S3_BUCKET (default pycnb).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/lib.sh
. "$here/lib.sh"

port="${PYCNB_S3_PORT:-8643}"
bucket="${PYCNB_S3_BUCKET:-pycnb}"
region=us-east-1
dir="$PYCNB_CACHE/s3"
mkdir -p "$dir/data/$bucket"
chmod 700 "$dir"

if [ ! -s "$dir/credentials" ]; then
    umask 077
    printf 'ACCESS=PYCNB%s\nSECRET=%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)" \
        "$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" > "$dir/credentials.tmp"
    mv "$dir/credentials.tmp" "$dir/credentials"
fi
access="$(sed -n 's/^ACCESS=//p' "$dir/credentials")"
secret="$(sed -n 's/^SECRET=//p' "$dir/credentials")"
endpoint="http://127.0.0.1:$port"

healthy() {
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$endpoint/health" \
        >/dev/null 2>&1
}

pid="$(cat "$dir/pid" 2>/dev/null || true)"
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && healthy; then
    pycnb_log "versitygw already serves $endpoint (pid $pid)"
else
    if healthy; then
        pycnb_die "something else answers on 127.0.0.1:$port; set PYCNB_S3_PORT to a free port"
    fi
    binary="$("$here/ensure-versitygw.sh")"
    ROOT_ACCESS_KEY="$access" ROOT_SECRET_KEY="$secret" setsid "$binary" --port "127.0.0.1:$port" \
        --health /health --region "$region" --access-log "$dir/access.log" posix "$dir/data" \
        >"$dir/server.log" 2>&1 </dev/null &
    echo $! > "$dir/pid"
    for _ in $(seq 100); do healthy && break; sleep 0.1; done
    healthy || { tail -n 20 "$dir/server.log" >&2; pycnb_die "versitygw did not start on $endpoint"; }
    pycnb_log "versitygw serves $endpoint (pid $(cat "$dir/pid"), data in $dir/data, bucket '$bucket')"
fi

echo "AWS_ENDPOINT_URL=$endpoint"
echo "AWS_ACCESS_KEY_ID=$access"
echo "AWS_SECRET_ACCESS_KEY=$secret"
echo "AWS_DEFAULT_REGION=$region"
