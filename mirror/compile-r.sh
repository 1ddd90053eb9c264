#!/bin/sh
# Runs INSIDE the build image (started by build-r-prebuilt.sh), as root, with no network:
# compiles R from CRAN's source tarball at the r buildpack's layer prefix, installs it,
# strips the ELF files and writes a tarball of the install tree (its root = the prefix).
#
# Usage: compile-r.sh SOURCE.tar.gz PREFIX OUT.tgz JOBS
set -eu
src="$1" prefix="$2" out="$3" jobs="$4"
step() { printf '+ %s (%ss)\n' "$*" "$(($(date +%s) - t0))"; }
t0=$(date +%s)

work=/tmp/pycnb-r-build
rm -rf "$work" "$prefix" && mkdir -p "$work" "$prefix"
step "unpack $(basename "$src")"
tar -xzf "$src" -C "$work" --strip-components=1
cd "$work"
# A server R: no X11/Tcl-Tk/Java/cairo/bitmap devices (their libraries are not in the run
# image); readline for the console; R's own BLAS/LAPACK (no extra run-time library); R's
# tzcode (no dependence on the image's tzdata layout). Recommended packages (Matrix,
# survival, ...) are left to the app's repository: they double the compile time.
step configure
./configure --prefix="$prefix" --enable-R-shlib --without-x --without-tcltk --with-readline \
    --disable-java --without-cairo --without-libpng --without-jpeglib --without-libtiff \
    --with-internal-tzcode --without-recommended-packages
step "make -j$jobs"
make -j"$jobs"
step "make install"
make install
step "strip ELF files"
find "$prefix" -type f | while read -r f; do
    if [ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ]; then strip --strip-unneeded "$f"; fi
done
step "tarball"
# Reproducible: sorted entries, fixed mtime and owner.
tar --sort=name --mtime="@${SOURCE_DATE_EPOCH:-0}" --owner=0 --group=0 --numeric-owner \
    -C "$prefix" -cf - . | gzip -n -6 >"$out"
step "done: $(du -sh "$prefix" | cut -f1) installed, $(du -sh "$out" | cut -f1) tarball"
