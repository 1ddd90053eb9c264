"""uv configured like pip: the same index, pip binding, wheelhouse and find-links that
libbuild.pipconfig gives pip, translated to uv's own variables and options.

uv does not read pip.conf, so a `pip` binding's settings become UV_* variables of the uv
process only (never a layer's env, so credentials stay out of the image and metadata).
"""
from __future__ import annotations

import re
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from .. import errors, execute
from ..log import Logger
from ..pipconfig import PipConfig

# pip setting (environment name, pip.conf key) -> uv variable
_MAPPED = (("PIP_EXTRA_INDEX_URL", "extra-index-url", "UV_EXTRA_INDEX_URL"),
           ("PIP_TRUSTED_HOST", "trusted-host", "UV_INSECURE_HOST"),
           ("PIP_TIMEOUT", "timeout", "UV_HTTP_TIMEOUT"),
           ("PIP_DEFAULT_TIMEOUT", "default-timeout", "UV_HTTP_TIMEOUT"),
           ("PIP_CERT", "cert", "SSL_CERT_FILE"),
           ("PIP_PRE", "pre", "UV_PRERELEASE"))
_NOT_FOUND = re.compile(r"Because (?P<req>\S+) was not found in the (?:package registry|provided package locations)")


def environ(config: PipConfig, cache_dir: Optional[Path] = None) -> dict[str, str]:
    """The environment for a uv run: the build's, plus the pip configuration in uv's terms."""
    env = {k: v for k, v in config.environ.items() if not k.startswith("UV_") or k in _USER_UV}
    index = config.index_url()
    if index:
        env["UV_INDEX_URL"] = index
    for pip_env, conf_key, uv_env in _MAPPED:
        value = config.environ.get(pip_env) or _conf(config, conf_key)
        if value and uv_env not in env:
            env[uv_env] = "allow" if uv_env == "UV_PRERELEASE" else " ".join(value.split())
    env.update(UV_PYTHON_DOWNLOADS="never", UV_COMPILE_BYTECODE="1", UV_LINK_MODE="copy", UV_NO_PROGRESS="1",
               UV_PYTHON_PREFERENCE="only-system")
    if cache_dir is not None:
        env["UV_CACHE_DIR"] = str(cache_dir)
    else:
        env["UV_NO_CACHE"] = "1"
    return env


# UV_* settings a user may pass through (those that only tune how uv works, not where it installs).
_USER_UV = ("UV_HTTP_TIMEOUT", "UV_CONCURRENT_DOWNLOADS", "UV_CONCURRENT_INSTALLS", "UV_INDEX_STRATEGY",
            "UV_NATIVE_TLS", "UV_INSECURE_HOST", "UV_EXTRA_INDEX_URL", "UV_INDEX_URL", "UV_DEFAULT_INDEX",
            "UV_INDEX", "UV_KEYRING_PROVIDER", "UV_PRERELEASE")


def _conf(config: PipConfig, key: str) -> Optional[str]:
    for section in ("install", "global"):
        if config._conf.has_option(section, key):
            return config._conf.get(section, key)
    return None


def has_platform_index(config: PipConfig) -> bool:
    """Whether the platform chose where packages come from (index, binding, wheelhouse, find-links)."""
    return bool(config.has_platform_index() or config.no_index or config.find_links
                or config.environ.get("UV_INDEX_URL") or config.environ.get("UV_DEFAULT_INDEX"))


def index_args(config: PipConfig) -> list[str]:
    args = ["--no-index"] if config.no_index else []
    for link in config.find_links:
        args += ["--find-links", link]
    return args


def version(env: dict[str, str], log: Logger) -> str:
    """The version of the uv on PATH ("uv 0.13.9" -> "0.13.9")."""
    try:
        out = execute.run(["uv", "--version"], log, env=env, quiet=True)
    except errors.UserError as exc:
        if exc.code == "command-missing":
            raise errors.uv_missing() from None
        raise
    return out[-1].split()[1] if out and len(out[-1].split()) > 1 else "unknown"


def explain_failure(output: list[str], config: PipConfig) -> Optional[errors.UserError]:
    for line in output:
        match = _NOT_FOUND.search(line)
        if match:
            return errors.package_not_found(match["req"], config.describe_index())
    return None
