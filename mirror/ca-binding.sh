#!/usr/bin/env bash
# Prepares a `ca-certificates` service binding from the machine's extra CAs: the
# certificates added to the host trust store in $PYCNB_HOST_CA_DIR (default
# /usr/local/share/ca-certificates, Debian's place for local CAs, which no stack image
# has), e.g. the CA of a TLS-intercepting proxy. Builds that mount it trust what the host
# trusts. With no extra CA the binding holds only its type, and pycnb/ca-certificates
# does not detect. Idempotent: the directory mirrors the host's CAs exactly.
# Prints the binding directory on stdout; progress goes to stderr.
set -euo pipefail
. "$(dirname "$0")/common.sh"

src="${PYCNB_HOST_CA_DIR:-/usr/local/share/ca-certificates}"
dest="$PYCNB_CACHE/ca-certificates"
mkdir -p "$dest"
find "$dest" -mindepth 1 -maxdepth 1 -type f ! -name type -delete
printf 'ca-certificates\n' >"$dest/type"
count=0
if [ -d "$src" ]; then
  while IFS= read -r -d '' crt; do
    name=$(printf '%s' "${crt#"$src"/}" | tr '/' '_')
    if grep -q -- '-----BEGIN CERTIFICATE-----' "$crt" && ! grep -q -- 'PRIVATE KEY-----' "$crt"; then
      install -m 0644 "$crt" "$dest/$name"
      count=$((count + 1))
    else
      log "skipping $crt: not a PEM certificate"
    fi
  done < <(find "$src" -name '*.crt' -type f -print0 | sort -z)
fi
chmod 0755 "$dest"
log "ca-certificates binding: $count extra CA certificate(s) from $src in $dest"
printf '%s\n' "$dest"
