"""ca-certificates: the certificates of `ca-certificates` bindings, trusted by every later
buildpack and, unless BP_RUNTIME_CERT_BINDING_DISABLED=true, by the app at launch (with an
exec.d helper that also adds the certificates of bindings present at run time).

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
