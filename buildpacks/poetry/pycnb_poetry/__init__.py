"""poetry: a pinned Poetry (BP_POETRY_VERSION to choose) and its export plugin in a
build-only cached layer, installed as pipenv is (libbuild/python/tools.py).

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
