"""Which order group of the composite an app gets, by running every member's real detect on the
app (the lifecycle's first rule: the first group whose required members all pass). R apps get
the R group; apps with requirements.txt and r-packages.txt the Python+R group; an app with only
requirements.txt still gets the pip group."""
from __future__ import annotations

from pathlib import Path

import pytest

from libbuild import tomlfile

COMPOSITE = Path(__file__).resolve().parent.parent / "buildpacks" / "python" / "buildpack.toml"


def first_group(tree) -> list[str]:
    cache: dict[str, bool] = {}
    for group in tomlfile.read(COMPOSITE)["order"]:
        members = group["group"]
        passed = []
        for m in members:
            name = m["id"].split("/", 1)[1]
            if name not in cache:
                cache[name] = tree.detect(name).code == 0
            if cache[name]:
                passed.append(name)
            elif not m.get("optional"):
                break
        else:
            return passed
    return []


@pytest.mark.parametrize("files,expected", [
    # uv passes detect always; the lifecycle drops it afterwards, as nothing requires uv here.
    ({"requirements.txt": "flask\n"}, ["cpython", "pip", "uv", "pip-install", "python-start"]),
    ({"r-packages.txt": "plumber\n", "Procfile": "web: Rscript app.R\n"}, ["r", "r-minicran", "procfile"]),
    ({"renv.lock": '{"R": {"Version": "4.5.0"}, "Packages": {}}'}, ["r", "r-minicran"]),
    ({"requirements.txt": "flask\n", "r-packages.txt": "R6\n"},
     ["cpython", "pip", "uv", "pip-install", "r", "r-minicran", "python-start"]),
    ({"app.py": "print(1)\n"}, ["cpython", "python-start"]),
])
def test_group_for_app(tree, files, expected):
    for name, text in files.items():
        tree.write(name, text)
    assert first_group(tree) == expected
