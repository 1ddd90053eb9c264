#!/bin/sh
# bin/detect and bin/build of every pycnb buildpack. Buildpack code runs on the build
# image's own python3 in isolated mode (-I ignores PYTHONPATH, PYTHONHOME and the user
# site), never on an interpreter a layer or the user put on PATH. -S skips site-packages
# altogether: every library the buildpacks use is in lib/, and detect starts faster.
# No command runs before python3 starts (no dirname, basename or cat): each would be a fork and
# exec, about 1 ms, in every detect of every build. The lifecycle calls bin/ by absolute path.
name=${0##*/}
case $0 in /*/bin/*) bp_dir=${0%/bin/*} ;; */*) bp_dir=$(cd "${0%/*}/.." && pwd) ;; *) bp_dir=$(cd .. && pwd) ;; esac
if [ -d "$bp_dir/lib" ]; then path="$bp_dir/lib"; else root=$(cd "$bp_dir/../.." && pwd); path="$root:$root/build/vendor"; fi
# detect-needs.txt lists what a buildpack cannot pass detect without (any one suffices): an app
# file, a glob, a setting, any binding. Without all of them it fails here, in the shell: most
# detects of an order fail, and each Python start costs ~25 ms of every build. BP_LOG_LEVEL=DEBUG
# runs the full detect anyway (its reason in the log); tests/test_detect_needs.py keeps the lists sound.
if [ "$name" = detect ] && { [ -f "$bp_dir/detect-needs.txt" ] || [ -f "$bp_dir/detect-plan.toml" ]; }; then
    platform=${CNB_PLATFORM_DIR:-/platform}
    level=${BP_LOG_LEVEL:-}
    if [ -z "$level" ] && [ -f "$platform/env/BP_LOG_LEVEL" ]; then
        read -r level <"$platform/env/BP_LOG_LEVEL" || :  # a file without a final newline still sets it
    fi
fi
if [ "$name" = detect ] && [ -f "$bp_dir/detect-needs.txt" ]; then
    case "$level" in [Dd][Ee][Bb][Uu][Gg]) ;; *)
        found='' wanted=''
        while read -r kind value; do
            case "$kind" in
                file) { [ -e "$value" ] || [ -L "$value" ]; } && found=1 ;;  # a dangling link too, as appfiles.exists
                glob) for f in $value; do [ -e "$f" ] && found=1; done ;;
                setting) eval "v=\${$value:-}"; { [ -n "$v" ] || [ -s "$platform/env/$value" ]; } && found=1 ;;
                bindings) value='binding'
                    for d in "${SERVICE_BINDING_ROOT:-}" "$platform/bindings"; do
                        [ -n "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null)" ] && found=1
                    done ;;
                *) continue ;;
            esac
            [ -n "$found" ] && break
            wanted="$wanted${wanted:+, }$value"
        done <"$bp_dir/detect-needs.txt"
        [ -n "$found" ] || { echo "no $wanted"; exit 100; }
    esac
fi
# detect-plan.toml is the plan of a buildpack whose detect always passes with the same plan once
# its needs (above) are met, such as a tool that provides itself: written here, with shell
# builtins only, instead of starting Python. tests/test_detect_needs.py checks it is what the
# Python detect writes.
if [ "$name" = detect ] && [ -f "$bp_dir/detect-plan.toml" ] && [ -n "${CNB_BUILD_PLAN_PATH:-}" ]; then
    case "$level" in [Dd][Ee][Bb][Uu][Gg]) ;; *)
        while IFS= read -r line || [ -n "$line" ]; do printf '%s\n' "$line"; done \
            <"$bp_dir/detect-plan.toml" >"$CNB_BUILD_PLAN_PATH" && exit 0
    esac
fi
[ -x /usr/bin/python3 ] || { echo "ERROR: the build image has no /usr/bin/python3, which pycnb buildpacks run on" >&2; exit 1; }
exec /usr/bin/python3 -I -S -B -c 'import sys; sys.path[:0] = sys.argv[1].split(":"); from libbuild.entrypoint import main; main(sys.argv[2:])' "$path:$bp_dir" "$name" "$bp_dir"
