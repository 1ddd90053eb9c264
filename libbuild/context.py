"""What detect and build are given: app, buildpack, platform, target, plan, layers."""
from __future__ import annotations

import collections
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from . import bindings as _bindings
from . import errors
from .descriptors import BuildPlan, BuildpackDescriptor, BuildpackPlan, Distro, Process, Target
from .log import Logger

_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm"}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def read_platform_env(platform_dir: Path) -> dict[str, str]:
    """<platform>/env/<NAME> files; contents are literal values."""
    env_dir = platform_dir / "env"
    if not env_dir.is_dir():
        return {}
    # A value that is not UTF-8 is kept, with the bad bytes replaced, rather than failing every buildpack.
    return {f.name: f.read_text(errors="replace") for f in sorted(env_dir.iterdir()) if f.is_file()}


def build_target(environ: Mapping[str, str]) -> Target:
    """CNB_TARGET_* as the lifecycle sets them; the running system fills gaps (older platforms)."""
    uname = os.uname()
    os_name = environ.get("CNB_TARGET_OS") or uname.sysname.lower()
    machine = uname.machine
    arch = environ.get("CNB_TARGET_ARCH") or _ARCH.get(machine, machine)
    distro_name = environ.get("CNB_TARGET_DISTRO_NAME", "")
    distro_version = environ.get("CNB_TARGET_DISTRO_VERSION", "")
    if not distro_name:
        release = _os_release()
        distro_name, distro_version = release.get("ID", ""), distro_version or release.get("VERSION_ID", "")
    distros = (Distro(distro_name, distro_version),) if distro_name else ()
    return Target(os_name, arch, environ.get("CNB_TARGET_ARCH_VARIANT", ""), distros)


def _os_release() -> dict[str, str]:
    try:
        lines = Path("/etc/os-release").read_text().splitlines()
    except OSError:
        return {}
    pairs = (line.split("=", 1) for line in lines if "=" in line)
    return {k: v.strip().strip('"') for k, v in pairs}


class Context:
    """Shared by detect and build."""

    def __init__(self, buildpack_dir: Path, environ: Optional[Mapping[str, str]] = None,
                 log: Optional[Logger] = None):
        self.environ: Mapping[str, str] = dict(os.environ if environ is None else environ)
        self.app_dir = Path.cwd()
        self.buildpack_dir = buildpack_dir
        self.buildpack = BuildpackDescriptor.read(buildpack_dir / "buildpack.toml")
        self.platform_dir = Path(self.environ.get("CNB_PLATFORM_DIR", "/platform"))
        self.platform_env = read_platform_env(self.platform_dir)
        # Variables the lifecycle passed first; the platform's files fill in what clear-env withheld.
        self.settings: Mapping[str, str] = collections.ChainMap(dict(self.environ), self.platform_env)
        self.target = build_target(self.environ)
        self.log = log or Logger(debug=self.settings.get("BP_LOG_LEVEL", "").upper() == "DEBUG")
        self._bindings: Optional[list[_bindings.Binding]] = None

    def setting(self, name: str, default: Optional[str] = None) -> Optional[str]:
        value = self.settings.get(name)
        return default if value is None or value.strip() == "" else value.strip()

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.settings.get(name)
        if value is None:
            return default
        if value.strip().lower() in _TRUE:
            return True
        if value.strip().lower() in _FALSE:
            return False
        raise errors.invalid_setting(name, value, "true or false")

    def list_setting(self, name: str) -> list[str]:
        return [item.strip() for item in (self.setting(name) or "").split(",") if item.strip()]

    @property
    def bindings(self) -> list[_bindings.Binding]:
        if self._bindings is None:
            self._bindings = _bindings.discover(self.settings, self.platform_dir)
            for b in self._bindings:
                for secret in b.secret_values():
                    self.log.add_secret(secret)
        return self._bindings


class DetectContext(Context):
    @property
    def plan_path(self) -> Path:
        return Path(self.environ["CNB_BUILD_PLAN_PATH"])


class BuildContext(Context):
    def __init__(self, buildpack_dir: Path, environ: Optional[Mapping[str, str]] = None,
                 log: Optional[Logger] = None):
        super().__init__(buildpack_dir, environ, log)
        from .layers import Layers
        self.layers_dir = Path(self.environ["CNB_LAYERS_DIR"])
        self.plan = BuildpackPlan.read(self.environ["CNB_BP_PLAN_PATH"]) if self.environ.get("CNB_BP_PLAN_PATH") else BuildpackPlan()
        self.layers = Layers(self.layers_dir, self.log)
        self._catalog = None
        self._fetcher = None

    @property
    def catalog(self):
        from .dependencies import Catalog
        if self._catalog is None:
            self._catalog = Catalog.load(self.buildpack.metadata, self.settings, self.bindings, self.log)
        return self._catalog

    def fetcher(self, cache_dir: Optional[Path] = None):
        from .dependencies import DependencyFetcher
        if self._fetcher is None:
            self._fetcher = DependencyFetcher(self.settings, self.bindings, self.log, cache_dir)
        return self._fetcher


@dataclass
class DetectResult:
    """What detect decided, and why."""
    passed: bool
    reason: str = ""
    plan: Optional[BuildPlan] = None


def opt_in(reason: str, plan: Optional[BuildPlan] = None) -> DetectResult:
    return DetectResult(True, reason, plan)


def opt_out(reason: str) -> DetectResult:
    return DetectResult(False, reason)


@dataclass
class BuildResult:
    """What build hands back to the lifecycle besides its layers."""
    processes: list[Process] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    slices: list[list[str]] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    store: Optional[dict[str, Any]] = None
