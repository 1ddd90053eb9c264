"""requirements.txt apps end to end: index, air-gapped wheelhouse, private index, reuse, errors."""
from __future__ import annotations

import json
import secrets
import subprocess

from conftest import app, default_line, launcher_run, offline_cpython, pack_build, serve_and_get, vendor_wheels


def test_flask_gunicorn_from_the_index_with_reuse_and_sbom(tmp_path, images, mirror_env, index):
    src = app(tmp_path, "flask")
    image = images("flask")
    env = {**mirror_env, "PIP_INDEX_URL": index.url()}
    first = pack_build(image, src, env)
    assert first.code == 0
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3" and data["python"].startswith(default_line()) and data["uid"] != 0
    assert "gunicorn" in data["packages"] and "pip" not in data["packages"]
    # The interpreter itself carries no pip and no C headers: build tools (buildpacks/cpython).
    base = launcher_run(image, "/layers/pycnb_cpython/cpython/bin/python3", "-c",
                        "import importlib.util, os, sysconfig; "
                        "print(importlib.util.find_spec('pip'), os.path.exists(sysconfig.get_path('include')))")
    assert base.returncode == 0 and base.stdout.split()[-2:] == ["None", "False"], base.stdout

    (src / "app.py").write_text((src / "app.py").read_text() + "\n# code-only change\n")
    requests_before = index.requests
    second = pack_build(image, src, env)
    assert second.code == 0
    assert "Reusing layer 'packages'" in second.output and "Installing requirements" not in second.output
    assert index.requests == requests_before  # no pip run at all
    # Requirements, settings and interpreter unchanged: nobody runs python3 at build. This first
    # rebuild still restores the interpreter cached by the first build (once); the next restores
    # no layer contents at all, by the lifecycle's own log lines, and keeps both image layers.
    assert "python3 is not needed at build" in second.output
    (src / "app.py").write_text((src / "app.py").read_text() + "\n# another code-only change\n")
    third = pack_build(image, src, env)
    assert third.code == 0
    assert 'Restoring data for "' not in third.output  # no layer's contents (the SBOM line is the analyzer's)
    for layer in ("pycnb/cpython:cpython", "pycnb/pip-install:packages"):
        assert f'Restoring metadata for "{layer}" from app image' in third.output
        assert f"Reusing layer '{layer}'" in third.output
    assert "Installing CPython" not in third.output and index.requests == requests_before
    assert serve_and_get(image)[0]["flask"] == "3.1.3"

    out = tmp_path / "sbom"
    sbom = subprocess.run(["pack", "sbom", "download", image, "--output-dir", str(out)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    assert sbom.returncode == 0, sbom.stdout
    cdx = [p for p in out.rglob("*.cdx.json") if "pip-install" in str(p)]
    assert cdx, sorted(str(p) for p in out.rglob("*"))
    names = {c["name"].lower(): c["version"] for c in json.loads(cdx[0].read_text())["components"]}
    assert names["flask"] == "3.1.3" and names["gunicorn"] == "27.0.1"
    assert [p for p in out.rglob("*.spdx.json") if "pip-install" in str(p)]


def test_vendored_wheelhouse_builds_with_no_network(tmp_path, images, mirror_env, wheel_dir):
    src = app(tmp_path, "flask")
    vendor_wheels(src, wheel_dir)
    env, volumes = offline_cpython(tmp_path)
    image = images("wheelhouse")
    build = pack_build(image, src, env, network="none", volumes=volumes)
    assert build.code == 0
    assert "installing from the vendored wheelhouse wheelhouse/" in build.output
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3"


def test_private_index_through_pip_binding_leaves_no_secret_in_the_image(tmp_path, images, mirror_env, wheel_dir):
    from wheels import Index
    user, password = f"deploy-{secrets.token_hex(4)}", f"pw-{secrets.token_hex(12)}"
    private = Index(wheel_dir, user, password)
    try:
        binding = tmp_path / "corp-pip"
        binding.mkdir()
        (binding / "type").write_text("pip")
        (binding / "pip.conf").write_text(f"[global]\nindex-url = {private.url(user, password)}\ntimeout = 30\n")
        image = images("private")
        build = pack_build(image, app(tmp_path, "flask"), mirror_env,
                           volumes=[f"{binding}:/platform/bindings/corp-pip:ro"])
        assert build.code == 0
        assert password not in build.output
        data, _ = serve_and_get(image)
        assert data["flask"] == "3.1.3"
        saved = tmp_path / "image.tar"
        assert subprocess.run(["docker", "save", "-o", str(saved), image]).returncode == 0
        blob = saved.read_bytes()
        assert password.encode() not in blob
        assert user.encode() not in blob  # nothing of the pip.conf (its URL names the user)
        assert b"corp-pip" not in blob
    finally:
        private.close()


def test_rebuild_after_removing_a_package_drops_it(tmp_path, images, mirror_env, index):
    src = app(tmp_path, "flask")
    (src / "requirements.txt").write_text("flask==3.1.3\ngunicorn==27.0.1\nsix==1.17.0\n")
    image = images("drop")
    env = {**mirror_env, "PIP_INDEX_URL": index.url()}
    assert pack_build(image, src, env).code == 0
    assert launcher_run(image, "python", "-c", "import six").returncode == 0
    (src / "requirements.txt").write_text("flask==3.1.3\ngunicorn==27.0.1\n")
    rebuild = pack_build(image, src, env)
    assert rebuild.code == 0
    assert "Rebuilding layer 'packages' since: build-inputs changed" in rebuild.output
    assert "requirements changed" in rebuild.output
    assert "python3 is needed at build" in rebuild.output  # a changed input puts the interpreter back
    gone = launcher_run(image, "python", "-c", "import six")
    assert gone.returncode != 0 and "No module named 'six'" in gone.stdout
    # A code-only rebuild after the change keeps the new set (by metadata), without python3 at build.
    (src / "app.py").write_text((src / "app.py").read_text() + "\n# code-only change\n")
    again = pack_build(image, src, env)
    assert again.code == 0 and "python3 is not needed at build" in again.output
    assert "Reusing layer 'packages'" in again.output
    still_gone = launcher_run(image, "python", "-c", "import six")
    assert still_gone.returncode != 0 and "No module named 'six'" in still_gone.stdout


def test_malformed_requirements_fail_in_build_naming_the_line(tmp_path, images, mirror_env, index):
    src = app(tmp_path, "flask")
    (src / "requirements.txt").write_text("flask==3.1.3\ngunicorn==>27\n")
    build = pack_build(images("malformed"), src, {**mirror_env, "PIP_INDEX_URL": index.url()})
    assert build.code != 0 and "status code: 51" in build.output
    assert "ERROR: requirements.txt line 2 is not a valid requirement: 'gunicorn==>27'" in build.output
    assert "Traceback" not in build.output


def test_unresolvable_requirement_names_the_package(tmp_path, images, mirror_env, index):
    src = app(tmp_path, "flask")
    (src / "requirements.txt").write_text("flask==3.1.3\nno-such-package==1.0\n")
    build = pack_build(images("unresolvable"), src, {**mirror_env, "PIP_INDEX_URL": index.url()})
    assert build.code != 0 and "status code: 51" in build.output
    assert "ERROR: pip found no distribution matching 'no-such-package==1.0'" in build.output
    assert "Traceback" not in build.output
