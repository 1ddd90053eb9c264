#!/bin/sh
# bin/detect and bin/build of every pycnb buildpack. Buildpack code runs on the build
# image's own python3 in isolated mode (-I ignores PYTHONPATH, PYTHONHOME and the user
# site), never on an interpreter a layer or the user put on PATH. -S skips site-packages
# altogether: every library the buildpacks use is in lib/, and detect starts faster.
bp_dir=$(cd "$(dirname "$0")/.." && pwd)
if [ -d "$bp_dir/lib" ]; then path="$bp_dir/lib"; else root=$(cd "$bp_dir/../.." && pwd); path="$root:$root/build/vendor"; fi
[ -x /usr/bin/python3 ] || { echo "ERROR: the build image has no /usr/bin/python3, which pycnb buildpacks run on" >&2; exit 1; }
exec /usr/bin/python3 -I -S -B -c 'import sys; sys.path[:0] = sys.argv[1].split(":"); from libbuild.entrypoint import main; main(sys.argv[2:])' "$path:$bp_dir" "$(basename "$0")" "$bp_dir"
