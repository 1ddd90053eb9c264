#!/usr/bin/env bash
# make demo: build integration/testdata/web with the pycnb builder, run it, show its answer.
# The builder is made by `make builder` (a prerequisite); the mirror serves CPython on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
image=pycnb-demo/web
port=${PYCNB_DEMO_PORT:-8080}
mapfile -t settings < <(mirror/setup.sh)
env_args=()
# KEY=VALUE lines are settings; lines starting with -- are pack arguments (flag and value).
for s in "${settings[@]}"; do
    case "$s" in --*) env_args+=("${s%% *}" "${s#* }") ;; *) env_args+=(--env "$s") ;; esac
done

echo "==> pack build $image (app: integration/testdata/web)"
pack build "$image" --builder "${PYCNB_BUILDER:-pycnb/builder:bookworm}" --path integration/testdata/web \
    --network host --pull-policy never --trust-builder "${env_args[@]}"

echo "==> docker run $image (PORT=$port)"
cid=$(docker run -d --network host -e PORT="$port" "$image")
trap 'docker rm -f "$cid" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 60); do
    if answer=$(curl -fsS "http://127.0.0.1:$port/" 2>/dev/null); then
        echo "==> http://127.0.0.1:$port/ answered:"
        echo "$answer"
        echo "==> stopping the container"
        exit 0
    fi
    sleep 0.5
done
echo "ERROR: the demo app did not answer on port $port; its log:" >&2
docker logs "$cid" >&2
exit 1
