"""conda-env-update: environment.yml or a conda lock installed into the `conda-env` layer.

The layer is reused whole, with no solve and no install, while a digest of its inputs is
unchanged; otherwise it is rebuilt from empty by the `conda` command of pycnb/miniconda,
with the package cache in the cache-only `conda-pkgs` layer.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
