#!/bin/sh
# Runs INSIDE a container (started by build-r-binaries.sh), as root, with no network, with
# the prebuilt R unpacked at its layer prefix:
#   install  (build image) install.packages() of PACKAGE... from the binary repository at
#            /repo into LIBRARY: each must be installed as a binary (nothing compiled)
#   load     (run image) every PACKAGE loads from LIBRARY
#
# Usage: check-r-binaries.sh install|load PREBUILT.tgz PREFIX LIBRARY PACKAGE...
set -eu
mode="$1" tarball="$2" prefix="$3"
export LIB="$4"
shift 4
mkdir -p "$prefix" "$LIB"
tar -xzf "$tarball" -C "$prefix"
if [ "$mode" = install ]; then
    "$prefix/bin/Rscript" -e '
      options(warn = 1)
      install.packages(commandArgs(TRUE), lib = Sys.getenv("LIB"), repos = "file:///repo", Ncpus = 1)
      stopifnot(all(commandArgs(TRUE) %in% rownames(installed.packages(Sys.getenv("LIB")))))
    ' "$@" >/tmp/install.log 2>&1 || { tail -n 30 /tmp/install.log >&2; exit 1; }
    binary=$(grep -c '^\* installing \*binary\* package' /tmp/install.log || true)
    if grep -q '^\* installing \*source\* package' /tmp/install.log; then
        grep '^\* installing \*source\* package' /tmp/install.log >&2
        echo "compiled from source above: the binary repository is incomplete" >&2
        exit 1
    fi
    echo "installed $binary packages as binaries (none compiled)" >&2
else
    "$prefix/bin/Rscript" -e '
      .libPaths(Sys.getenv("LIB"))  # a package loading another (plumber -> swagger) finds it too
      for (p in commandArgs(TRUE)) suppressPackageStartupMessages(library(p, character.only = TRUE))
      cat("loaded in the run image:", commandArgs(TRUE), "\n")
    ' "$@" >&2
fi
