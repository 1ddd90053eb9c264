#!/usr/bin/env python3
"""Write CycloneDX, SPDX and Syft JSON SBOMs for a Go binary from its embedded build info.

Usage: go-sbom.py GO BINARY MODULE VERSION CREATED OUT_PREFIX
  GO          the go command (reads the build info with `go version -m`)
  MODULE      main module path, e.g. github.com/buildpacks/lifecycle
  VERSION     main module version without a leading v, e.g. 0.20.12
  CREATED     RFC 3339 timestamp recorded in the documents (kept fixed for reproducibility)
  OUT_PREFIX  writes OUT_PREFIX.sbom.cdx.json, .sbom.spdx.json, .sbom.syft.json

The lifecycle's exporter copies /cnb/lifecycle/{lifecycle,launcher}.sbom.* into every app
image and warns for each one missing. Upstream makes them with syft; this writes the same
facts (the main module and every Go module linked in) without needing syft.
"""
import hashlib
import json
import subprocess
import sys


def go_deps(go, binary):
    out = subprocess.run([go, "version", "-m", binary], check=True,
                         capture_output=True, text=True).stdout
    toolchain = out.splitlines()[0].split(":", 1)[1].strip()
    deps = []
    for line in out.splitlines()[1:]:
        parts = line.strip().split("\t")
        if parts[0] == "dep" and len(parts) >= 3:
            deps.append((parts[1], parts[2]))
        elif parts[0] == "=>" and deps and len(parts) >= 3:
            deps[-1] = (parts[1], parts[2])  # replaced module: the replacement is linked
    return toolchain, sorted(set(deps))


def purl(path, version):
    return f"pkg:golang/{path}@{version}"


def main():
    go, binary, module, version, created, prefix = sys.argv[1:7]
    name = binary.rstrip("/").rsplit("/", 1)[-1]
    toolchain, deps = go_deps(go, binary)
    main_pkg = (module, "v" + version)
    with open(binary, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    modules = [main_pkg] + deps + [("stdlib", toolchain)]

    cdx = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "version": 1,
        "metadata": {
            "timestamp": created,
            "tools": [{"name": "pycnb-go-sbom"}],
            "component": {"type": "application", "name": name, "version": version,
                          "hashes": [{"alg": "SHA-256", "content": digest}]},
        },
        "components": [
            {"type": "library", "name": p, "version": v, "purl": purl(p, v)}
            for p, v in modules
        ],
    }

    def spdx_id(i):
        return f"SPDXRef-Package-{i}"

    spdx = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"{name}-{version}",
        "documentNamespace": f"urn:pycnb:spdx:{name}:{version}:{digest}",
        "creationInfo": {"created": created, "creators": ["Tool: pycnb-go-sbom"]},
        "packages": [
            {"SPDXID": spdx_id(i), "name": p, "versionInfo": v,
             "downloadLocation": "NOASSERTION", "licenseConcluded": "NOASSERTION",
             "licenseDeclared": "NOASSERTION", "copyrightText": "NOASSERTION",
             "filesAnalyzed": False,
             "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER",
                               "referenceType": "purl", "referenceLocator": purl(p, v)}]}
            for i, (p, v) in enumerate(modules)
        ],
        "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT",
                           "relationshipType": "DESCRIBES", "relatedSpdxElement": spdx_id(0)}]
        + [{"spdxElementId": spdx_id(0), "relationshipType": "CONTAINS",
            "relatedSpdxElement": spdx_id(i)} for i in range(1, len(modules))],
    }

    syft = {
        "artifacts": [
            {"id": hashlib.sha256(f"{p}@{v}".encode()).hexdigest()[:16], "name": p,
             "version": v, "type": "go-module", "foundBy": "pycnb-go-sbom",
             "locations": [{"path": f"/cnb/lifecycle/{name}"}], "licenses": [],
             "language": "go", "cpes": [], "purl": purl(p, v)}
            for p, v in modules
        ],
        "artifactRelationships": [],
        "source": {"id": digest, "name": name, "version": version, "type": "file",
                   "metadata": {"path": f"/cnb/lifecycle/{name}", "digests": [
                       {"algorithm": "sha256", "value": digest}]}},
        "distro": {},
        "descriptor": {"name": "pycnb-go-sbom", "version": "1"},
        "schema": {"version": "16.0.0"},
    }

    for ext, doc in (("cdx", cdx), ("spdx", spdx), ("syft", syft)):
        with open(f"{prefix}.sbom.{ext}.json", "w") as f:
            json.dump(doc, f, indent=2, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
