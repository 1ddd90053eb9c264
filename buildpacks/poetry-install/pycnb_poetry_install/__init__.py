"""poetry-install: the main group of poetry.lock, and the project itself, in a venv that is
the `packages` layer.

Poetry only checks and exports the lock; pip installs the exported, hash-pinned set with
--no-deps, so the index, the `pip` binding and a vendored wheelhouse work as for
pip-install. The project is installed editable (unless package-mode = false), so a
code-only change reuses the layer.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
