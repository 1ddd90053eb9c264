"""The `conda` command of pycnb/miniconda's default distribution, over py-rattler.

It speaks exactly the subset the buildpacks and users' build scripts need, with conda's
own spelling; everything else fails with one message listing what is supported:

    conda --version | conda info
    conda env create|update --prefix P --file ENV.yml [--prune]
    conda create --prefix P --file LOCK          (@EXPLICIT file or name=version=build list)
    conda list --prefix P --explicit [--sha256]

Configuration, as conda reads it: CONDARC (a .condarc: channel_alias, custom_channels,
default_channels, channels), CONDA_PKGS_DIRS (the package cache), CONDA_SUBDIR.
Failures print one line `<Kind>: <message>` (conda's error names) and exit 1.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import platform
import sys
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

USAGE = ("supported: conda --version | conda info | conda env create|update --prefix P --file F [--prune] | "
         "conda create --prefix P --file LOCK | conda list --prefix P --explicit [--sha256]")
VERSION = "0.1.0"


class CondaError(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _subdir() -> str:
    if os.environ.get("CONDA_SUBDIR"):
        return os.environ["CONDA_SUBDIR"]
    return {"x86_64": "linux-64", "aarch64": "linux-aarch64"}.get(platform.machine(), f"linux-{platform.machine()}")


def _pkgs_dir() -> Path:
    first = (os.environ.get("CONDA_PKGS_DIRS") or "").split(",")[0].strip()
    return Path(first) if first else Path.home() / ".conda" / "pkgs"


def _config():
    from libbuild.conda.channels import ChannelConfig, parse_condarc
    config = ChannelConfig()
    path = os.environ.get("CONDARC")
    if path and Path(path).is_file():
        config.merge(parse_condarc(Path(path).read_text(), path), path)
    return config


def _redact(url: str) -> str:
    from libbuild.conda.channels import redact
    return redact(url)


def _channels(wanted: list[str]) -> list[str]:
    return _config().resolve(wanted)


def _virtual_packages():
    import rattler
    return rattler.VirtualPackage.detect()


# -- commands -------------------------------------------------------------------

def cmd_version() -> None:
    print(f"conda {VERSION} (pycnb, on py-rattler {_rattler_version()})")


def _rattler_version() -> str:
    from importlib import metadata
    try:
        return metadata.version("py-rattler")
    except metadata.PackageNotFoundError:
        return "unknown"


def cmd_info() -> None:
    config = _config()
    print(f"     conda version : {VERSION} (pycnb, on py-rattler {_rattler_version()})")
    print(f"          platform : {_subdir()}")
    generic = [v.into_generic() for v in _virtual_packages()]
    print(f"  virtual packages : {', '.join(f'{g.name.normalized}={g.version}={g.build_string}' for g in generic)}")
    print(f"       channel URLs : {', '.join(_redact(c) for c in config.resolve([]))}")
    print(f"     package cache : {_pkgs_dir()}")
    print(f"  user config file : {os.environ.get('CONDARC') or '(none)'}")


def _read_env_file(path: Path) -> tuple[list[str], list[str], list[str]]:
    from libbuild import yamlfile
    data = yamlfile.loads(path.read_text(), str(path)) or {}
    if not isinstance(data, dict):
        raise CondaError("SpecNotFound", f"{path} is not an environment file (expected a mapping)")
    channels = [str(c) for c in data.get("channels") or []]
    specs, pip = [], []
    for dep in data.get("dependencies") or []:
        if isinstance(dep, dict) and "pip" in dep:
            pip += [str(p) for p in dep["pip"] or []]
        else:
            specs.append(str(dep))
    return channels, specs, pip


def _gateway():
    """Repodata is cached per command in a private directory: its cache files record channel
    URLs with their credentials, which must not land in the (persisted) package cache."""
    import rattler
    import tempfile
    global _REPODATA_CACHE
    if _REPODATA_CACHE is None:
        _REPODATA_CACHE = tempfile.TemporaryDirectory(prefix="conda-repodata-")
    return rattler.Gateway(cache_dir=_REPODATA_CACHE.name)


_REPODATA_CACHE = None


async def _solve(channels: list[str], specs: list[str], locked=()):
    import rattler
    from rattler.exceptions import SolverError
    gateway = _gateway()
    try:
        return await rattler.solve(sources=[rattler.Channel(c) for c in channels], specs=specs, gateway=gateway,
                                   platforms=[_subdir(), "noarch"], virtual_packages=_virtual_packages(),
                                   locked_packages=list(locked))
    except SolverError as exc:
        detail = " ".join(str(exc).split())
        raise CondaError("UnsatisfiableError", f"cannot satisfy {', '.join(specs)} from "
                         f"{', '.join(_redact(c) for c in channels)}: {detail}") from None
    except Exception as exc:  # fetching repodata: a channel that is missing or unreachable
        if type(exc).__name__ in ("GatewayError", "FetchRepoDataError", "InvalidChannelError"):
            raise CondaError("UnavailableInvalidChannel", _redact(" ".join(str(exc).split()))) from None
        raise


def _installed(prefix: Path):
    import rattler
    meta = prefix / "conda-meta"
    return [rattler.PrefixRecord.from_path(p) for p in sorted(meta.glob("*.json"))] if meta.is_dir() else []


async def _install(records, prefix: Path, specs: list[str]) -> None:
    import rattler
    prefix.mkdir(parents=True, exist_ok=True)
    await rattler.install(records, target_prefix=str(prefix.resolve()), cache_dir=_pkgs_dir(),
                          installed_packages=_installed(prefix), platform=rattler.Platform(_subdir()),
                          show_progress=False, requested_specs=[rattler.MatchSpec(s)._match_spec for s in specs])
    _scrub_credentials(prefix)


def _scrub_credentials(prefix: Path) -> None:
    """conda-meta records the URL each package came from: keep it, minus credentials."""
    for path in sorted((prefix / "conda-meta").glob("*.json")):
        data = json.loads(path.read_text())
        changed = False
        for key in ("url", "channel"):
            if isinstance(data.get(key), str) and _redact(data[key]) != data[key]:
                data[key], changed = _redact(data[key]), True
        if changed:
            path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def _run_pip(prefix: Path, pip: list[str]) -> None:
    if not pip:
        return
    import subprocess
    python = prefix / "bin" / "python"
    if subprocess.run([str(python), "-m", "pip", "install", "--no-warn-script-location", *pip]).returncode != 0:
        raise CondaError("CondaEnvException", "pip failed to install the environment's pip: packages")


def cmd_env(action: str, prefix: Path, file: Path, prune: bool) -> None:
    channels, specs, pip = _read_env_file(file)
    urls = _channels(channels)
    installed = _installed(prefix) if action == "update" and not prune else []
    records = asyncio.run(_solve(urls, specs + [r.name.normalized for r in installed], locked=installed))
    print(f"Solved {len(records)} packages from {', '.join(_redact(c) for c in urls)}")
    asyncio.run(_install(records, prefix, specs))
    _run_pip(prefix, pip)


def cmd_create(prefix: Path, file: Path) -> None:
    from libbuild.conda import locks
    lock = locks.parse_text(file.read_text(), str(file))
    if lock.platforms and _subdir() not in lock.platforms:
        raise CondaError("PlatformMismatch", f"{file} is for {', '.join(lock.platforms)}, not {_subdir()}")
    if lock.kind == "package-list":
        urls = _channels([])
        records = asyncio.run(_solve(urls, lock.specs))
        asyncio.run(_install(records, prefix, lock.specs))
        return
    records = asyncio.run(_explicit_records(lock.packages))
    asyncio.run(_install(records, prefix, [p.name for p in lock.packages]))


async def _explicit_records(packages):
    """The repodata record of every locked URL, its hash checked against the lock."""
    import rattler
    gateway = _gateway()
    by_channel: dict[str, list] = {}
    for p in packages:
        base, subdir, _ = p.url.rsplit("/", 2)
        by_channel.setdefault(base, []).append((subdir, p))
    records = []
    for base, items in by_channel.items():
        subdirs = sorted({s for s, _ in items})
        try:
            found = await gateway.query([rattler.Channel(base)], subdirs, [rattler.MatchSpec(p.name) for _, p in items],
                                        recursive=False)
        except Exception as exc:
            raise CondaError("UnavailableInvalidChannel", _redact(" ".join(str(exc).split()))) from None
        by_file = {r.file_name: r for group in found for r in group}
        for _, p in items:
            record = by_file.get(p.file_name)
            if record is None:
                raise CondaError("PackagesNotFoundError", f"{p.file_name} is not in {_redact(base)}")
            _check_hash(p, record)
            records.append(record)
    return records


def _hex(value) -> Optional[str]:
    if value is None:
        return None
    return value.hex() if isinstance(value, (bytes, bytearray)) else str(value)


def _check_hash(locked, record) -> None:
    for algo, want, have in (("sha256", locked.sha256, _hex(record.sha256)), ("md5", locked.md5, _hex(record.md5))):
        if want and have and want.lower() != have.lower():
            raise CondaError("CondaVerificationError", f"{locked.file_name}: the lock expects {algo} {want}, "
                             f"the channel has {have}")


def cmd_list(prefix: Path, sha256: bool) -> None:
    meta = prefix / "conda-meta"
    if not meta.is_dir():
        raise CondaError("EnvironmentLocationNotFound", f"not a conda environment: {prefix}")
    print(f"# platform: {_subdir()}")
    print("@EXPLICIT")
    for path in sorted(meta.glob("*.json")):
        data = json.loads(path.read_text())
        digest = f"sha256:{data['sha256']}" if sha256 and data.get("sha256") else data.get("md5", "")
        print(f"{_redact(data['url'])}#{digest}" if digest else _redact(data["url"]))


# -- arguments ------------------------------------------------------------------

def _options(args: list[str], flags: tuple[str, ...]) -> dict[str, object]:
    """--prefix/-p and --file/-f take a value; `flags` are booleans; nothing else is allowed."""
    out: dict[str, object] = {}
    it = iter(args)
    for arg in it:
        name, eq, value = arg.partition("=")
        key = {"-p": "--prefix", "-f": "--file"}.get(name, name)
        if key in ("--prefix", "--file"):
            out[key] = value if eq else next(it, None)
            if not out[key]:
                raise CondaError("ArgumentError", f"{name} needs a value")
        elif arg in flags:
            out[arg] = True
        else:
            raise CondaError("ArgumentError", f"unsupported argument {arg!r}; {USAGE}")
    return out


def _need(opts: dict, *keys: str) -> None:
    for k in keys:
        if k not in opts:
            raise CondaError("ArgumentError", f"{k} is required; {USAGE}")


def main(argv: list[str]) -> int:
    try:
        if argv in (["--version"], ["-V"]):
            cmd_version()
        elif argv == ["info"]:
            cmd_info()
        elif argv[:2] in (["env", "create"], ["env", "update"]):
            opts = _options(argv[2:], ("--prune",))
            _need(opts, "--prefix", "--file")
            cmd_env(argv[1], Path(opts["--prefix"]), Path(opts["--file"]), bool(opts.get("--prune")))
        elif argv[:1] == ["create"]:
            opts = _options(argv[1:], ())
            _need(opts, "--prefix", "--file")
            cmd_create(Path(opts["--prefix"]), Path(opts["--file"]))
        elif argv[:1] == ["list"]:
            opts = _options(argv[1:], ("--explicit", "--sha256"))
            _need(opts, "--prefix", "--explicit")
            cmd_list(Path(opts["--prefix"]), bool(opts.get("--sha256")))
        else:
            raise CondaError("ArgumentError", f"unsupported command {' '.join(argv) or '(none)'!r}; {USAGE}")
    except CondaError as exc:
        print(f"{exc.kind}: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # user errors from libbuild (YAML, locks) and engine failures
        message = getattr(exc, "message", None) or " ".join(str(exc).split())
        print(f"CondaError: {_redact(message)}", file=sys.stderr)
        if os.environ.get("BP_LOG_LEVEL", "").upper() == "DEBUG":
            import traceback
            traceback.print_exc()
        return 1
    return 0


def run(argv: list[str]) -> None:
    """main(), then exit without interpreter finalization: py-rattler's runtime threads can
    crash the interpreter while it tears down (seen with 0.28 after successful installs)."""
    code = main(argv)
    if _REPODATA_CACHE is not None:
        _REPODATA_CACHE.cleanup()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run(sys.argv[1:])
