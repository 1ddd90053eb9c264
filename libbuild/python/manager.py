"""Which package manager builds a Python app: the one rule every install buildpack applies.

Each manager is recognised by its own files:

    conda   environment.yml / environment.yaml, conda locks (conda-lock.yml, pixi.lock, package-list.txt)
    uv      uv.lock
    poetry  poetry.lock
    pipenv  Pipfile / Pipfile.lock
    pip     requirements.txt (or BP_PIP_REQUIREMENT), pipper.json / pipper.yaml; pyproject.toml with no lock at all

Conventional combinations are not conflicts: `pyproject.toml` belongs to uv and Poetry
projects, and a `requirements.txt` next to exactly one other manager's files is taken as
an export of that manager's lock (`uv export`, `poetry export`, `pipenv requirements`)
and ignored, with a log line. Files of two or more other managers in one app are a
conflict: detect fails with one message listing them, unless BP_PYTHON_PACKAGE_MANAGER
names the manager to use.
"""
from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False  # every install buildpack's detect imports this: no typing, no dataclasses
if TYPE_CHECKING:
    from typing import Mapping, Optional

from .. import appfiles, errors

SETTING = "BP_PYTHON_PACKAGE_MANAGER"
# In the order the composite's groups try them (DESIGN §3).
SIGNALS: dict[str, tuple[str, ...]] = {
    "conda": ("environment.yml", "environment.yaml", "conda-lock.yml", "pixi.lock", "package-list.txt"),
    "uv": ("uv.lock",),
    "poetry": ("poetry.lock",),
    "pipenv": ("Pipfile", "Pipfile.lock"),
    "pip": ("requirements.txt", "pipper.json", "pipper.yaml"),
}
MANAGERS = tuple(SIGNALS)


class Choice:
    """The manager that builds the app (None: no manager's files), why, and the files seen.

    A plain immutable class, not a dataclass: see libbuild/detection.py."""
    __slots__ = ("name", "reason", "files", "ignored")

    def __init__(self, name: Optional[str], reason: str, files: tuple[str, ...] = (), ignored: tuple[str, ...] = ()):
        for key, value in (("name", name), ("reason", reason), ("files", tuple(files)),
                           ("ignored", tuple(ignored))):  # ignored: other managers' files left unused
            object.__setattr__(self, key, value)

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError(f"Choice is immutable ({key})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Choice) and all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, k) for k in self.__slots__))

    def __repr__(self) -> str:
        return "Choice(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")"

    def note(self) -> str:
        """One line for detect and build logs."""
        text = f"Package manager: {self.name or 'none'} ({self.reason})"
        if self.ignored:
            text += f"; ignored: {', '.join(self.ignored)}"
        return text


def found_files(app_dir: Path, settings: Mapping[str, str]) -> dict[str, list[str]]:
    """Each manager's files present in the app, by manager."""
    found = {name: [f for f in files if appfiles.exists(app_dir, f)] for name, files in SIGNALS.items()}
    if (settings.get("BP_PIP_REQUIREMENT") or "").strip():
        found["pip"].append("BP_PIP_REQUIREMENT")
    return {name: files for name, files in found.items() if files}


def chosen(app_dir: Path, settings: Mapping[str, str]) -> Choice:
    """The manager for this app; raises a UserError when the app's files leave it ambiguous
    or BP_PYTHON_PACKAGE_MANAGER names a manager whose files are missing."""
    found = found_files(app_dir, settings)
    every = tuple(f for files in found.values() for f in files)
    wanted = (settings.get(SETTING) or "").strip().lower()
    if wanted:
        if wanted not in SIGNALS:
            raise errors.invalid_setting(SETTING, wanted, "one of " + "|".join(MANAGERS))
        if wanted not in found and not (wanted == "pip" and (app_dir / "pyproject.toml").is_file()):
            raise errors.manager_files_missing(wanted, SIGNALS[wanted], every)
        own = tuple(found.get(wanted, ["pyproject.toml"]))
        return Choice(wanted, f"{SETTING}={wanted}", own, tuple(f for f in every if f not in own))
    locked = [name for name in found if name != "pip"]
    if len(locked) > 1:
        raise errors.manager_conflict(every)
    if locked:
        name = locked[0]
        ignored = tuple(found.get("pip", ()))
        reason = f"found {', '.join(found[name])}"
        if ignored:
            reason += "; a requirements.txt beside it is taken as an export of its lock"
        return Choice(name, reason, tuple(found[name]), ignored)
    if "pip" in found:
        return Choice("pip", f"found {', '.join(found['pip'])}", tuple(found["pip"]))
    if (app_dir / "pyproject.toml").is_file():
        return Choice("pip", "found pyproject.toml without a lock file", ("pyproject.toml",))
    return Choice(None, "no package manager's files")


def opt_out_reason(app_dir: Path, settings: Mapping[str, str], manager: str) -> Optional[str]:
    """For a detect: None when `manager` builds this app, else why not.

    A conflict is raised only by the buildpacks of the managers involved, so a build that
    stops on it shows the message once per such group rather than once per group; the
    others (and python-start, so no group falls through to a build without packages)
    opt out with the reason.
    """
    try:
        choice = chosen(app_dir, settings)
    except errors.UserError as exc:
        # requirements.txt is conventional beside a lock, so pip is never one of the conflicting managers.
        involved = (exc.code == "package-manager-conflict" and manager != "pip"
                    and manager in found_files(app_dir, settings)) or \
            (exc.code == "package-manager-files-missing" and manager == (settings.get(SETTING) or "").strip().lower()) or \
            exc.code == "invalid-setting"
        if involved:
            raise
        return f"no package manager can be chosen ({exc.message})"
    if choice.name == manager:
        return None
    return f"the package manager is {choice.name or 'none'} ({choice.reason})"
