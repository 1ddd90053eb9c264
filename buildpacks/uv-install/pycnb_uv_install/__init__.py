"""uv-install: a uv project, exactly as uv.lock pins it, in a venv that is the `packages` layer.

The lock must match pyproject.toml (checked offline, never re-locked); the main
dependencies (no dev groups) are installed with `uv sync --locked --no-dev` from the
sources the lock records, or — when the platform chose an index, a pip binding or a
wheelhouse — exported from the lock and installed from there by `uv pip install`, hashes
checked. The layer is reused whole while the lock, pyproject.toml, Python, uv and index
configuration are unchanged; otherwise it is rebuilt from empty.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
