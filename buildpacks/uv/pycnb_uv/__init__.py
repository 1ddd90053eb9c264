"""uv: the uv binary from its wheel (catalog entry per target, BP_UV_VERSION to choose), in
a build-only cached layer with `bin/uv` on PATH for later buildpacks.

The wheel is fetched through libbuild's dependency machinery, so BP_DEPENDENCY_MIRROR and
the dependency-mirror / dependency-mapping bindings apply, and its sha256 is always checked.
Only the static binary is used; the wheel's Python shim is not.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
