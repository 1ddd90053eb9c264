import json

from libbuild import sbom


def dist(site, name, version, extra=""):
    d = site / f"{name}-{version}.dist-info"
    d.mkdir(parents=True)
    (d / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{extra}\n")


def test_python_distributions_from_dist_info(tmp_path):
    dist(tmp_path, "Flask", "3.0.3", "Classifier: License :: OSI Approved :: BSD License\n")
    dist(tmp_path, "gunicorn", "22.0.0", "License: MIT\n")
    dist(tmp_path, "packaging", "24.1", "License-Expression: Apache-2.0 OR BSD-2-Clause\n")
    dist(tmp_path, "weird", "1.0", "License: " + "x" * 100 + "\n")
    comps = sbom.python_distributions(tmp_path)
    assert [(c.name, c.version, c.purl, c.licenses) for c in comps] == [
        ("Flask", "3.0.3", "pkg:pypi/flask@3.0.3", ("BSD-3-Clause",)),
        ("gunicorn", "22.0.0", "pkg:pypi/gunicorn@22.0.0", ("MIT",)),
        ("packaging", "24.1", "pkg:pypi/packaging@24.1", ("Apache-2.0 OR BSD-2-Clause",)),
        ("weird", "1.0", "pkg:pypi/weird@1.0", ()),
    ]


def test_layer_sboms_are_valid_and_deterministic(tmp_path):
    comps = [sbom.Component("requests", "2.32.3", purl="pkg:pypi/requests@2.32.3", licenses=("Apache-2.0",)),
             sbom.Component("CPython", "3.11.2", purl="pkg:generic/cpython@3.11.2", cpe="cpe:2.3:a:python:python:3.11.2:*:*:*:*:*:*:*",
                            licenses=("PSF-2.0",), sha256="ab" * 32, kind="application"),
             sbom.Component("oddlib", "1", licenses=("Custom License",))]
    paths = sbom.write_layer_sboms(tmp_path, "packages", comps)
    assert [p.name for p in paths] == ["packages.sbom.cdx.json", "packages.sbom.spdx.json"]
    cdx = json.loads(paths[0].read_text())
    assert cdx["bomFormat"] == "CycloneDX" and cdx["specVersion"] == "1.4"
    by_name = {c["name"]: c for c in cdx["components"]}
    assert by_name["requests"]["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert by_name["oddlib"]["licenses"] == [{"license": {"name": "Custom License"}}]
    assert by_name["CPython"]["hashes"] == [{"alg": "SHA-256", "content": "ab" * 32}]
    spdx = json.loads(paths[1].read_text())
    assert spdx["spdxVersion"] == "SPDX-2.3"
    pkgs = {p["name"]: p for p in spdx["packages"]}
    assert pkgs["requests"]["licenseDeclared"] == "Apache-2.0"
    assert pkgs["oddlib"]["licenseDeclared"] == "NOASSERTION"
    assert pkgs["requests"]["externalRefs"][0]["referenceLocator"] == "pkg:pypi/requests@2.32.3"
    assert len(spdx["relationships"]) == 3
    first = [p.read_bytes() for p in paths]
    sbom.write_layer_sboms(tmp_path, "packages", list(reversed(comps)))
    assert [p.read_bytes() for p in paths] == first
