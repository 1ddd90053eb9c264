"""The platform path: publish to a real registry, build the way kpack and Tekton do, reproducibly.

A CNCF Distribution registry runs on 127.0.0.1 (tools/registry.sh); the suite is published
to it with tools/publish.py (what `make publish` runs); builds then use only the registry's
images: `pack build --publish` from the registry builder, and the lifecycle's `creator`
run inside the builder image with no pack and no daemon access. The builder is published with
this machine's mirror settings and the loopback index baked in (publish.py --env-file, as a
platform team configures an air-gapped builder), so a plain `pack build` needs no --env.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import tomllib
import uuid
from pathlib import Path

import pytest

from conftest import REPO, _run, app, pack_build, serve_and_get


@pytest.fixture(scope="session")
def registry() -> str:
    proc = subprocess.run(["bash", str(REPO / "tools" / "registry.sh")], stdout=subprocess.PIPE, text=True,
                          timeout=1800)
    assert proc.returncode == 0, "registry set-up failed (see stderr above)"
    lines = proc.stdout.split()
    assert len(lines) == 1 and lines[0].startswith("REGISTRY=127.0.0.1:"), proc.stdout
    return lines[0].split("=", 1)[1]


@pytest.fixture(scope="session")
def published(registry, mirror_env, index, tmp_path_factory) -> dict[str, str]:
    """The suite published once per session; the publish time is printed for the notes."""
    env_file = tmp_path_factory.mktemp("platform") / "platform.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in {**mirror_env, "PIP_INDEX_URL": index.url()}.items()))
    start = time.monotonic()
    proc = _run(["python3", str(REPO / "tools" / "publish.py"), registry, "bookworm", "--env-file", str(env_file)],
                timeout=3600)
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout
    print(f"publish took {time.monotonic() - start:.1f}s")
    assert f"BUILDER={registry}/pycnb/builder:bookworm" in proc.stdout
    return {"builder": f"{registry}/pycnb/builder:bookworm", "run": f"{registry}/pycnb/run:bookworm",
            "registry": registry, "index": index.url()}


def _tags(registry: str, repo: str) -> list[str]:
    out = _run(["curl", "-fsS", f"http://{registry}/v2/{repo}/tags/list"])
    assert out.returncode == 0, out.stdout
    return json.loads(out.stdout)["tags"]


def _remote_digest(ref: str) -> str:
    """The digest of an image in the registry, without pulling it."""
    registry, _, rest = ref.partition("/")
    repo, _, tag = rest.rpartition(":")
    out = _run(["curl", "-fsSI", "-H", "Accept: application/vnd.oci.image.manifest.v1+json, "
                "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json",
                f"http://{registry}/v2/{repo}/manifests/{tag}"])
    assert out.returncode == 0, out.stdout
    return next(line.split(":", 1)[1].strip() for line in out.stdout.splitlines()
                if line.lower().startswith("docker-content-digest:"))


def _pulled(ref: str):
    assert _run(["docker", "pull", "--quiet", ref]).returncode == 0
    return ref


def test_publish_pushes_images_buildpackages_and_a_builder_that_names_the_registry(published):
    registry = published["registry"]
    version = tomllib.loads((REPO / "buildpacks" / "python" / "buildpack.toml").read_text())["buildpack"]["version"]
    assert {"bookworm", f"{version}-bookworm"} <= set(_tags(registry, "pycnb/builder"))
    for kind in ("build", "run"):
        assert {"bookworm", f"{version}-bookworm"} <= set(_tags(registry, f"pycnb/{kind}"))
    for bp in ("cpython", "pip", "pip-install", "python-start", "procfile", "python"):
        assert _tags(registry, f"pycnb/{bp}"), bp
    # A buildpackage is an index with one image per [[targets]] os/arch and distro version.
    index = _run(["curl", "-fsS", "-H", "Accept: application/vnd.oci.image.index.v1+json",
                  f"http://{registry}/v2/pycnb/cpython/manifests/{version}"])
    assert index.returncode == 0, index.stdout
    platforms = {(m["platform"]["os"], m["platform"]["architecture"], m["platform"].get("os.version"))
                 for m in json.loads(index.stdout)["manifests"]}
    assert platforms == {("linux", a, v) for a in ("amd64", "arm64") for v in ("12", "13")}, platforms
    builder = _pulled(published["builder"])
    meta = json.loads(_run(["docker", "image", "inspect", "--format",
                            '{{ index .Config.Labels "io.buildpacks.builder.metadata" }}', builder]).stdout)
    run_images = [meta.get("stack", {}).get("runImage", {}).get("image")]
    run_images += [i.get("image") for i in meta.get("images", [])]
    assert published["run"] in run_images, meta
    # The platform's settings, as defaults the lifecycle applies at detect and build.
    baked = _run(["docker", "run", "--rm", "--entrypoint", "cat", builder,
                  "/cnb/build-config/env/PIP_INDEX_URL.default"])
    assert baked.returncode == 0 and baked.stdout == published["index"], baked.stdout


def test_pack_build_publish_from_the_registry_builder(tmp_path, published, wheel_dir, index):
    """No --env: the builder's own settings reach the mirror and the index, and pack makes no
    temporary builder. A user's --env still wins over the builder's default."""
    from wheels import Index
    image = f"{published['registry']}/pycnb-test/flask-{uuid.uuid4().hex[:8]}"
    src = app(tmp_path, "flask")
    argv = ["pack", "build", image, "--builder", published["builder"], "--path", str(src),
            "--publish", "--network", "host", "--trust-builder", "--pull-policy", "if-not-present", "--verbose"]
    served = index.requests
    build = _run(argv, timeout=1800)
    print(build.stdout)
    assert build.returncode == 0
    assert "Creating builder with the following buildpacks" not in build.stdout  # pack's temporary builder
    assert "from BP_DEPENDENCY_CATALOG" in build.stdout and index.requests > served
    other = Index(wheel_dir)
    try:
        data, _ = serve_and_get(_pulled(image))
        assert data["flask"] == "3.1.3"
        again = _run(argv + ["--env", f"PIP_INDEX_URL={other.url()}"], timeout=1800)
        print(again.stdout)
        assert again.returncode == 0 and other.requests > 0
        assert "Installing requirements" in again.stdout  # the index is a build input
    finally:
        other.close()
        _run(["docker", "image", "rm", "-f", image])


def _creator(published, src: Path, work: Path, image: str, cache: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The lifecycle's creator inside the builder image, as Tekton's buildpacks task runs it:
    non-root, app/layers/platform as volumes, images straight to the registry."""
    builder = _pulled(published["builder"])
    meta = json.loads(_run(["docker", "image", "inspect", "--format",
                            '{{ index .Config.Labels "io.buildpacks.builder.metadata" }}', builder]).stdout)
    supported = meta["lifecycle"]["apis"]["platform"]["supported"]
    platform_api = max(supported, key=lambda v: tuple(int(p) for p in v.split(".")))
    layers, platform = work / "layers", work / "platform"
    for d in (layers, platform / "env"):
        d.mkdir(parents=True, exist_ok=True)
    for k, v in env.items():
        (platform / "env" / k).write_text(v)
    workspace = work / "workspace"
    shutil.copytree(src, workspace)
    for d in (workspace, layers):
        subprocess.run(["chown", "-R", "1000:1000", str(d)], check=True)
    argv = ["docker", "run", "--rm", "--network", "host", "--user", "1000:1000",
            "-e", f"CNB_PLATFORM_API={platform_api}", "-e", "CNB_REGISTRY_AUTH={}",
            "-v", f"{workspace}:/workspace", "-v", f"{layers}:/layers", "-v", f"{platform}:/platform:ro",
            builder, "/cnb/lifecycle/creator", "-app", "/workspace", "-layers", "/layers",
            "-platform", "/platform", "-run-image", published["run"], "-cache-image", cache, image]
    proc = _run(argv, timeout=1800)
    print(proc.stdout)
    print(f"creator used Platform API {platform_api}")
    return proc


