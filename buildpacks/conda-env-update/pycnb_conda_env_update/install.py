"""Installing an environment file or a conda lock into the conda-env layer with pycnb/miniconda's conda."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from libbuild import BuildContext, BuildResult, appfiles, buildinputs, execute, sbom, yamlfile
from libbuild import errors as common_errors
from libbuild.conda import buildinputs as condainputs
from libbuild.conda import locks, vendor
from libbuild.conda.channels import ChannelConfig, redact
from libbuild.errors import UserError
from libbuild.pipconfig import SOURCE_DATE_EPOCH, PipConfig

from . import envfile, errors, inputs

SUBDIRS = {"amd64": "linux-64", "arm64": "linux-aarch64"}
SETTINGS = ("BP_CONDA_DISTRIBUTION",)


def install(ctx: BuildContext, found: inputs.Input, digest: Optional[str], at_build: bool) -> BuildResult:
    """The environment: reused by metadata, or installed from empty into its layer."""
    subdir = SUBDIRS.get(ctx.target.arch, f"linux-{ctx.target.arch}")
    scratch = Path(tempfile.mkdtemp(prefix="conda-env-update-"))
    try:
        return _install_layer(ctx, found, subdir, scratch, digest, at_build)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)  # it holds the .condarc with credentials


def _install_layer(ctx: BuildContext, found: inputs.Input, subdir: str, scratch: Path, digest: Optional[str],
                   at_build: bool) -> BuildResult:
    others = [n for n in ("requirements.txt", "Pipfile", "pyproject.toml") if (ctx.app_dir / n).is_file()]
    if others:
        ctx.log.info(f"Building as a conda app from {found.name} ({', '.join(others)} is left to the environment)")
    with ctx.log.section(f"Reading {found.name}"):
        req = _read(ctx, found, subdir, scratch)
    pip_config = PipConfig.for_build(ctx.settings, ctx.bindings, ctx.app_dir, []) if req.pip else None
    metadata = _metadata(ctx, req, pip_config)
    if digest:
        metadata[buildinputs.PLAN_KEY] = digest
    # Launch-only unless a later buildpack needs the environment at build: its metadata comes
    # back with the previous image, so it is reused with no restore and no re-tar.
    layer = ctx.layers.cached("conda-env", metadata, launch=True, cache=at_build, build=at_build)
    if not layer.reused:
        if not condainputs.conda_at_build(ctx.environ):
            raise common_errors.build_inputs_disagree("pycnb/conda-env-update", "conda")
        # The package cache is worth restoring only while conda runs at every build (no digest).
        pkgs = ctx.layers.cached("conda-pkgs", {}, cache=not digest)
        _install(ctx, req, layer.path, pkgs.path, scratch)
        if req.pip:
            with ctx.log.section(f"Installing {len(req.pip)} pip package(s) with the environment's pip"):
                _pip_install(ctx, layer.path, req.pip, pip_config, found.name, scratch)
        _finish(ctx, layer.path)
        layer.env.override("CONDA_PREFIX", str(layer.path))
        for name, value in sorted(req.env.variables.items() if req.env else ()):
            layer.env.override(name, value, scope="launch")
    if layer.reused and not at_build:
        return BuildResult()  # metadata only: its SBOM comes back with the previous image's
    layer.sbom = sbom.conda_packages(layer.path) + _pip_only(layer.path)
    ctx.log.info(f"{len(layer.sbom)} packages in the conda-env layer")
    return BuildResult()


@dataclass
class Request:
    """What to install: an environment file or a lock, from which channels."""
    found: inputs.Input
    raw: str
    config: ChannelConfig
    channels: list[str]
    subdir: str
    env: Optional[envfile.EnvFile] = None
    lock: Optional[locks.Lock] = None
    pip: list[str] = field(default_factory=list)
    vendored: Optional[Path] = None

    @property
    def shown(self) -> list[str]:
        return [redact(c) for c in self.channels]


def _read(ctx: BuildContext, found: inputs.Input, subdir: str, scratch: Path) -> Request:
    raw = appfiles.read_text(ctx.app_dir, found.name, found.name)
    config = ChannelConfig.load(appfiles.read_optional_text(ctx.app_dir, ".condarc"), ctx.bindings)
    for secret in config.secrets():
        ctx.log.add_secret(secret)
    env = envfile.parse(raw, found.name) if found.kind == "environment" else None
    lock = None if env else _read_lock(found, raw, subdir)
    req = Request(found, raw, config, config.resolve(env.channels if env else []), subdir, env, lock,
                  env.pip if env else lock.pip, vendor.find(ctx.app_dir))
    if req.vendored is not None:
        ctx.log.info(f"Using only the vendored channel {req.vendored.name}/ (offline)")
        req.channels = [_vendor_url(req.vendored, scratch)]
    ctx.log.info(f"Channels: {', '.join(req.shown)}" + (f" (configured by {', '.join(config.sources)})" if config.sources else ""))
    return req


def _metadata(ctx: BuildContext, req: Request, pip_config: Optional[PipConfig]) -> dict:
    """Everything that decides the environment's contents, without credentials."""
    return {
        "input": hashlib.sha256(req.raw.encode()).hexdigest()[:16],
        "kind": req.found.kind,
        "channels": _digest(req.shown if req.vendored is None else _vendor_digest(req.vendored))[:16],
        "subdir": req.subdir,
        "virtual-packages": _virtual_packages(),
        "settings": _digest({k: ctx.setting(k) for k in SETTINGS})[:16],
        "pip": pip_config.fingerprint()[:16] if pip_config else "",
    }


