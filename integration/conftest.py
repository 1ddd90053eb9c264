"""End-to-end tests: real pack, real lifecycle, real Docker engine, on 127.0.0.1 only.

The set-up (engine, pack, builder, mirror) is done by `make integration`; if any of it is
missing here the tests error out — they never skip.
"""
from __future__ import annotations

import json
import os
import tomllib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # loopback index and wheel helpers shared with the unit tests
TESTDATA = Path(__file__).resolve().parent / "testdata"
BUILDER = os.environ.get("PYCNB_BUILDER", "pycnb/builder:bookworm")
CACHE = Path(os.environ.get("PYCNB_CACHE", Path.home() / ".cache" / "pycnb"))
MIRROR = Path(os.environ.get("PYCNB_MIRROR_ROOT") or CACHE / "mirror")  # mirror/common.sh's MIRROR_ROOT


def platform_settings() -> dict[str, str]:
    """Settings every build on this machine's mirror needs (mirror/catalog.py writes them:
    BP_CPYTHON_DEFAULT_VERSION when the default line's source cannot be fetched here)."""
    path = MIRROR / "catalog" / "platform.env"
    lines = path.read_text().splitlines() if path.is_file() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def default_line() -> str:
    """The CPython line an app that requests none gets on this machine's mirror."""
    return platform_settings().get("BP_CPYTHON_DEFAULT_VERSION") or "3.14"


@dataclass
class Build:
    code: int
    output: str
    image: str


def _run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


@dataclass
class Mirror:
    """What `make -s mirror` prints: KEY=VALUE settings and pack arguments (lines starting with --)."""
    settings: dict[str, str]
    volumes: list[str]      # --volume values: the ca-certificates binding of the host's extra CAs, ...
    ca_binding: Path        # that binding's directory (only its type file on a machine without extra CAs)
    args: list[str]         # every pack argument, flags and values (the conda binding's --volume too)


@pytest.fixture(scope="session")
def mirror() -> Mirror:
    """`make -s mirror` (mirror/setup.sh) output, parsed by its contract (idempotent: seconds when warm)."""
    proc = subprocess.run(["bash", str(REPO / "mirror" / "setup.sh")], stdout=subprocess.PIPE, text=True, timeout=3600)
    assert proc.returncode == 0, "mirror set-up failed (see stderr above)"
    settings, args = {}, []
    for line in proc.stdout.splitlines():
        if line.startswith("--"):
            args += line.split(None, 1)
        else:
            assert "=" in line, f"not a KEY=VALUE setting or a pack argument: {line!r}"
            key, value = line.split("=", 1)
            settings[key] = value
    volumes = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--volume"]
    assert "BP_DEPENDENCY_MIRROR" in settings, proc.stdout
    ca = [v for v in volumes if v.split(":")[1] == "/platform/bindings/ca-certificates"]
    assert len(ca) == 1, proc.stdout
    return Mirror(settings, volumes, Path(ca[0].split(":")[0]), args)


@pytest.fixture(scope="session")
def mirror_env(mirror) -> dict[str, str]:
    """The settings `make -s mirror` prints."""
    return mirror.settings


@pytest.fixture(scope="session")
def mirror_args(mirror) -> list[str]:
    """The pack arguments `make -s mirror` prints (lines starting with --), e.g. the conda binding;
    without the ca-certificates binding, which only tests of the default index need."""
    ca = f"{mirror.ca_binding}:/platform/bindings/ca-certificates:ro"
    return [a for i, a in enumerate(mirror.args)
            if a != ca and not (a == "--volume" and i + 1 < len(mirror.args) and mirror.args[i + 1] == ca)]


