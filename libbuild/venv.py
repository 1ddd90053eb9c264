"""A venv as a layer: created without pip, filled by `pip --python`, described by an SBOM.

pip runs from the build's python3 (CPython's bundled pip, or pycnb/pip's), so the venv —
and the image — carry no pip of their own.
"""
from __future__ import annotations

from pathlib import Path
TYPE_CHECKING = False

from . import errors, execute, sbom, versions
from .log import Logger
from .pipconfig import PipConfig
from .python import failures

if TYPE_CHECKING:
    from typing import Callable, Optional
    from .context import BuildContext
    from .layers import Layer


def pip_in_use(ctx: "BuildContext", python: dict) -> str:
    """The pip that will install (pycnb/pip's, else the interpreter's); it must know --python."""
    version = ctx.setting("PYCNB_PIP_VERSION") or python["pip"] or ""
    parsed = versions.parse_version(version)
    if parsed and parsed < versions.parse_version("22.3"):
        raise errors.pip_too_old(version)
    return version


def packages_layer(ctx: "BuildContext", metadata: dict, title: str, config: PipConfig, python_version: str,
                   pip_args: Callable[[], list[str]], system_site_packages: bool = False,
                   installer: Optional[Callable[[Path, list[str], Path], None]] = None,
                   cache_name: str = "pip-cache", editable_project: Optional[Path] = None,
                   cache: bool = True) -> "Layer":
    """The `packages` layer as a venv, reused whole while `metadata` is unchanged, else built
    from empty with pip (`pip_args()` is asked for only then; nothing to install is fine),
    with pip's own cache in the cache-only `pip-cache` layer. `installer(venv, args, cache_dir)`
    replaces pip (uv does), with its cache in the layer `cache_name`. `editable_project` is
    then installed on top with pip, editable and without dependencies (they are in `pip_args()`).
    `cache=False` (the installer stated its build inputs): neither layer is kept in the cache, so
    a rebuild restores nothing; a launch-only `packages` is then reused by metadata."""
    installer_cache = ctx.layers.cached(cache_name, {}, cache=cache)
    layer = ctx.layers.cached("packages", metadata, build=ctx.plan.wants("site-packages", "build"),
                              launch=ctx.plan.wants("site-packages", "launch"), cache=cache)
    if not layer.reused:
        with ctx.log.section(title):
            args = pip_args()
            create(layer.path, config, ctx.log, system_site_packages)
            if installer is not None:  # it decides what to do with args (uv sync needs none)
                installer(layer.path, args, installer_cache.path)
            elif args:
                pip_install(layer.path, args, config, ctx.log, cwd=ctx.app_dir, cache_dir=installer_cache.path)
            if editable_project is not None:
                pip_install(layer.path, ["--no-deps", "--editable", str(editable_project)], config, ctx.log,
                            cwd=ctx.app_dir, cache_dir=installer_cache.path)
        layer.env.default("VIRTUAL_ENV", str(layer.path))
    if layer.path.is_dir():
        layer.sbom = distributions(layer.path, python_version)
        ctx.log.info(f"{len(layer.sbom)} distributions in the packages layer")
    # else reused by metadata: the lifecycle restored its SBOM with the previous image's.
    return layer


def create(path: Path, config: PipConfig, log: Logger, system_site_packages: bool = False) -> None:
    argv = ["python3", "-m", "venv", "--without-pip"]
    if system_site_packages:
        argv.append("--system-site-packages")
    execute.run(argv + [str(path)], log, env=config.environ, quiet=True)


def pip_install(venv: Path, args: list[str], config: PipConfig, log: Logger, cwd: Path,
                cache_dir: Optional[Path] = None) -> None:
    env = dict(config.environ)
    if cache_dir is not None:
        env["PIP_CACHE_DIR"] = str(cache_dir)
    argv = ["python3", "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-warn-script-location",
            *config.install_args(), *args]
    execute.run(argv, log, cwd=cwd, env=env, explain=lambda out: explain_failure(out, config))


def explain_failure(output: list[str], config: PipConfig) -> Optional[errors.UserError]:
    """The true cause of a failed pip run (certificate, unreachable index, missing package)."""
    return failures.explain(output, config.describe_index(), index_urls=[u for u in [config.index_url()] if u],
                            environ=config.environ)


def site_packages(venv: Path, python_version: str) -> Path:
    return venv / "lib" / f"python{versions.minor(python_version)}" / "site-packages"


def distributions(venv: Path, python_version: str) -> list[sbom.Component]:
    return sbom.python_distributions(site_packages(venv, python_version))
