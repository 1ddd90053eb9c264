"""CPython: provides `cpython`, installed prebuilt or compiled from python.org source.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