def _install(ctx: BuildContext, req: Request, prefix: Path, pkgs: Path, scratch: Path) -> None:
    """conda env update (an environment file) or conda create (a lock) into an empty prefix."""
    conda_env = {**dict(ctx.settings), "CONDARC": str(_write_condarc(req.config, req.channels, scratch)),
                 "CONDA_PKGS_DIRS": str(pkgs), "CONDA_SUBDIR": req.subdir}
    prefix.rmdir()  # conda makes the prefix itself
    title = "Solving and installing the environment" if req.env else f"Installing exactly what {req.found.name} locks"
    with ctx.log.section(title):
        explain = lambda out: _explain(out, req.shown, req.found.name)  # noqa: E731
        if req.env is not None:
            env_path = scratch / "environment.yml"
            env_path.write_text(json.dumps(req.env.for_conda(req.channels)))  # JSON is YAML
            argv = ["conda", "env", "update", "--prefix", prefix, "--file", env_path, "--prune"]
        else:
            env_path = scratch / "lock.txt"
            env_path.write_text(_lock_text(ctx, req))
            argv = ["conda", "create", "--prefix", prefix, "--file", env_path]
        execute.run(argv, ctx.log, env=conda_env, cwd=ctx.app_dir, explain=explain)
        _log_solved(ctx, prefix, conda_env)


def _read_lock(found: inputs.Input, raw: str, subdir: str) -> locks.Lock:
    if found.kind == "conda-lock":
        lock = locks.parse_conda_lock(yamlfile.loads(raw, found.name), found.name, subdir)
    elif found.kind == "pixi":
        lock = locks.parse_pixi_lock(yamlfile.loads(raw, found.name), found.name, subdir)
    else:
        lock = locks.parse_text(raw, found.name)
    locks.check_platform(lock, subdir, found.name)
    return lock


def _lock_text(ctx: BuildContext, req: Request) -> str:
    """What `conda create --file` gets: name=version=build lines, or the explicit URLs — taken
    from the vendored channel when it has the file (offline), else moved onto the channel's
    configured location (a platform's mirror)."""
    if req.lock.kind == "package-list":
        return "\n".join(s.replace(" ==", "=").replace(" ", "=") for s in req.lock.specs) + "\n"
    vendored = req.channels[0] if req.vendored is not None else None

    def where(url: str) -> str:
        subdir, file_name = url.rsplit("/", 2)[1:]
        if req.vendored is not None and (req.vendored / subdir / file_name).is_file():
            return f"{vendored}/{subdir}/{file_name}"
        return req.config.mirrored(url)
    text = req.lock.to_explicit(req.subdir, where)
    moved = sum(1 for p in req.lock.packages if where(p.url) != p.url)
    if moved:
        ctx.log.info(f"{moved} of {len(req.lock.packages)} locked packages come from "
                     + ("the vendored channel" if vendored else "the channels' configured location"))
    return text


def _vendor_url(channel: Path, scratch: Path) -> str:
    if vendor.needs_index(channel):
        if vendor.has_conda_format(channel):
            raise errors.vendor_needs_index(vendor.VENDOR_DIR)
        channel = vendor.indexed(channel, scratch)
    return channel.resolve().as_uri()


