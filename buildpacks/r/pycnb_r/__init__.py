"""R: provides `r`, installed prebuilt or compiled from CRAN's source tarball.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
