"""miniconda: a `conda` command for later buildpacks, in a build-only cached `conda` layer.

The default distribution is pycnb's conda-compatible installer over py-rattler (cli.py);
BP_CONDA_DISTRIBUTION=miniconda3 installs the real Miniconda3 from its published installer.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
