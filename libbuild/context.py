"""What detect and build are given: app, buildpack, platform, target, plan, layers."""
from __future__ import annotations

import collections
import os
from pathlib import Path

from .detection import DetectResult, opt_in, opt_out  # noqa: F401 (the detect API, re-exported)
from .log import Logger

TYPE_CHECKING = False  # typing itself is not imported on the detect path
if TYPE_CHECKING:
    from typing import Mapping, Optional

    from . import bindings as _bindings
    from .descriptors import BuildpackDescriptor, Target

# Detect runs once per buildpack per group on every build: what only some detects or only
# build need (TOML parsing, dataclasses, bindings, the error catalog) is imported on first use.

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


def build_target(environ: Mapping[str, str]) -> "Target":
    """CNB_TARGET_* as the lifecycle sets them; the running system fills gaps (older platforms)."""
    from .descriptors import Distro, Target
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


def _buildpack_id(path: Path) -> str:
    """`id = "..."` of the [buildpack] table, when written plainly on one line; else ""."""
    table = ""
    try:
        text = path.read_text()
    except OSError:
        return ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            table = line
        elif table == "[buildpack]" and line.startswith("id") and "=" in line:
            key, _, value = line.partition("=")
            value = value.strip()
            if key.strip() == "id" and len(value) > 2 and value[0] == value[-1] == '"' and '"' not in value[1:-1] \
                    and all(c.isascii() and (c.isalnum() or c in "./-") for c in value[1:-1]):
                return value[1:-1]
            return ""
    return ""


class Context:
    """Shared by detect and build."""

    def __init__(self, buildpack_dir: Path, environ: Optional[Mapping[str, str]] = None,
                 log: Optional[Logger] = None):
        self.environ: Mapping[str, str] = dict(os.environ if environ is None else environ)
        self.app_dir = Path.cwd()
        self.buildpack_dir = buildpack_dir
        self._buildpack: Optional["BuildpackDescriptor"] = None
        self._target: Optional["Target"] = None
        self.platform_dir = Path(self.environ.get("CNB_PLATFORM_DIR", "/platform"))
        self.platform_env = read_platform_env(self.platform_dir)
        # Variables the lifecycle passed first; the platform's files fill in what clear-env withheld.
        self.settings: Mapping[str, str] = collections.ChainMap(dict(self.environ), self.platform_env)
        self.log = log or Logger(debug=self.settings.get("BP_LOG_LEVEL", "").upper() == "DEBUG")
        self._bindings: Optional[list["_bindings.Binding"]] = None

    @property
    def buildpack(self) -> "BuildpackDescriptor":
        """buildpack.toml, parsed on first use."""
        if self._buildpack is None:
            from .descriptors import BuildpackDescriptor
            self._buildpack = BuildpackDescriptor.read(self.buildpack_dir / "buildpack.toml")
        return self._buildpack

    @property
    def buildpack_id(self) -> str:
        """The id from buildpack.toml; detect reads just that line rather than parse the TOML."""
        if self._buildpack is None:
            found = _buildpack_id(self.buildpack_dir / "buildpack.toml")
            if found:
                return found
        return self.buildpack.id

    @property
    def module_name(self) -> str:
        """The Python package holding this buildpack's logic: pycnb/pip-install -> pycnb_pip_install."""
        return "".join(c if c.isascii() and c.isalnum() else "_" for c in self.buildpack_id)

    @property
    def target(self) -> "Target":
        if self._target is None:
            self._target = build_target(self.environ)
        return self._target

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
        from . import errors
        raise errors.invalid_setting(name, value, "true or false")

    def list_setting(self, name: str) -> list[str]:
        return [item.strip() for item in (self.setting(name) or "").split(",") if item.strip()]

    def has_bindings(self) -> bool:
        """Whether any binding is mounted at all: a cheap test before parsing them."""
        for root in (self.settings.get("SERVICE_BINDING_ROOT") or "", str(self.platform_dir / "bindings")):
            if root and os.path.isdir(root) and any(os.scandir(root)):
                return True
        return False

    @property
    def bindings(self) -> list["_bindings.Binding"]:
        if self._bindings is None:
            from . import bindings as _bindings
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
        from .descriptors import BuildpackPlan
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


def __getattr__(name: str):
    # BuildResult lives with the other build-time dataclasses; this keeps the old import path.
    if name == "BuildResult":
        from .descriptors import BuildResult
        return BuildResult
    raise AttributeError(name)
