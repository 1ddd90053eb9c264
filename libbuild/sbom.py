"""SBOMs (CycloneDX 1.4 and SPDX 2.3 JSON) of what a layer really contains.

Output is deterministic: components sorted, identifiers derived from content, and the
SPDX creation time taken from SOURCE_DATE_EPOCH (default: the epoch) so that the same
layer always yields the same bytes.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Optional

FORMATS = {"cdx": "application/vnd.cyclonedx+json", "spdx": "application/spdx+json"}
_NAMESPACE = uuid.UUID("6f1d4c1e-3b4f-4a8e-9c55-7d3f0b2a9e11")  # pycnb's own, for uuid5

# Common licence identifiers, and the trove classifiers that name them.
SPDX_IDS = {"MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "PSF-2.0", "ISC", "MPL-2.0", "Unlicense",
            "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "LGPL-2.1-only",
            "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later", "AGPL-3.0-only", "Zlib", "0BSD",
            "CC0-1.0", "Python-2.0", "BSD-4-Clause", "EPL-2.0", "Artistic-2.0", "MIT-CMU"}
_CLASSIFIERS = {
    "MIT License": "MIT", "BSD License": "BSD-3-Clause", "Apache Software License": "Apache-2.0",
    "Python Software Foundation License": "PSF-2.0", "ISC License (ISCL)": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0", "The Unlicense (Unlicense)": "Unlicense",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only", "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Library or Lesser General Public License (LGPL)": "LGPL-2.1-or-later",
    "zlib/libpng License": "Zlib",
}


@dataclass(frozen=True)
class Component:
    """One SBOM entry: a package, runtime or tool found in a layer."""
    name: str
    version: str
    purl: str = ""
    cpe: str = ""
    licenses: tuple[str, ...] = ()
    sha256: str = ""
    kind: str = "library"

    @property
    def ref(self) -> str:
        return self.purl or f"{self.name}@{self.version}"


def pypi_purl(name: str, version: str) -> str:
    return f"pkg:pypi/{re.sub(r'[-_.]+', '-', name).lower()}@{version}"


def python_distributions(site_packages: str | Path) -> list[Component]:
    """The distributions installed in a site-packages directory, from their dist-info metadata."""
    found = []
    for meta_file in sorted(Path(site_packages).glob("*.dist-info/METADATA")):
        import email.parser  # only where packages are read: the mail parser costs ~5 ms to import
        meta = email.parser.Parser().parsestr(meta_file.read_text("utf-8", "replace"), headersonly=True)
        name, version = meta.get("Name"), meta.get("Version")
        if name and version:
            found.append(Component(name, version, purl=pypi_purl(name, version),
                                   licenses=tuple(_licenses(meta))))
    return sorted(found, key=lambda c: (c.name.lower(), c.version))


def _licenses(meta) -> list[str]:
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return [expression]
    ids = []
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License :: "):
            leaf = classifier.split(" :: ")[-1]
            if leaf in _CLASSIFIERS:
                ids.append(_CLASSIFIERS[leaf])
    if ids:
        return sorted(set(ids))
    text = (meta.get("License") or "").strip()
    # A whole licence text pasted into License is not a name.
    return [text] if text and "\n" not in text and len(text) <= 64 else []


def _is_spdx(expression: str) -> bool:
    tokens = re.split(r"\s+(?:AND|OR|WITH)\s+|[()]", expression)
    return all(t.strip() in SPDX_IDS for t in tokens if t.strip())


def cyclonedx(components: Iterable[Component], subject: str) -> dict:
    comps = sorted(components, key=lambda c: c.ref)
    digest = hashlib.sha256(json.dumps([c.ref for c in comps]).encode() + subject.encode()).hexdigest()
    out_components = []
    for c in comps:
        entry: dict = {"type": c.kind, "bom-ref": c.ref, "name": c.name, "version": c.version}
        if c.purl:
            entry["purl"] = c.purl
        if c.cpe:
            entry["cpe"] = c.cpe
        if c.licenses:
            entry["licenses"] = [{"expression": lic} if " " in lic and _is_spdx(lic) else
                                 {"license": {"id": lic}} if lic in SPDX_IDS else {"license": {"name": lic}}
                                 for lic in c.licenses]
        if c.sha256:
            entry["hashes"] = [{"alg": "SHA-256", "content": c.sha256}]
        out_components.append(entry)
    return {"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1,
            "serialNumber": f"urn:uuid:{uuid.uuid5(_NAMESPACE, digest)}",
            "metadata": {"component": {"type": "file", "name": subject},
                         "tools": [{"vendor": "pycnb", "name": "libbuild"}]},
            "components": out_components}


def spdx(components: Iterable[Component], subject: str) -> dict:
    comps = sorted(components, key=lambda c: c.ref)
    digest = hashlib.sha256(json.dumps([c.ref for c in comps]).encode() + subject.encode()).hexdigest()
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    created = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    packages, relationships = [], []
    for i, c in enumerate(comps, 1):
        spdx_id = f"SPDXRef-Package-{i}"
        declared = " AND ".join(c.licenses) if c.licenses else ""
        pkg: dict = {"SPDXID": spdx_id, "name": c.name, "versionInfo": c.version,
                     "downloadLocation": "NOASSERTION", "filesAnalyzed": False,
                     "licenseConcluded": "NOASSERTION",
                     "licenseDeclared": declared if declared and _is_spdx(declared) else "NOASSERTION",
                     "copyrightText": "NOASSERTION"}
        refs = []
        if c.purl:
            refs.append({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": c.purl})
        if c.cpe:
            refs.append({"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": c.cpe})
        if refs:
            pkg["externalRefs"] = refs
        if c.sha256:
            pkg["checksums"] = [{"algorithm": "SHA256", "checksumValue": c.sha256}]
        packages.append(pkg)
        relationships.append({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                              "relatedSpdxElement": spdx_id})
    return {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": subject,
            "documentNamespace": f"urn:uuid:{uuid.uuid5(_NAMESPACE, digest)}",
            "creationInfo": {"created": created, "creators": ["Tool: pycnb-libbuild"]},
            "packages": packages, "relationships": relationships}


def write_layer_sboms(layers_dir: str | Path, layer: str, components: Iterable[Component],
                      formats: Optional[Iterable[str]] = None) -> list[Path]:
    """<layer>.sbom.cdx.json and <layer>.sbom.spdx.json (the media types must be in sbom-formats)."""
    comps = list(components)
    written = []
    for ext in formats or FORMATS:
        doc = cyclonedx(comps, layer) if ext == "cdx" else spdx(comps, layer)
        path = Path(layers_dir) / f"{layer}.sbom.{ext}.json"
        path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


def conda_packages(prefix: str | Path) -> list[Component]:
    """The packages of a conda environment, from its conda-meta records."""
    found = []
    for record in sorted(Path(prefix).glob("conda-meta/*.json")):
        data = json.loads(record.read_text())
        name, version = data.get("name"), data.get("version")
        if not (name and version):
            continue
        qualifiers = "&".join(f"{k}={data[k]}" for k in ("build", "subdir") if data.get(k))
        licenses = (data["license"],) if data.get("license") else ()
        found.append(Component(name, version, purl=f"pkg:conda/{name}@{version}" + (f"?{qualifiers}" if qualifiers else ""),
                               licenses=licenses, sha256=data.get("sha256") or ""))
    return sorted(found, key=lambda c: (c.name.lower(), c.version))


# R's License field names licences its own way (Writing R Extensions 1.1.2).
_R_LICENSES = {"GPL-2": "GPL-2.0-only", "GPL-3": "GPL-3.0-only", "GPL (>= 2)": "GPL-2.0-or-later",
               "GPL (>= 3)": "GPL-3.0-or-later", "GPL (>= 2.0)": "GPL-2.0-or-later", "LGPL-2.1": "LGPL-2.1-only",
               "LGPL (>= 2.1)": "LGPL-2.1-or-later", "LGPL-3": "LGPL-3.0-only", "LGPL (>= 3)": "LGPL-3.0-or-later",
               "AGPL-3": "AGPL-3.0-only", "MIT": "MIT", "BSD_2_clause": "BSD-2-Clause", "BSD_3_clause": "BSD-3-Clause",
               "Apache License 2.0": "Apache-2.0", "Apache License (== 2.0)": "Apache-2.0", "MPL-2.0": "MPL-2.0",
               "CC0": "CC0-1.0", "Artistic-2.0": "Artistic-2.0", "GPL": "GPL-2.0-or-later"}


def r_license(field: str) -> tuple[str, ...]:
    """`MIT + file LICENSE`, `GPL-2 | GPL-3` as SPDX ids where R's names map onto them."""
    out = []
    for part in (p.strip() for p in field.split("|")):
        name = re.sub(r"\s*\+\s*file\s+LICEN[CS]E\s*$", "", part).strip()
        if name and not re.match(r"^file\s+LICEN[CS]E$", name):  # the package's own terms: no name to give
            out.append(_R_LICENSES.get(name, name))
    return tuple(dict.fromkeys(out))


def r_packages(library: str | Path) -> list[Component]:
    """The packages of an R library, from each package's installed DESCRIPTION."""
    from .r import dcf  # only the R buildpacks need it
    found = []
    for description in sorted(Path(library).glob("*/DESCRIPTION")):
        records = dcf.parse(description.read_text("utf-8", "replace"), str(description))
        record = records[0] if records else {}
        name, version = record.get("Package"), record.get("Version")
        if name and version:
            licenses = r_license(record.get("License", ""))
            found.append(Component(name, version, purl=f"pkg:cran/{name}@{version}",
                                   licenses=(" OR ".join(licenses),) if len(licenses) > 1 else licenses))
    return sorted(found, key=lambda c: (c.name.lower(), c.version))
