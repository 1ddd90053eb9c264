"""pipenv: a pinned pipenv (BP_PIPENV_VERSION to choose) in a build-only cached layer.

pipenv lives in a venv inside the layer; only a `bin/pipenv` link is put on PATH, so the
venv's own python never shadows the app's CPython for later buildpacks.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
