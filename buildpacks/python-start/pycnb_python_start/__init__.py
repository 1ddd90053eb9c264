"""Python start: a default `web` process running `python`, with Python required at launch.

The plan offers three alternatives, tried in order by the lifecycle: a bare CPython;
CPython with installed site-packages; a conda environment.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