def image_layers(image: str) -> list[str] | None:
    proc = subprocess.run(["docker", "image", "inspect", "--format", "{{json .RootFS.Layers}}", image],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return json.loads(proc.stdout) if proc.returncode == 0 else None


def scratch_images(builder: str) -> set[str]:
    """pack's scratch images (pack.local/builder/*, ...) made from `builder`: an ephemeral
    builder is the builder's layers plus a few with the build's --env values. pack must
    delete them when the build ends. Only those of our builder count because other people's
    builds may share this Docker engine."""
    listing = _run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"])
    assert listing.returncode == 0, listing.stdout
    base = image_layers(builder)
    assert base, f"{builder} missing: run `make builder`"
    found = set()
    for name in listing.stdout.split():
        if name.startswith("pack.local/"):
            layers = image_layers(name)  # None: deleted meanwhile
            if layers and layers[:len(base)] == base:
                found.add(name)
    return found


@pytest.fixture(scope="session", autouse=True)
def builder_ready():
    assert shutil.which("pack"), "pack is not installed: run `make integration`, which sets it up"
    assert _run(["docker", "info"]).returncode == 0, "no Docker engine answers: run `make integration`"
    assert _run(["docker", "image", "inspect", BUILDER]).returncode == 0, f"{BUILDER} missing: run `make builder`"
    before = scratch_images(BUILDER)
    yield
    # App images replaced by a rebuild under the same name.
    _run(["docker", "image", "prune", "-f", "--filter", "label=io.buildpacks.lifecycle.metadata"])
    leaked = scratch_images(BUILDER) - before
    assert not leaked, f"pack left scratch images behind (remove with `docker image rm`): {sorted(leaked)}"


@pytest.fixture
def images():
    """Image names for one test; removed afterwards with their build caches."""
    made: list[str] = []

    def new(prefix: str) -> str:
        name = f"pycnb-test/{prefix}-{uuid.uuid4().hex[:8]}"
        made.append(name)
        return name
    yield new
    for name in made:
        _run(["docker", "image", "rm", "-f", name])
        for vol in _run(["docker", "volume", "ls", "-q", "--filter", f"name=pack-cache-{name.replace('/', '_')}"]).stdout.split():
            _run(["docker", "volume", "rm", "-f", vol])


def app(tmp_path: Path, name: str) -> Path:
    """A private copy of a testdata app, free to modify."""
    dest = tmp_path / name
    shutil.copytree(TESTDATA / name, dest)
    return dest


def pack_build(image: str, path: Path, env: dict[str, str] | None = None, network: str = "host",
               volumes: list[str] = (), args: list[str] = (), builder: str = BUILDER) -> Build:
    argv = ["pack", "build", image, "--builder", builder, "--path", str(path), "--network", network,
            "--pull-policy", "never", "--trust-builder", "--timestamps", *args]
    for k, v in {**platform_settings(), **(env or {})}.items():
        argv += ["--env", f"{k}={v}"]
    for v in volumes:
        argv += ["--volume", v]
    proc = _run(argv, timeout=3600)
    print(proc.stdout)  # shown by pytest on failure
    return Build(proc.returncode, proc.stdout, image)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_and_get(image: str, path: str = "/", timeout: float = 60) -> tuple[dict, str]:
    """Run the image's default process with PORT set, GET it over loopback, stop it."""
    port = free_port()
    cid = _run(["docker", "run", "-d", "--network", "host", "-e", f"PORT={port}", image]).stdout.strip()
    try:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
                    body = resp.read().decode()
                    return json.loads(body) if body.startswith("{") else {}, body
            except OSError as exc:
                last = exc
                time.sleep(0.5)
        logs = _run(["docker", "logs", cid]).stdout
        raise AssertionError(f"no HTTP answer on port {port} within {timeout}s ({last}); container logs:\n{logs}")
    finally:
        _run(["docker", "rm", "-f", cid])


WHEELS = CACHE / "wheels"


@pytest.fixture(scope="session")
def wheel_dir(tmp_path_factory) -> Path:
    """App wheels and pipenv's, fetched by `make integration` (tools/fetch-wheels.sh)."""
    merged = tmp_path_factory.mktemp("wheels")
    for name in ("apps", "pipenv"):
        src = WHEELS / name
        assert (src / ".stamp").exists(), f"{src} missing: run `make integration`, which fetches it"
        for whl in src.glob("*.whl"):
            if not (merged / whl.name).exists():
                (merged / whl.name).symlink_to(whl)
    return merged


@pytest.fixture(scope="session")
def index(wheel_dir):
    """A PEP 503 index on 127.0.0.1 serving the cached wheels."""
    from wheels import Index
    idx = Index(wheel_dir)
    yield idx
    idx.close()


def vendor_wheels(src: Path, wheel_dir: Path) -> None:
    """Vendor every cached wheel into the app's wheelhouse/ (air-gapped apps)."""
    (src / "wheelhouse").mkdir()
    for whl in wheel_dir.glob("*.whl"):
        shutil.copy(whl.resolve(), src / "wheelhouse" / whl.name)


def offline_cpython(tmp_path: Path) -> tuple[dict[str, str], list[str]]:
    """Settings and volumes for a --network none build: the mirror directory mounted at
    /mirror, its catalog read from there, and each prebuilt mapped (by checksum) to its file."""
    mirror_dir = MIRROR
    catalog = (mirror_dir / "catalog" / "cpython.toml").read_text()
    binding = tmp_path / "offline-cpython"
    binding.mkdir()
    (binding / "type").write_text("dependency-mapping")
    uri = None
    mapped = 0
    for line in catalog.splitlines():
        if line.startswith("uri = "):
            uri = line.split("=", 1)[1].strip().strip('"')
        elif line.startswith("checksum = ") and uri:
            checksum = line.split("=", 1)[1].strip().strip('"').removeprefix("sha256:")
            (binding / checksum).write_text("file:///mirror/" + uri.split("://", 1)[1].split("/", 1)[1])
            uri, mapped = None, mapped + 1
    assert mapped, f"no prebuilt in the mirror catalog:\n{catalog}"
    # The pip buildpack's catalog wheels (installed when a bundled pip is too old), by checksum too.
    for dep in tomllib.loads((REPO / "buildpacks/pip/buildpack.toml").read_text())["metadata"]["dependencies"]:
        (binding / dep["checksum"].removeprefix("sha256:")).write_text("file:///mirror/" + dep["uri"].split("://", 1)[1])
    return ({"BP_DEPENDENCY_CATALOG": "file:///mirror/catalog/cpython.toml"},
            [f"{mirror_dir}:/mirror:ro", f"{binding}:/platform/bindings/offline-cpython:ro"])


def launcher_run(image: str, *command: str) -> subprocess.CompletedProcess:
    """A command in the image's launch environment."""
    return _run(["docker", "run", "--rm", "--network", "none", "--entrypoint", "launcher", image, *command])


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    """A real S3 server (versitygw, built once and cached) on 127.0.0.1 for this session."""
    from s3server import S3Server, versitygw
    server = S3Server(tmp_path_factory.mktemp("s3"), versitygw())
    yield server
    server.close()


@pytest.fixture(scope="session")
def tools_index(wheel_dir, tmp_path_factory):
    """The app index plus Poetry's and Django's wheels (`make integration` fetches them);
    kept apart from `index` so vendored wheelhouses stay small."""
    from wheels import Index
    merged = tmp_path_factory.mktemp("tools-wheels")
    for src in [wheel_dir, WHEELS / "poetry", WHEELS / "django"]:
        assert src == wheel_dir or (src / ".stamp").exists(), f"{src} missing: run `make integration`, which fetches it"
        for whl in src.glob("*.whl"):
            if not (merged / whl.name).exists():
                (merged / whl.name).symlink_to(whl.resolve())
    idx = Index(merged)
    yield idx
    idx.close()
