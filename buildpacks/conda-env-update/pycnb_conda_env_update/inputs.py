"""Which conda input an app has: a lock (installed exactly) or an environment file (solved)."""
from __future__ import annotations

from collections import namedtuple
from pathlib import Path

from libbuild import appfiles, buildinputs
from libbuild.conda import buildinputs as condainputs
from libbuild.python import buildinputs as pyinputs
from libbuild.errors import UserError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

ENV_FILES = ("environment.yml", "environment.yaml")
# Locks win over an environment file next to them: they say exactly what to install.
NAMED_LOCKS = (("conda-lock.yml", "conda-lock"), ("pixi.lock", "pixi"), ("package-list.txt", "explicit"))
_SNIFF = 64 * 1024


class Input(namedtuple("Input", "name kind")):
    """The input file and its kind: environment, conda-lock, pixi, explicit (a named tuple:
    detect imports neither dataclasses nor typing)."""
    __slots__ = ()

    @property
    def is_lock(self) -> bool:
        return self.kind != "environment"


def find(app: Path) -> Optional[Input]:
    for name, kind in NAMED_LOCKS:
        if (app / name).is_file():
            return Input(name, kind)
    for path in sorted(app.glob("*.lock")):
        if path.name != "pixi.lock" and path.is_file() and _is_explicit(app, path.name):
            return Input(path.name, "explicit")
    for name in ENV_FILES:
        if (app / name).is_file():
            return Input(name, "environment")
    return None


def _is_explicit(app: Path, name: str) -> bool:
    try:
        head = appfiles.read_bytes(app, name, name, limit=appfiles.DEFAULT_LIMIT)[:_SNIFF]
    except UserError:  # unreadable or outside the app: not a lock this buildpack can use
        return False
    return b"@EXPLICIT" in head


# Paths the digest cannot see into: a vendored channel or wheelhouse.
_UNHASHED_DIRS = tuple(dict.fromkeys((condainputs.VENDOR_DIR, *pyinputs.WHEELHOUSE_DIRS)))
# List items naming local files or directories (pip: `-e .`, `./pkg`, `-r other.txt`; a local channel).
_LOCAL_ITEMS = ("-e", "--editable", ".", "/", "~", "-r", "--requirement", "-c", "--constraint", "-f", "--find-links")


def build_inputs(ctx) -> Optional[str]:
    """What the conda-env layer depends on besides the conda tools (libbuild/conda/buildinputs.py):
    the environment file or lock, the app's .condarc, every platform setting, this buildpack's
    descriptor and the channel settings of `conda` bindings without their credentials. None (conda
    on every build) for what is not hashed: a vendored channel, local paths, other bindings."""
    found = find(ctx.app_dir)
    if found is None:
        return None
    files = [found.name] + ([".condarc"] if appfiles.exists(ctx.app_dir, ".condarc") else [])
    return buildinputs.digest(ctx, files, absent=_UNHASHED_DIRS, includes=_no_local_paths,
                              bindings=condainputs.describe_bindings)


def _no_local_paths(data: bytes, name: str) -> Optional[list]:
    """Nothing more to hash, or None when the file names local paths (their contents are not hashed)."""
    if b"file:" in data:
        return None
    for line in data.decode("utf-8", "replace").splitlines():
        item = line.strip()
        if item.startswith("- "):
            item = item[2:].strip().strip("'\"")
            if item.startswith(_LOCAL_ITEMS):
                return None
    return []
