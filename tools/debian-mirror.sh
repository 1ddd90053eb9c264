#!/usr/bin/env bash
# Print Debian mirror URLs taken from this machine's own apt configuration, so no mirror
# host name is ever written into the repo.
#
# Usage:
#   debian-mirror.sh [SUITE]     URI serving SUITE (default: $PYCNB_DEBIAN_RELEASE or bookworm)
#   debian-mirror.sh --sources   every enabled `deb` entry, one "URI SUITE COMPONENTS..." a line
#                                (e.g. to derive deb-src lines for `apt-get source`)
#
# Reads deb822 files (/etc/apt/sources.list.d/*.sources) and one-line files
# (/etc/apt/sources.list, /etc/apt/sources.list.d/*.list).
# Env: PYCNB_DEBIAN_MIRROR replaces the main archive URI (for the release and its
#      -updates/-backports suites); PYCNB_DEBIAN_SECURITY_MIRROR replaces the URI of
#      *-security suites; PYCNB_APT_ETC (default /etc/apt) for testing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/lib.sh
. "$here/lib.sh"

etc="${PYCNB_APT_ETC:-/etc/apt}"

# All enabled binary entries as "URI SUITE COMPONENTS...", one suite a line.
all_entries() {
    local f
    for f in "$etc"/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822: stanzas split by blank lines; continuation lines start with white space;
        # lines starting with '#' are comments even inside a stanza.
        awk '
            function flush(   n, u, s, i, j, us, ss) {
                if (types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) != "no" && uris != "") {
                    n = split(uris, us, /[ \t]+/); m = split(suites, ss, /[ \t]+/)
                    for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
                        if (us[i] != "" && ss[j] != "") print us[i], ss[j], comps
                }
                types = uris = suites = comps = enabled = ""; last = ""
            }
            /^#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]/ { val = $0; sub(/^[ \t]+/, "", val)
                       if (last == "uris") uris = uris " " val
                       else if (last == "suites") suites = suites " " val
                       else if (last == "components") comps = comps " " val
                       next }
            { key = tolower($0); sub(/:.*/, "", key)
              val = $0; sub(/^[^:]*:[ \t]*/, "", val); last = key
              if (key == "types") types = val
              else if (key == "uris") uris = val
              else if (key == "suites") suites = val
              else if (key == "components") comps = val
              else if (key == "enabled") enabled = val }
            END { flush() }
        ' "$f"
    done
    for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # one-line style: deb [opt=val ...] URI SUITE COMPONENTS...
        sed -E -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" \
            | awk '$1 == "deb" && NF >= 3 { line = $2 " " $3; for (i = 4; i <= NF; i++) line = line " " $i; print line }'
    done
}

# Apply the overrides and keep only URIs debootstrap and apt can fetch from.
entries() {
    all_entries | awk -v main="${PYCNB_DEBIAN_MIRROR:-}" -v sec="${PYCNB_DEBIAN_SECURITY_MIRROR:-}" '
        $1 !~ /^(https?|ftp|file):/ { next }
        {
            uri = $1; sub(/\/+$/, "", uri)
            if ($2 ~ /-security$/) { if (sec != "") uri = sec }
            else if (main != "") uri = main
            sub(/\/+$/, "", uri); $1 = uri; print
        }' | awk '!seen[$0]++'
}

if [ "${1:-}" = "--sources" ]; then
    entries
    exit 0
fi

suite="${1:-${PYCNB_DEBIAN_RELEASE:-bookworm}}"
uri="$(entries | awk -v s="$suite" '$2 == s { print $1; exit }')"
if [ -z "$uri" ]; then
    case "$suite" in
        *-security)
            if [ -n "${PYCNB_DEBIAN_SECURITY_MIRROR:-}" ]; then uri="${PYCNB_DEBIAN_SECURITY_MIRROR%/}"; fi ;;
        *-updates | *-backports) ;;
        *)
            # A machine on another release still names the archive: any non-security entry
            # serves every release (same dists/ tree).
            uri="${PYCNB_DEBIAN_MIRROR:-}"
            [ -n "$uri" ] || uri="$(entries | awk '$2 !~ /-(security|updates|backports)$/ { print $1; exit }')"
            uri="${uri%/}" ;;
    esac
fi
[ -n "$uri" ] || pycnb_die "no apt source for suite '$suite' in $etc; set PYCNB_DEBIAN_MIRROR (or PYCNB_DEBIAN_SECURITY_MIRROR)"
printf '%s\n' "$uri"