def test_bare_creator_builds_pushes_and_reuses_the_cache_image(tmp_path, published, mirror_env, index):
    registry = published["registry"]
    name = uuid.uuid4().hex[:8]
    image, cache = f"{registry}/pycnb-test/creator-{name}", f"{registry}/pycnb-test/creator-cache-{name}"
    env = {**mirror_env, "PIP_INDEX_URL": index.url()}
    src = app(tmp_path, "flask")
    first = _creator(published, src, tmp_path / "first", image, cache, env)
    assert first.returncode == 0
    assert "Installing requirements" in first.stdout
    try:
        data, _ = serve_and_get(_pulled(image))
        assert data["flask"] == "3.1.3" and data["uid"] != 0
        second = _creator(published, src, tmp_path / "second", image, cache, env)
        assert second.returncode == 0
        assert "Reusing layer 'packages'" in second.stdout and "Installing requirements" not in second.stdout
    finally:
        _run(["docker", "image", "rm", "-f", image])


def _layer_owners(image: str) -> dict[str, str]:
    """diffID -> which layer it is (run image, a buildpack's layer, app, config, launcher)."""
    meta = json.loads(_run(["docker", "image", "inspect", "--format",
                            '{{ index .Config.Labels "io.buildpacks.lifecycle.metadata" }}', image]).stdout)
    owners: dict[str, str] = {}
    for bp in meta.get("buildpacks", []):
        for layer, info in (bp.get("layers") or {}).items():
            owners[info["sha"]] = f"{bp['key']}:{layer}"
    for key in ("app", "config", "launcher", "process-types"):
        value = meta.get(key)
        for entry in value if isinstance(value, list) else [value] if value else []:
            owners[entry["sha"]] = key
    return owners


def test_two_builds_from_empty_caches_give_the_same_image(tmp_path, images, mirror_env, index):
    env = {**mirror_env, "PIP_INDEX_URL": index.url()}
    built = []
    for attempt in ("a", "b"):
        image = images(f"repro-{attempt}")
        assert pack_build(image, app(tmp_path / attempt, "flask"), env).code == 0
        built.append(image)
    inspect = [json.loads(_run(["docker", "image", "inspect", image]).stdout)[0] for image in built]
    layers = [i["RootFS"]["Layers"] for i in inspect]
    owners = _layer_owners(built[0])
    differing = [owners.get(a, a) for a, b in zip(*layers) if a != b]
    assert not differing, f"layers that differ between two builds of the same source: {differing}"
    assert inspect[0]["Id"] == inspect[1]["Id"], "same layers but different image configs"
    print(f"reproducible image: {inspect[0]['Id']}")
