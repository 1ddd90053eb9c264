"""The trixie smoke set: a stdlib app, a pip app and a Pipfile app built on the trixie builder
(Debian 13 stack, `make builder DISTRO=trixie`; `make integration` builds it), run, answering
HTTP. Every build must install the Debian 13 prebuilt CPython of the mirror, never a bookworm
one: the log names the artifact and the cpython layer's metadata carries its checksum."""
from __future__ import annotations

import json
import os
import tomllib

import pytest

from conftest import MIRROR, _run, app, launcher_run, pack_build, serve_and_get
from test_pipenv import FLASK, host_pipenv, pipenv_app  # noqa: F401 (host_pipenv is a fixture)

TRIXIE_BUILDER = os.environ.get("PYCNB_TRIXIE_BUILDER", "pycnb/builder:trixie")


def _labels(image: str) -> dict[str, str]:
    proc = _run(["docker", "image", "inspect", "--format", "{{json .Config.Labels}}", image])
    assert proc.returncode == 0, f"{image} missing: `make integration` builds it ({proc.stdout.strip()})"
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def trixie(mirror) -> dict[str, str]:
    """The trixie builder (its stack labelled Debian 13 for pack and the lifecycle) and the
    one Debian 13 prebuilt of the mirror catalog (mirror/setup.sh compiles it)."""
    assert _labels(TRIXIE_BUILDER)["io.buildpacks.base.distro.version"] == "13"
    meta = json.loads(_labels(TRIXIE_BUILDER)["io.buildpacks.builder.metadata"])
    run_image = meta["images"][0]["image"]
    assert _labels(run_image)["io.buildpacks.base.distro.version"] == "13", run_image
    catalog = tomllib.loads((MIRROR / "catalog" / "cpython.toml").read_text())["dependencies"]
    ours = [d for d in catalog if any(dist["version"] == "13" for t in d["targets"] for dist in t.get("distros", []))]
    assert ours, "no Debian 13 prebuilt in the mirror catalog: mirror/setup.sh compiles one when pycnb/build:trixie exists"
    dep = ours[-1]
    assert dep["uri"].endswith(f"/cpython_{dep['version']}_linux_amd64_debian_13.tgz"), dep
    return {"version": dep["version"], "uri": dep["uri"], "checksum": dep["checksum"]}


def _build_on_trixie(image: str, src, env: dict[str, str], trixie: dict[str, str]):
    build = pack_build(image, src, env, builder=TRIXIE_BUILDER)
    assert build.code == 0
    assert f"Selected CPython {trixie['version']} (prebuilt" in build.output
    assert f"Downloading {trixie['uri']}" in build.output  # the Debian 13 artifact, by name
    assert "_debian_12.tgz" not in build.output
    meta = json.loads(_labels(image)["io.buildpacks.lifecycle.metadata"])
    layer = next(bp["layers"]["cpython"] for bp in meta["buildpacks"] if bp["key"] == "pycnb/cpython")
    assert layer["data"]["checksum"] == trixie["checksum"] and layer["data"]["target"] == "linux/amd64 debian 13"
    release = launcher_run(image, "cat", "/etc/debian_version")
    assert release.returncode == 0 and release.stdout.startswith("13."), release.stdout
    return build


def test_stdlib_app_on_trixie(tmp_path, images, mirror_env, trixie):
    src = app(tmp_path, "web")
    (src / ".python-version").write_text(trixie["version"] + "\n")
    image = images("trixie-web")
    _build_on_trixie(image, src, mirror_env, trixie)
    data, _ = serve_and_get(image)
    assert data["python"] == trixie["version"] and data["uid"] != 0


def test_pip_app_on_trixie(tmp_path, images, mirror_env, index, trixie):
    src = app(tmp_path, "flask")
    (src / ".python-version").write_text(trixie["version"] + "\n")
    image = images("trixie-flask")
    _build_on_trixie(image, src, {**mirror_env, "PIP_INDEX_URL": index.url()}, trixie)
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3" and data["python"] == trixie["version"] and "gunicorn" in data["packages"]


def test_pipfile_app_on_trixie(tmp_path, images, mirror_env, index, host_pipenv, trixie):  # noqa: F811
    src = pipenv_app(tmp_path, index, host_pipenv, FLASK, python=trixie["version"])
    image = images("trixie-pipenv")
    build = _build_on_trixie(image, src, {**mirror_env, "PIP_INDEX_URL": index.url()}, trixie)
    assert f"Using version '{trixie['version']}' from Pipfile.lock" in build.output
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3" and data["python"] == trixie["version"]
