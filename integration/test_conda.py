"""conda apps end to end: the mirror's test channel (real CPython and wheels as conda packages),
a vendored channel with no network, an explicit lock, a pip: section, reuse, errors, secrets."""
from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import tomllib
import urllib.parse

from conftest import CACHE, REPO, app, launcher_run, pack_build, serve_and_get

CHANNEL = CACHE / "mirror" / "conda" / "conda-forge"
ENV_PREFIX = "/layers/pycnb_conda-env-update/conda-env"
FLASK_CLOSURE = ("python", "flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "blinker")


def mirror_base(mirror_env) -> str:
    parsed = urllib.parse.urlparse(mirror_env["BP_DEPENDENCY_MIRROR"])
    return f"{parsed.scheme}://{parsed.netloc}"


def _for_311(rec: dict) -> bool:
    """Whether a build runs on python 3.11: the channel holds binary builds for every
    python the mirror has (markupsafe for 3.9, 3.11, 3.13 ...)."""
    pins = [d for d in rec.get("depends", []) if d.startswith("python ") and d.endswith(".*")]
    return all(p.startswith("python 3.11.") for p in pins)


def closure_records(names=FLASK_CLOSURE) -> list[tuple[str, str, dict]]:
    """(subdir, file name, record) of the channel's newest build of each name (python 3.11)."""
    out = []
    for name in names:
        found = []
        for subdir in ("noarch", "linux-64"):
            repodata = json.loads((CHANNEL / subdir / "repodata.json").read_text())
            for fn, rec in {**repodata.get("packages", {}), **repodata.get("packages.conda", {})}.items():
                if rec["name"] == name and (name != "python" or rec["version"].startswith("3.11.")) and _for_311(rec):
                    found.append((subdir, fn, rec))
        assert found, f"{name} is not in the test channel {CHANNEL}"
        out.append(sorted(found, key=lambda f: f[2]["version"])[-1])
    return out


def offline_conda(tmp_path) -> tuple[dict[str, str], list[str]]:
    """--network none: the mirror mounted at /mirror and py-rattler mapped (by checksum) to its file."""
    catalog = tomllib.loads((REPO / "buildpacks" / "miniconda" / "buildpack.toml").read_text())["metadata"]["dependencies"]
    binding = tmp_path / "offline-conda"
    binding.mkdir()
    (binding / "type").write_text("dependency-mapping")
    for dep in catalog:
        if dep["id"] == "py-rattler":
            url = urllib.parse.urlparse(dep["uri"])
            (binding / dep["checksum"].split(":", 1)[1]).write_text(f"file:///mirror/{url.netloc}{url.path}")
    return {}, [f"{CACHE / 'mirror'}:/mirror:ro", f"{binding}:/platform/bindings/offline-conda:ro"]


def test_flask_from_conda_forge_through_a_credentialed_binding_reused_and_secret_free(tmp_path, images, mirror_env):
    user, password = f"deploy-{secrets.token_hex(4)}", f"pw-{secrets.token_hex(12)}"
    binding = tmp_path / "corp-conda"
    binding.mkdir()
    (binding / "type").write_text("conda")
    host = urllib.parse.urlparse(mirror_base(mirror_env)).netloc
    (binding / ".condarc").write_text(f"custom_channels:\n  conda-forge: http://{user}:{password}@{host}/conda\n")
    src = app(tmp_path, "conda-flask")
    image = images("conda-flask")
    volumes = [f"{binding}:/platform/bindings/corp-conda:ro"]
    first = pack_build(image, src, mirror_env, volumes=volumes)
    assert first.code == 0
    assert "Building as a conda app from environment.yml (requirements.txt" in first.output
    assert "flask-3.1.3-" in first.output and "python-3.11.2-" in first.output  # the solved set is logged
    assert password not in first.output and user not in first.output
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3" and data["python"] == "3.11.2" and data["uid"] != 0
    assert data["prefix"] == data["conda_prefix"] == ENV_PREFIX
    probe = ("import os, sys, flask; print(sys.executable, os.path.exists(sys.argv[1]), os.path.exists(sys.argv[2]), "
             "any(n.endswith('.pyc') for n in os.listdir(os.path.dirname(flask.__file__) + '/__pycache__')))")
    default_python = launcher_run(image, "python", "-c", probe, f"{ENV_PREFIX}/conda-meta/history",
                                  "/layers/pycnb_conda-env-update/conda-pkgs")
    # the env's python is the default one; no history, no package cache in the image; bytecode compiled
    assert default_python.stdout.split() == [f"{ENV_PREFIX}/bin/python", "False", "False", "True"], default_python.stdout

    (src / "app.py").write_text((src / "app.py").read_text() + "\n# code-only change\n")
    second = pack_build(image, src, mirror_env, volumes=volumes)
    assert second.code == 0
    assert "Reusing layer 'conda-env'" in second.output and "Solving" not in second.output
    # environment.yml, settings and the binding's channels (not its credentials) unchanged: no
    # conda on this build, and no layer's contents restored, by the lifecycle's own log lines
    # (the cold build cached neither the conda tools nor the package cache).
    assert "conda is not needed at build" in second.output and "Installing py-rattler" not in second.output
    assert 'Restoring data for "' not in second.output  # the SBOM line is the analyzer's
    for layer in ("pycnb/conda-env-update:conda-env", "pycnb/miniconda:build-inputs"):
        assert f'Restoring metadata for "{layer}" from app image' in second.output
        assert f"Reusing layer '{layer}'" in second.output
    assert serve_and_get(image)[0]["flask"] == "3.1.3"

    out = tmp_path / "sbom"
    sbom = subprocess.run(["pack", "sbom", "download", image, "--output-dir", str(out)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    assert sbom.returncode == 0, sbom.stdout
    cdx = [p for p in out.rglob("conda-env*.cdx.json")] or [p for p in out.rglob("*.cdx.json") if "conda" in str(p)]
    assert cdx, sorted(str(p) for p in out.rglob("*"))
    names = {c["name"]: c["version"] for c in json.loads(cdx[0].read_text())["components"]}
    assert names["flask"] == "3.1.3" and names["python"] == "3.11.2"
    assert [p for p in out.rglob("*.spdx.json") if "conda" in str(p)]

    saved = tmp_path / "image.tar"
    assert subprocess.run(["docker", "save", "-o", str(saved), image]).returncode == 0
    blob = saved.read_bytes()
    assert password.encode() not in blob and user.encode() not in blob
    assert b"corp-conda" not in blob
    assert not any(password in p.read_text(errors="replace") for p in out.rglob("*.json"))


def test_same_app_air_gapped_from_a_vendored_channel(tmp_path, images, mirror_env):
    src = app(tmp_path, "conda-flask")
    for subdir, fn, _ in closure_records():
        (src / "vendor" / subdir).mkdir(parents=True, exist_ok=True)
        shutil.copy(CHANNEL / subdir / fn, src / "vendor" / subdir / fn)  # no repodata.json: the build indexes it
    env, volumes = offline_conda(tmp_path)
    image = images("conda-vendored")
    build = pack_build(image, src, env, network="none", volumes=volumes)
    assert build.code == 0
    assert "Using only the vendored channel vendor/ (offline)" in build.output
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3" and data["prefix"] == ENV_PREFIX


def test_explicit_lock_installs_exactly_what_it_pins(tmp_path, images, mirror_env):
    src = app(tmp_path, "conda-flask")
    (src / "environment.yml").unlink()
    base = f"{mirror_base(mirror_env)}/conda/conda-forge"
    lines = [f"{base}/{subdir}/{fn}#sha256:{rec['sha256']}" for subdir, fn, rec in closure_records()]
    (src / "conda-linux-64.lock").write_text("# platform: linux-64\n@EXPLICIT\n" + "\n".join(lines) + "\n")
    image = images("conda-lock")
    build = pack_build(image, src, mirror_env)
    assert build.code == 0
    assert "Installing exactly what conda-linux-64.lock locks" in build.output
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3"
    listed = launcher_run(image, "python", "-c", f"import os; print(*os.listdir('{ENV_PREFIX}/conda-meta'))")
    assert sorted(n.rsplit("-", 2)[0] for n in listed.stdout.split()) == sorted(FLASK_CLOSURE)


def test_pip_section_with_the_mirror_binding_then_removed(tmp_path, images, mirror_env, mirror_args, index):
    src = app(tmp_path, "conda-flask")
    (src / "environment.yml").write_text("channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - flask=3.1.3\n"
                                         "  - pip\n  - pip:\n    - six==1.17.0\n")
    image = images("conda-pip")
    env = {**mirror_env, "PIP_INDEX_URL": index.url()}
    first = pack_build(image, src, env, args=mirror_args)
    assert first.code == 0
    assert "Installing 1 pip package(s) with the environment's pip" in first.output
    six = launcher_run(image, "python", "-c", "import six, sys; print(six.__version__, sys.prefix)")
    assert six.stdout.split() == ["1.17.0", ENV_PREFIX], six.stdout

    (src / "environment.yml").write_text("channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - flask=3.1.3\n")
    second = pack_build(image, src, env, args=mirror_args)
    assert second.code == 0
    # The changed environment puts conda back on the build and rebuilds the env from empty.
    assert "Rebuilding layer 'build-inputs' since: build-inputs changed" in second.output
    assert "Installing py-rattler" in second.output
    assert "Rebuilding layer 'conda-env' since: build-inputs changed" in second.output
    assert "; input changed" in second.output
    gone = launcher_run(image, "python", "-c", "import six")
    assert gone.returncode != 0 and "No module named 'six'" in gone.stdout
    assert launcher_run(image, "python", "-c", "import flask").returncode == 0


def test_unsatisfiable_spec_fails_with_one_message(tmp_path, images, mirror_env, mirror_args):
    src = app(tmp_path, "conda-flask")
    (src / "environment.yml").write_text("channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - flask=99\n")
    build = pack_build(images("conda-unsat"), src, mirror_env, args=mirror_args)
    assert build.code != 0
    ours = [line for line in build.output.splitlines() if "ERROR:" in line and "failed to build" not in line]
    assert len(ours) == 1 and "Traceback" not in build.output, ours
    error = build.output[build.output.index("ERROR:"):]
    assert "conda cannot satisfy python=3.11, flask=99" in error
    assert f"{mirror_base(mirror_env)}/conda/conda-forge" in error
