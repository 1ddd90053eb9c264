"""pip: the pip bundled with CPython (no download), or the version BP_PIP_VERSION names.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
