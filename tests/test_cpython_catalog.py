"""The CPython catalog against its public record, and its shape (lines, EOL dates, default)."""
from __future__ import annotations

import re

from libbuild import tomlfile, versions
from harness import BUILDPACKS

CPYTHON = BUILDPACKS / "cpython"
RECORD_LINE = re.compile(r"^(https://www\.python\.org/ftp/python/(\d+\.\d+\.\d+)/Python-\2\.(?:tgz|tar\.xz))#([0-9a-f]{64})$")


def catalog() -> list[dict]:
    return [d for d in tomlfile.read(CPYTHON / "buildpack.toml")["metadata"]["dependencies"] if d["id"] == "cpython-source"]


def records() -> dict[str, dict]:
    return {r["version"]: r for r in tomlfile.read(CPYTHON / "source-records.toml")["record"]}


def test_every_checksum_equals_its_recorded_provenance():
    recs = records()
    entries = catalog()
    assert sorted(recs) == sorted(d["version"] for d in entries), "one record per catalog entry, no more"
    for d in entries:
        rec = recs[d["version"]]
        assert rec["repository"] == "https://github.com/pyenv/pyenv"
        assert rec["path"] == f"plugins/python-build/share/python-build/{d['version']}"
        assert re.fullmatch(r"[0-9a-f]{40}", rec["commit"]), rec
        match = RECORD_LINE.match(rec["line"])
        assert match and match.group(2) == d["version"], rec["line"]
        url, sha = match.group(1), match.group(3)
        assert d["uri"] == d["source"] == url
        assert d["checksum"] == d["source-checksum"] == f"sha256:{sha}"
        assert d["purl"] == f"pkg:generic/cpython@{d['version']}?checksum=sha256:{sha}&download_url={url}"
        assert d["cpe"] == f"cpe:2.3:a:python:python:{d['version']}:*:*:*:*:*:*:*"
        assert d["licenses"] == ["PSF-2.0"]


def test_lines_eol_dates_and_default():
    entries = catalog()
    by_line: dict[str, list[str]] = {}
    for d in entries:
        by_line.setdefault(versions.minor(d["version"]), []).append(d["version"])
        # Every patch of a line shares the line's end of life (October of its fifth year).
        year = 2025 + int(d["version"].split(".")[1]) - 9
        assert d["deprecation_date"] == f"{year}-10-31T00:00:00Z", d
    assert sorted(by_line, key=lambda v: int(v.split(".")[1])) == ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"]
    assert by_line["3.9"] == ["3.9.2"]
    for line in ("3.11", "3.12", "3.13", "3.14"):
        assert len(by_line[line]) >= 2, f"{line}: the latest patch and the one before"
    default = tomlfile.read(CPYTHON / "buildpack.toml")["metadata"]["default-versions"]["cpython"]
    assert default == "3.14"
