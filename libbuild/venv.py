"""A venv as a layer: created without pip, filled by `pip --python`, described by an SBOM.

pip runs from the build's python3 (CPython's bundled pip, or pycnb/pip's), so the venv —
and the image — carry no pip of their own.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from . import errors, execute, sbom
from .log import Logger
from .pipconfig import PipConfig

_NOT_FOUND = re.compile(r"No matching distribution found for (?P<req>\S+)")


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
    for line in reversed(output):
        match = _NOT_FOUND.search(line)
        if match:
            return errors.package_not_found(match["req"], config.describe_index())
    return None


def site_packages(venv: Path, python_version: str) -> Path:
    return venv / "lib" / f"python{'.'.join(python_version.split('.')[:2])}" / "site-packages"


def distributions(venv: Path, python_version: str) -> list[sbom.Component]:
    return sbom.python_distributions(site_packages(venv, python_version))