def _vendor_digest(channel: Path) -> list:
    return sorted((str(p.relative_to(channel)), p.stat().st_size) for p in channel.rglob("*") if p.is_file())


def _write_condarc(config: ChannelConfig, channels: list[str], scratch: Path) -> Path:
    path = scratch / "condarc"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(config.to_condarc(channels))
    return path


def _virtual_packages() -> str:
    try:
        return "glibc=" + os.confstr("CS_GNU_LIBC_VERSION").split()[-1]
    except (ValueError, OSError, AttributeError, IndexError):
        return "unknown"


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _explain(output: list[str], channels: list[str], origin: str) -> Optional[UserError]:
    for line in reversed(output):
        kind, _, detail = line.strip().partition(": ")
        if kind == "UnsatisfiableError":
            specs = detail.split(" from ", 1)[0].removeprefix("cannot satisfy ")
            return errors.unsatisfiable(specs, channels, detail.split(": ", 1)[-1])
        if kind == "UnavailableInvalidChannel":
            return errors.channel_unavailable(channels, detail)
        if kind == "CondaVerificationError":
            return errors.hash_mismatch(origin, detail)
        if kind == "PackagesNotFoundError":
            return errors.packages_not_found(origin, detail)
    return None


def _log_solved(ctx: BuildContext, prefix: Path, env: dict) -> None:
    listing = execute.run(["conda", "list", "--prefix", prefix, "--explicit", "--sha256"], ctx.log, env=env, quiet=True)
    urls = [line for line in listing if "://" in line]
    ctx.log.info(f"{len(urls)} packages in the environment:")
    for url in urls:
        ctx.log.detail(url.split("#")[0].rsplit("/", 1)[-1])


def _pip_install(ctx: BuildContext, prefix: Path, pip: list[str], config: PipConfig, origin: str, scratch: Path) -> None:
    python = prefix / "bin" / "python"
    execute.run([python, "-c", "import pip"], ctx.log, env=config.environ, quiet=True,
                explain=lambda out: errors.pip_missing(origin))
    requirements = scratch / "pip-requirements.txt"
    requirements.write_text("\n".join(pip) + "\n")
    from libbuild import venv  # pip's failures are explained the way pip-install explains them
    execute.run([python, "-m", "pip", "install", "--no-warn-script-location", "--no-cache-dir",
                 *config.install_args(), "-r", requirements], ctx.log, cwd=ctx.app_dir, env=config.environ,
                explain=lambda out: venv.explain_failure(out, config))


def _finish(ctx: BuildContext, prefix: Path) -> None:
    """What the image must not carry, and bytecode compiled once, reproducibly."""
    for junk in ("conda-meta/history", "CACHEDIR.TAG", "pkgs"):
        path = prefix / junk
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    if not (prefix / "bin" / "python").exists():
        return  # an environment without Python has nothing to compile
    with ctx.log.section("Compiling bytecode"):
        epoch = ctx.settings.get("SOURCE_DATE_EPOCH") or SOURCE_DATE_EPOCH
        # With SOURCE_DATE_EPOCH set, py_compile writes hash-checked .pyc files (no timestamps).
        execute.run([prefix / "bin" / "python", "-c", _COMPILE, prefix], ctx.log,
                    env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SOURCE_DATE_EPOCH": epoch}, quiet=True)


# site-packages whole; of the standard library only what its package shipped no bytecode for
# (recompiling all of it would double the cold install for nothing).
_COMPILE = """
import compileall, importlib.util, pathlib, sys
ok = True
for lib in pathlib.Path(sys.argv[1]).glob("lib/python3*"):
    if (lib / "site-packages").is_dir():
        ok = compileall.compile_dir(lib / "site-packages", quiet=1, workers=0) and ok
    for py in lib.rglob("*.py"):
        if "site-packages" not in py.parts and not pathlib.Path(importlib.util.cache_from_source(str(py))).exists():
            compileall.compile_file(py, quiet=2)
sys.exit(0 if ok else 1)
"""


def _pip_only(prefix: Path) -> list[sbom.Component]:
    """Distributions pip installed (the conda packages are in conda-meta already)."""
    out = []
    for site in sorted(prefix.glob("lib/python*/site-packages")):
        for comp in sbom.python_distributions(site):
            installer = next(site.glob(f"{comp.name.replace('-', '_')}-{comp.version}.dist-info/INSTALLER"), None)
            if installer is not None and installer.read_text().strip() == "pip":
                out.append(comp)
    return out
