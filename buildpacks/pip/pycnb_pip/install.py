"""pycnb/pip: installing pip (build.py imports this only when something installs with pip)."""
from __future__ import annotations

from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from libbuild import BuildContext, BuildResult, archives, errors, execute, interpreter, versions
from libbuild.dependencies import Dependency
from libbuild.pipconfig import PipConfig
from libbuild import buildinputs
from libbuild.versions import parse_version

PIP = "pip"


def install(ctx: BuildContext) -> BuildResult:
    """pip for this build: the bundled one, one from the catalog, or BP_PIP_VERSION from the index."""
    wanted = ctx.setting("BP_PIP_VERSION")
    if wanted and parse_version(wanted) is None:
        raise errors.invalid_setting("BP_PIP_VERSION", wanted, "a pip version such as 24.2")
    config = PipConfig.for_build(ctx.settings, ctx.bindings, ctx.app_dir, [])
    env = {**config.environ, "PIP_REQUIRE_VIRTUALENV": "0"}  # pip installs itself outside any venv
    python = interpreter.probe(env, ctx.log)
    # pycnb/cpython's layer has no pip installed (it never reaches the image); its stdlib keeps
    # the wheel ensurepip bundles, which this layer unpacks. Another CPython may have one installed.
    wheel = None if python["pip"] else _path(python.get("pip-wheel"))
    if wanted:
        install_from_index(ctx, config, env, python, wanted, wheel)
        return BuildResult()

    floor = str(ctx.buildpack.metadata.get("min-bundled-pip", ""))
    bundled = python["pip"] or wheel_version(wheel)
    if bundled and floor and versions.parse_version(bundled) >= versions.parse_version(floor):
        ctx.log.info(f"Using pip {bundled} bundled with CPython {python['version']} (no download)")
        use_bundled(ctx, python, bundled, wheel)
        return BuildResult()
    dep = catalog_pip(ctx, python["version"])
    if dep is None:
        ctx.log.warn(f"The bundled pip {bundled or '(none)'} is older than {floor} and the catalog has no pip for "
                     f"Python {python['version']}; using the bundled one.")
        use_bundled(ctx, python, bundled, wheel)
        return BuildResult()
    install_from_catalog(ctx, python, dep, bundled, floor)
    return BuildResult()


def _path(value: Optional[str]) -> Optional[Path]:
    return Path(value) if value else None


def wheel_version(wheel: Optional[Path]) -> str:
    """'26.2.1' for pip-26.2.1-py3-none-any.whl ('' without a wheel)."""
    return wheel.name.split("-")[1] if wheel is not None and wheel.name.count("-") >= 2 else ""


def _cache(ctx: BuildContext) -> bool:
    """Cached while some requirer needs pip at every build; when all of them state their build
    inputs, the next build most likely needs no pip at all, so nothing is restored for it."""
    return buildinputs.planned(ctx.plan.named("pip")) is None


def use_bundled(ctx: BuildContext, python: dict, bundled: str, wheel: Optional[Path]) -> None:
    if wheel is None:  # installed in the interpreter: the layer only records its version
        layer = ctx.layers.cached("pip", {"pip": "bundled", "python": python["version"]}, build=True, cache=_cache(ctx))
        layer.env.override("PYCNB_PIP_VERSION", bundled, scope="build")
        return
    layer = ctx.layers.cached("pip", {"pip": bundled, "from": "ensurepip", "python": python["version"]},
                              build=True, cache=_cache(ctx))
    if not layer.reused:
        unpack_pip(wheel, layer.path, python["version"])
    _use_layer(layer, bundled)


def catalog_pip(ctx: BuildContext, python_version: str) -> Optional[Dependency]:
    """The newest catalog pip whose requires-python admits this Python (platform catalogs
    may add entries; ours state requires-python in buildpack.toml)."""
    ours = {str(d.get("version")): str(d.get("requires-python", ""))
            for d in ctx.buildpack.metadata.get("dependencies", []) if d.get("id") == PIP}
    fitting = [v for v in ctx.catalog.versions(PIP, ctx.target)
               if not ours.get(v) or versions.matches(python_version, versions.parse_constraint(ours[v]))]
    best = versions.best(fitting, versions.parse_constraint(""))
    return ctx.catalog.find(PIP, f"=={best}", ctx.target) if best else None


def install_from_catalog(ctx: BuildContext, python: dict, dep: Dependency, bundled: str, floor: str) -> None:
    layer = ctx.layers.cached("pip", {"pip": dep.version, "checksum": dep.checksum, "python": python["version"]},
                              build=True, cache=_cache(ctx))
    if not layer.reused:
        with ctx.log.section(f"Installing pip {dep.version}"):
            ctx.log.info(f"The pip bundled with CPython {python['version']} ({bundled or 'none'}) is older than "
                         f"{floor}, the oldest this buildpack uses; installing pip {dep.version} from the catalog "
                         "(set BP_PIP_VERSION to choose another)")
            unpack_pip(ctx.fetcher().fetch(dep), layer.path, python["version"])
    else:
        ctx.log.info(f"Using pip {dep.version} (the bundled {bundled or 'none'} is older than {floor})")
    _use_layer(layer, dep.version)
    layer.sbom = [dep.component()]


def install_from_index(ctx: BuildContext, config: PipConfig, env: dict, python: dict, wanted: str,
                       wheel: Optional[Path]) -> None:
    layer = ctx.layers.cached("pip", {"pip": wanted, "python": python["version"]}, build=True, cache=_cache(ctx))
    if not layer.reused:
        with ctx.log.section(f"Installing pip {wanted}"):
            # Without an installed pip, the bundled wheel runs pip (as ensurepip runs it).
            run_env = {**env, "PYTHONUSERBASE": str(layer.path), **({"PYTHONPATH": str(wheel)} if wheel else {})}
            execute.run(["python3", "-m", "pip", "install", "--user", "--no-warn-script-location",
                         *config.install_args(), f"pip=={wanted}"], ctx.log, env=run_env)
    _use_layer(layer, wanted)


def unpack_pip(wheel: Path, prefix: Path, python_version: str) -> None:
    """Install pip's wheel (pure Python) by unpacking it into the user site of
    PYTHONUSERBASE=prefix: no pip is needed to install pip, and it takes a tenth of a second.
    Bytecode is written on first import; the layer is writable at build."""
    site = prefix / "lib" / f"python{versions.minor(python_version)}" / "site-packages"
    archives.extract(wheel, site, label=wheel.name)
    bin_dir = prefix / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in ("pip", "pip3"):
        script = bin_dir / name
        script.write_text('#!/bin/sh\nexec python3 -m pip "$@"\n')
        script.chmod(0o755)


def _use_layer(layer, version: str) -> None:
    # pip's user scheme: `python3 -m pip` finds this pip (before any the interpreter has).
    layer.env.override("PYTHONUSERBASE", str(layer.path), scope="build")
    layer.env.override("PYCNB_PIP_VERSION", version, scope="build")
