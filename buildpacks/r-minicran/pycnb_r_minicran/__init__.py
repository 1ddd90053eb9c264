"""r-minicran: an R app's packages from a CRAN-like repository into the `r-library` layer.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
