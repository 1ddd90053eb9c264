"""pip-install: the app's requirements installed into a venv that is the `packages` layer.

The layer is reused whole, without running pip, while a digest of everything that decides
its contents is unchanged; otherwise it is rebuilt from empty (so removed packages go),
with pip's wheel and HTTP cache in the cache-only `pip-cache` layer.

Packages from S3 (wheelhouse bindings, pipper packages) are prepared by s3inputs.py
before pip runs and installed in the same pip run.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
