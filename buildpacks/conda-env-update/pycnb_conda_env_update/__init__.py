"""conda-env-update: environment.yml or a conda lock installed into the `conda-env` layer.

The launch-only layer is reused by metadata, with no solve, no install and no restore, while
its inputs are unchanged (with build inputs, pycnb/miniconda then puts no conda on the build);
otherwise it is rebuilt from empty by the `conda` command of pycnb/miniconda.

Detect lives in detect.py and build in build.py (the reuse path), so detect never imports what
only build needs, and a reuse never imports what only an install (install.py) needs.
"""
