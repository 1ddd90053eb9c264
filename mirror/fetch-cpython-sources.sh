#!/usr/bin/env bash
# Put the CPython release tarballs into the local mirror:
#   $PYCNB_CACHE/mirror/www.python.org/ftp/python/<ver>/Python-<ver>.tgz|.tar.xz
#
# They come from Debian source packages: a package's .orig tarball is the
# python.org release tarball byte for byte. apt runs with a private
# configuration under $PYCNB_CACHE/apt (own sources, lists and cache), so the
# system's apt state is never touched. apt checks the files against the signed
# Sources index; this script checks the .orig against the .dsc and against the
# sha256 pinned in common.sh.
#
# Usage: fetch-cpython-sources.sh [VERSION...]   (default: every known version)
# Prints "<sha256>  <path>" for each tarball on stdout.
set -euo pipefail
. "$(dirname "$0")/common.sh"

versions=("$@")
[ ${#versions[@]} -gt 0 ] || mapfile -t versions < <(cpython_versions)

have_ok() { # have_ok FILE SHA256
  [ -f "$1" ] && [ "$(sha256_of "$1")" = "$2" ]
}

missing=()
for v in "${versions[@]}"; do
  want="$(cpython_source_field "$v" 5)" || die "unknown CPython version $v (known: $(cpython_versions | tr '\n' ' '))"
  if have_ok "$(cpython_source_path "$v")" "$want"; then
    log "CPython $v source already in the mirror"
  else
    missing+=("$v")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "apt-get is needed to fetch Debian source packages"
  apt_dir="$PYCNB_CACHE/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d" "$apt_dir/src"

  archive="$(debian_mirror)"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  opts=""
  [ -r "$keyring" ] && opts="[signed-by=$keyring] "
  suites="$(for v in "${missing[@]}"; do cpython_source_field "$v" 3; done | sort -u)"
  sources="$apt_dir/sources.list"
  for s in $suites; do
    printf 'deb-src %s%s %s main\n' "$opts" "$archive" "$s"
  done >"$sources.new"

  # Only refresh the indexes when the sources changed or are older than a day.
  if ! cmp -s "$sources.new" "$sources" || [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*Sources*' -mtime -1 2>/dev/null | head -n1)" ]; then
    mv "$sources.new" "$sources"
    refresh=1
  else
    rm -f "$sources.new"
    refresh=0
  fi

  apt_opts=(
    -o "Dir::Etc::sourcelist=$sources"
    -o "Dir::Etc::sourceparts=$apt_dir/sources.list.d"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    -o "APT::Sandbox::User=$(id -un)"
  )
  if [ "$refresh" = 1 ]; then
    log "apt-get update (deb-src $archive: $(echo $suites))"
    apt-get "${apt_opts[@]}" -q update >&2 || die "apt-get update failed for deb-src $archive ($suites)"
  fi

  for v in "${missing[@]}"; do
    pkg="$(cpython_source_field "$v" 2)"
    suite="$(cpython_source_field "$v" 3)"
    file="$(cpython_source_field "$v" 4)"
    want="$(cpython_source_field "$v" 5)"
    dest="$(cpython_source_path "$v")"
    work="$apt_dir/src/$pkg"
    rm -rf "$work" && mkdir -p "$work"
    log "fetching Debian source package $pkg/$suite for CPython $v"
    (cd "$work" && apt-get "${apt_opts[@]}" -q source --download-only "$pkg/$suite" >&2) ||
      die "apt-get source $pkg/$suite failed"

    dsc="$(ls "$work"/*.dsc 2>/dev/null | head -n1)"
    [ -n "$dsc" ] || die "no .dsc downloaded for $pkg/$suite"
    orig="$(ls "$work/${pkg}_${v}".orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -n1 || true)"
    [ -n "$orig" ] || die "$pkg/$suite has no ${pkg}_${v}.orig tarball (upstream version changed? see $dsc)"

    # The .dsc's Checksums-Sha256 entry for the .orig tarball.
    dsc_sha="$(awk -v f="$(basename "$orig")" '
      /^Checksums-Sha256:/ { on = 1; next }
      /^[^ ]/ { on = 0 }
      on && $3 == f { print $1 }' "$dsc")"
    got="$(sha256_of "$orig")"
    [ -n "$dsc_sha" ] || die "$(basename "$dsc") lists no sha256 for $(basename "$orig")"
    [ "$got" = "$dsc_sha" ] || die "$(basename "$orig"): sha256 $got does not match the .dsc ($dsc_sha)"
    [ "$got" = "$want" ] || die "$(basename "$orig"): sha256 $got is not the pinned sha256 of $file ($want)"

    mkdir -p "$(dirname "$dest")"
    mv -f "$orig" "$dest.tmp.$$"
    mv -f "$dest.tmp.$$" "$dest"
    mkdir -p "$apt_dir/dsc" && cp -f "$dsc" "$apt_dir/dsc/"
    rm -rf "$work"
    log "CPython $v source: $dest"
  done
fi

for v in "${versions[@]}"; do
  p="$(cpython_source_path "$v")"
  printf '%s  %s\n' "$(sha256_of "$p")" "$p"
done
