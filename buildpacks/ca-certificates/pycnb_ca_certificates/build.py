"""pycnb/ca-certificates: build."""
from __future__ import annotations

import hashlib
import shutil

from libbuild import BuildContext, BuildResult, certificates

# Every variable through which a tool of a later buildpack, or the app, picks its CA bundle:
# OpenSSL and uv (SSL_CERT_FILE), pip, requests, curl and R's libcurl, git, botocore (S3), conda.
BUNDLE_VARIABLES = ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "AWS_CA_BUNDLE",
                    "CONDA_SSL_VERIFY")
HELPER = "trust-bindings"


def build(ctx: BuildContext) -> BuildResult:
    at_launch = not ctx.flag("BP_RUNTIME_CERT_BINDING_DISABLED")
    with ctx.log.section("Reading ca-certificates bindings"):
        certs = certificates.from_bindings(ctx.bindings)
        for cert in certs:
            ctx.log.info(f"Certificate {cert.origin}")
        ctx.log.info(f"{len(certs)} certificate(s); trusted at build" + (" and at launch" if at_launch else
                     " only (BP_RUNTIME_CERT_BINDING_DISABLED=true)"))

    metadata = {"certificates": hashlib.sha256("".join(c.sha256 for c in certs).encode()).hexdigest()[:16],
                "system-bundle": certificates.file_digest(certificates.SYSTEM_BUNDLE)[:16],
                "launch": at_launch}
    layer = ctx.layers.cached("ca-certificates", metadata, build=True, launch=at_launch, cache=True)
    if not layer.reused:
        store = certificates.write_store(layer.path, certs)
        if at_launch:
            (layer.path / "exec.d").mkdir()
            shutil.copy(ctx.buildpack_dir / "exec.d" / HELPER, layer.path / "exec.d" / HELPER)
            (layer.path / "exec.d" / HELPER).chmod(0o755)
        for name in BUNDLE_VARIABLES:
            layer.env.override(name, str(store.bundle))
        if store.hashed:
            layer.env.override("SSL_CERT_DIR", f"{store.directory}:{certificates.SYSTEM_DIR}")
        else:
            ctx.log.warn("no openssl command in the build image: the certificates are in the bundle "
                         "(SSL_CERT_FILE) only, not in a hashed SSL_CERT_DIR")
    return BuildResult()
