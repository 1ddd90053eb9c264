"""pipenv-install: exactly the packages of Pipfile.lock, in a venv that is the `packages` layer.

The lock must match the Pipfile (no silent re-lock); an app without a lock is locked at
build time, with a warning. The locked set is exported with its hashes and installed by
pip with --no-deps, so nothing outside the lock is resolved. The layer is reused whole
while the lock and the Python version are unchanged.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
