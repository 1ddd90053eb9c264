"""User-facing errors of pycnb/conda-env-update."""
from __future__ import annotations

from libbuild.errors import UserError

KEYS = ("name", "channels", "dependencies", "variables", "prefix")


def env_unknown_key(origin: str, key: str) -> UserError:
    return UserError("conda-env-key", f"{origin} has an unknown key {key!r}",
                     f"An environment file has only {', '.join(KEYS)}; remove or correct {key!r}.")


def env_invalid(origin: str, detail: str) -> UserError:
    return UserError("conda-env-invalid", f"{origin} is not a valid environment file: {detail}",
                     "Write `channels:` and `dependencies:` as lists, with an optional `- pip:` list inside "
                     "dependencies; see https://docs.conda.io/projects/conda/en/latest/user-guide/tasks/manage-environments.html.")


def unsatisfiable(specs: str, channels: list[str], detail: str) -> UserError:
    return UserError("conda-unsatisfiable", f"conda cannot satisfy {specs} from the channels "
                     f"{', '.join(channels) or '(none)'}: {detail}",
                     "Check the package names and versions, or add a channel that has them "
                     "(environment file `channels:`, the app's .condarc, or a conda binding).")


def channel_unavailable(channels: list[str], detail: str) -> UserError:
    return UserError("conda-channel-missing", f"a conda channel could not be read ({', '.join(channels)}): {detail}",
                     "Check the channel name and that its mirror is reachable; platforms map names such as "
                     "conda-forge to their mirror with a conda binding (.condarc channel_alias or custom_channels).")


def hash_mismatch(origin: str, detail: str) -> UserError:
    return UserError("conda-hash-mismatch", f"a package does not match the hash {origin} locks: {detail}",
                     "The channel serves a different build than the one locked: re-lock against this channel, "
                     "or point the build at the channel the lock was made from.")


def packages_not_found(origin: str, detail: str) -> UserError:
    return UserError("conda-package-missing", f"a package {origin} names is not in its channel: {detail}",
                     "Re-lock against a channel the build can reach, or mirror the locked packages.")


def pip_missing(origin: str) -> UserError:
    return UserError("conda-pip-missing", f"{origin} has a `pip:` section but the environment has no pip",
                     "Add `- pip` to the conda dependencies, before the `- pip:` section.")


def vendor_needs_index(path: str) -> UserError:
    return UserError("conda-vendor-index", f"the vendored channel {path}/ holds .conda packages and no repodata.json",
                     f"Index it before building (`conda index {path}` or `rattler-index fs {path}`), "
                     "or vendor .tar.bz2 packages, which the build indexes itself.")
