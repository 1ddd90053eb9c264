"""Every message r-minicran shows when packages cannot be read, found or installed, with its fix."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable

from libbuild.errors import UserError, excerpt

REPOSITORY_HELP = ("vendor a repository in the app as minicran/ (or vendor/r/) with src/contrib/PACKAGES, bind one "
                   "(a binding of type `cran` with an entry `repos`), or set BP_R_REPOS to its URL")


def _repos(repos: Iterable[str]) -> str:
    return ", ".join(repos) or "(none)"


def packages_line_invalid(origin: str, line_no: int, line: str) -> UserError:
    return UserError(
        "r-packages-invalid", f"{origin} line {line_no} is not an R package: {excerpt(line, 80)}",
        "Write one package a line, as `name` or `name==version` (e.g. `plumber` or `R6==2.5.1`); "
        "lines starting with # are comments.")


def packages_empty(origin: str) -> UserError:
    return UserError("r-packages-empty", f"{origin} names no packages",
                     f"List the packages the app needs in {origin}, or remove it.")


def no_repository() -> UserError:
    return UserError("r-no-repository", "no R package repository is configured for this build",
                     f"To install R packages, {REPOSITORY_HELP}.")


def repository_url_invalid(origin: str, url: str) -> UserError:
    return UserError("r-repository-invalid", f"{origin} names {excerpt(url, 120)}, which is not a repository URL",
                     "Give CRAN-like repository URLs (file://, http:// or https://), separated by spaces, commas "
                     "or newlines; the repository has src/contrib/PACKAGES below that URL.")


def vendored_without_index(directory: str) -> UserError:
    return UserError("r-vendored-no-index", f"the vendored repository {directory}/ has no src/contrib/PACKAGES",
                     f"Index it in CI with tools::write_PACKAGES(\"{directory}/src/contrib\", type = \"source\") "
                     "and commit the index with the packages.")


def index_unreachable(repo: str, detail: str) -> UserError:
    return UserError("r-repository-unreachable", f"the R package repository {repo} cannot be read: {detail}",
                     "Check the URL, the network and the credentials of the `cran` binding; the repository must "
                     "serve src/contrib/PACKAGES (or PACKAGES.gz).")


def package_missing(package: str, needed_by: str, repos: list[str]) -> UserError:
    why = "" if not needed_by else f" (needed by {needed_by})"
    return UserError("r-package-missing", f"R package {package}{why} is not in the repository {_repos(repos)}",
                     f"Add {package} to the repository (miniCRAN: addPackage(); then tools::write_PACKAGES), "
                     "or remove it from the app's package list.")


def version_unavailable(package: str, version: str, repos: list[str], current: str) -> UserError:
    have = f"it has {package} {current} and no {version} in src/contrib/Archive/{package}/" if current else \
        f"it has no {package} {version}"
    return UserError("r-version-unavailable", f"R package {package} {version} is not available from {_repos(repos)}: {have}",
                     f"Add {package}_{version}.tar.gz to the repository's src/contrib/Archive/{package}/, or lock "
                     f"the version the repository has (renv::record(\"{package}@{current or '<version>'}\")).")


def install_failed(package: str, tail: list[str]) -> UserError:
    shown = "\n    ".join(tail) if tail else "(no output was kept)"
    return UserError("r-install-failed", f"R package {package} failed to install; its last lines:\n    {shown}",
                     "A compiled package usually needs a system library's -dev package in the build image (and "
                     "its runtime library in the run image); the lines above name what is missing.")


def download_failed(package: str, repos: list[str]) -> UserError:
    return UserError("r-download-failed", f"R package {package} could not be downloaded from {_repos(repos)}",
                     "The repository's index lists a file it does not serve: re-run tools::write_PACKAGES on the "
                     "repository, and check the build's network access.")


def wrong_version_installed(package: str, wanted: str, got: str) -> UserError:
    return UserError("r-version-mismatch", f"R package {package} {got} was installed, but {wanted} was asked for",
                     "Keep one version of each package in the repository's src/contrib (older ones in Archive/).")
