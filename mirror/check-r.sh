#!/bin/sh
# Runs INSIDE the run image (started by build-r-prebuilt.sh), as root, with no network:
# unpacks a prebuilt R at its layer prefix and checks, as the unprivileged cnb user, that
# Rscript works there, and that none of R's shared objects needs a library the image lacks.
#
# Usage: check-r.sh PREBUILT.tgz PREFIX
set -eu
tarball="$1" prefix="$2"
mkdir -p "$prefix"
tar -xzf "$tarball" -C "$prefix"
su cnb -s /bin/sh -c "'$prefix/bin/Rscript' -e 'cat(R.version.string, \"runs in the run image as\", Sys.info()[[\"user\"]], \"\\n\")'"
missing=$(
    for f in "$prefix"/lib/R/bin/exec/R "$prefix"/lib/R/lib/*.so "$prefix"/lib/R/modules/*.so \
        "$prefix"/lib/R/library/*/libs/*.so; do
        LD_LIBRARY_PATH="$prefix/lib/R/lib" ldd "$f" 2>/dev/null |
            sed -n "s|^[[:space:]]*\([^ ]*\) => not found|\1 (needed by ${f##*/})|p"
    done | sort -u
)
if [ -n "$missing" ]; then
    printf '%s\n' "$missing" | sed 's/^/the run image lacks /' >&2
    exit 1
fi
