"""Every message a user can see when a build or detect fails, in one place.

Each entry says what is wrong and how to fix it. Buildpacks raise these; the
entrypoint prints them without a traceback (unless BP_LOG_LEVEL=DEBUG).
"""
from __future__ import annotations

from pathlib import Path
TYPE_CHECKING = False  # typing is not imported on the detect path
if TYPE_CHECKING:
    from typing import Iterable


class UserError(Exception):
    """A problem the user can fix: printed as one message, exit non-zero."""

    def __init__(self, code: str, message: str, remedy: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.remedy = remedy

    def render(self) -> str:
        text = f"ERROR: {self.message}"
        if self.remedy:
            text += f"\n  How to fix: {self.remedy}"
        return text


def excerpt(text: str, limit: int = 80) -> str:
    """At most `limit` characters of user input, quoted, with control characters shown."""
    shown = text if len(text) <= limit else text[:limit] + "…"
    return repr(shown)


def _clip(text: str, limit: int = 200) -> str:
    """A tool's own message about user input, shortened and on one line."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _listing(items: Iterable[str]) -> str:
    items = list(items)
    return ", ".join(items) if items else "(none)"


# -- descriptors and platform -------------------------------------------------

def invalid_toml(path: Path, detail: str) -> UserError:
    return UserError("invalid-toml", f"{path.name} is not valid TOML: {detail}",
                     f"Correct the syntax of {path}.")


def invalid_descriptor(what: str, detail: str) -> UserError:
    return UserError("invalid-descriptor", f"invalid {what}: {detail}",
                     "This is a bug in the buildpack or builder; report it with the build log.")


def invalid_setting(name: str, value: str, expected: str) -> UserError:
    return UserError("invalid-setting", f"{name}={value!r} is not valid: expected {expected}",
                     f"Set {name} to {expected}, or unset it to use the default.")


# -- app files (the confinement rule, libbuild/appfiles.py) --------------------

def path_outside_app(what: str, name: str, leads_to: str) -> UserError:
    via = f" (it leads to {excerpt(leads_to, 200)})" if leads_to else ""
    return UserError(
        "path-outside-app", f"{what} names {excerpt(name, 200)}{via}, which is outside the app directory; it was not read",
        "Buildpacks read only files inside the app: move the file into the app and name it by a relative "
        "path, or, for platform-provided files, use a binding.")


def app_file_missing(what: str, name: str) -> UserError:
    return UserError("app-file-missing", f"{what} names {excerpt(name, 200)}, which does not exist in the app",
                     "Add it to the app, or correct the reference to it.")


def app_file_not_regular(what: str, name: str) -> UserError:
    return UserError("app-file-not-regular", f"{what}: {excerpt(name, 200)} is not a regular file (a directory or device)",
                     "Replace it with a regular file, or remove it.")


def app_file_unreadable(what: str, name: str, detail: str) -> UserError:
    return UserError("app-file-unreadable", f"{what}: {excerpt(name, 200)} cannot be read ({detail})",
                     "Make the file readable by the build user (CNB_USER_ID), or remove it.")


def app_file_too_large(what: str, name: str, limit: int) -> UserError:
    return UserError("app-file-too-large", f"{what}: {excerpt(name, 200)} is larger than {limit // 1024} KiB",
                     "This file is far larger than any such manifest should be; check that it is the right file.")


def app_file_undecodable(what: str, encoding: str, line: int, column: int, byte: bytes) -> UserError:
    return UserError("app-file-encoding", f"{what} is not valid {encoding}: byte 0x{byte.hex()} at line {line}, column {column}",
                     "Save the file as UTF-8 (or UTF-16/32 with a byte-order mark).")


def app_file_unknown_encoding(what: str, encoding: str) -> UserError:
    return UserError("app-file-encoding", f"{what} declares the encoding {excerpt(encoding, 40)} in a coding line, "
                     "which is not a text encoding Python knows",
                     "Remove the `# -*- coding: ... -*-` line and save the file as UTF-8.")


# -- hostile input: settings, bindings and local sources (issue 16) -----------

def location_missing(setting: str, location: str) -> UserError:
    return UserError("location-missing", f"{setting} names {excerpt(location)}, which does not exist",
                     f"Correct {setting}: a directory inside the app (relative path), a directory the platform "
                     "mounted (absolute path), or a URL.")


def binding_unreadable(name: str, entry: str, detail: str) -> UserError:
    return UserError("binding-unreadable", f"binding {excerpt(name)}: entry {excerpt(entry)} cannot be read ({detail})",
                     "Bindings hold small UTF-8 text entries; fix the binding the platform provides.")


# -- versions and dependencies ------------------------------------------------

def invalid_version_constraint(constraint: str, source: str) -> UserError:
    return UserError("invalid-version", f"{source} asks for version {constraint!r}, which is not a version constraint",
                     "Use a version such as 3.11, 3.11.4, 3.11.*, ~=3.11 or >=3.10,<3.13.")


def no_matching_dependency(name: str, constraint: str, source: str, available: Iterable[str], target: str) -> UserError:
    return UserError(
        "no-matching-version",
        f"no {name} version matching {constraint!r} (requested by {source}) is available for {target}",
        f"Request one of the available versions: {_listing(available)}. "
        "Platform teams can add their own builds through a dependency-catalog binding or BP_DEPENDENCY_CATALOG.")


def checksum_mismatch(name: str, uri: str, expected: str, actual: str) -> UserError:
    return UserError(
        "checksum-mismatch",
        f"{name} downloaded from {uri} has checksum sha256:{actual}, but the catalog expects {expected}",
        "The download was refused. Check that the mirror serves the original file unchanged, "
        "or fix the checksum in the catalog that lists it.")


def download_failed(name: str, uri: str, detail: str) -> UserError:
    return UserError(
        "download-failed", f"could not download {name} from {uri}: {detail}",
        "Check the network or point BP_DEPENDENCY_MIRROR (or a dependency-mirror / dependency-mapping "
        "binding) at a reachable copy.")


def unsafe_archive(name: str, member: str, why: str) -> UserError:
    return UserError(
        "unsafe-archive", f"refusing to extract {name}: member {member!r} {why}",
        "The archive is corrupt or malicious; use an archive whose paths stay inside its root.")


def unsupported_archive(name: str) -> UserError:
    return UserError("unsupported-archive", f"{name} is not a tar or zip archive",
                     "Catalog entries must point at .tar.gz, .tgz, .tar.xz, .tar.bz2 or .zip files.")


def invalid_catalog(origin: str, detail: str) -> UserError:
    return UserError("invalid-catalog", f"the dependency catalog from {origin} is invalid: {detail}",
                     "Every [[dependencies]] entry needs id, version, uri and checksum = \"sha256:<hex>\".")


# -- commands -----------------------------------------------------------------

def command_failed(argv: list[str], code: int, tail: list[str]) -> UserError:
    shown = "\n".join("    " + line for line in tail)
    return UserError(
        "command-failed",
        f"`{' '.join(argv)}` failed with exit code {code}" + (f"; its last output:\n{shown}" if tail else ""),
        "Read the output above for the cause; it usually names the file or package at fault.")


def command_missing(tool: str) -> UserError:
    return UserError("command-missing", f"{tool} is not available in the build environment",
                     f"Make sure a buildpack that provides {tool} runs before this one.")


# -- procfile -------------------------------------------------------------------

def procfile_malformed(line_no: int, line: str) -> UserError:
    return UserError(
        "procfile-malformed", f"Procfile line {line_no} is not a process definition: {excerpt(line)}",
        "Write each process as '<type>: <command>', with a type of letters, digits, '.', '_' or '-', "
        "for example 'web: gunicorn app:app'.")


def procfile_duplicate(line_no: int, process_type: str) -> UserError:
    return UserError("procfile-duplicate", f"Procfile line {line_no} defines process type {excerpt(process_type)} again",
                     "Keep one line per process type.")


def procfile_empty() -> UserError:
    return UserError("procfile-empty", "Procfile defines no processes",
                     "Add a line such as 'web: python app.py', or remove the Procfile.")


# -- pip ---------------------------------------------------------------------

def requirement_file_missing(name: str, origin: str) -> UserError:
    return UserError("requirements-missing", f"{origin} names {name}, which does not exist in the app",
                     f"Add {name} to the app, or correct {origin}.")


def requirement_invalid(path: str, line_no: int, line: str, detail: str) -> UserError:
    return UserError("requirement-invalid", f"{path} line {line_no} is not a valid requirement: {excerpt(line)} ({_clip(detail)})",
                     "Write one requirement per line, such as 'flask==3.0.3' or 'requests>=2.31'; "
                     "see https://pip.pypa.io/en/stable/reference/requirements-file-format/.")


def package_not_found(requirement: str, where: str) -> UserError:
    return UserError("package-not-found", f"pip found no distribution matching {requirement!r} in {where}",
                     "Check the package name and version, and that the index (PIP_INDEX_URL, a pip binding) "
                     "or wheelhouse holds a build for this Python version and platform.")


def pip_too_old(version: str) -> UserError:
    return UserError("pip-too-old", f"pip {version} cannot install into another environment (needs pip >= 22.3)",
                     "Set BP_PIP_VERSION to 22.3 or later, or unset it to use the pip bundled with CPython.")


# -- pipenv ------------------------------------------------------------------

def invalid_lock(path: str, detail: str) -> UserError:
    return UserError("pipfile-lock-invalid", f"{path} is not valid JSON: {detail}",
                     "Regenerate it with `pipenv lock` and commit the result.")


def lock_out_of_date() -> UserError:
    return UserError("pipfile-lock-stale", "Pipfile.lock is out of date with Pipfile (their hashes differ)",
                     "Run `pipenv lock` and commit the new Pipfile.lock; the build does not re-lock silently.")


# -- S3 (libbuild/s3source.py) ---------------------------------------------------

_S3_BINDING_HELP = ("An s3 binding has entries bucket (required), prefix, kind (wheelhouse, cran, pipper or "
                    "conda-channel), region, endpoint, and either access-key-id + secret-access-key "
                    "(+ session-token), or profile, or none for the ambient AWS credential chain.")


def s3_binding_invalid(name: str, detail: str) -> UserError:
    return UserError("s3-binding-invalid", f"the s3 binding {name!r} is invalid: {detail}", _S3_BINDING_HELP)


def s3_binding_missing(kind: str, why: str) -> UserError:
    return UserError("s3-binding-missing", f"{why}, but no s3 binding has kind = {kind}",
                     f"Add a binding of type s3 with a kind entry '{kind}' and its bucket and prefix. " + _S3_BINDING_HELP)


def s3_empty_prefix(location: str) -> UserError:
    return UserError("s3-empty-prefix", f"{location} holds no objects",
                     "Check the bucket and prefix in the binding (for example the commit in python/<commit>/), "
                     "and that CI uploaded there; an empty listing is never treated as an empty repository.")


def s3_access_denied(location: str, code: str) -> UserError:
    return UserError("s3-access-denied", f"access to {location} was denied ({code})",
                     "Grant the credentials s3:ListBucket on the bucket and s3:GetObject on the prefix, "
                     "or bind credentials that have them.")


def s3_bad_credentials(location: str, code: str) -> UserError:
    return UserError("s3-bad-credentials", f"the S3 credentials for {location} were rejected ({code})",
                     "Check access-key-id and secret-access-key in the s3 binding (or the ambient AWS "
                     "credentials): the key does not exist or the secret does not match it.")


def s3_token_expired(location: str, code: str) -> UserError:
    return UserError("s3-token-expired", f"the S3 session token for {location} has expired or is invalid ({code})",
                     "Issue fresh temporary credentials (session-token with its access-key-id and "
                     "secret-access-key, or a new SSO login) and build again.")


def s3_no_such_bucket(bucket: str, endpoint: str) -> UserError:
    return UserError("s3-no-such-bucket", f"the bucket {bucket!r} does not exist at {endpoint}",
                     "Correct the bucket entry of the s3 binding (and endpoint/region if the bucket lives elsewhere).")


def s3_wrong_region(location: str, detail: str) -> UserError:
    return UserError("s3-wrong-region", f"{location} is not in the region the build used ({detail})",
                     "Set the region entry of the s3 binding to the bucket's region.")


def s3_unreachable(endpoint: str, detail: str) -> UserError:
    return UserError("s3-unreachable", f"the S3 endpoint {endpoint} cannot be reached ({detail})",
                     "Check the endpoint entry of the s3 binding (scheme, host and port) and that the build "
                     "can reach it (pack build --network host for a server on this machine).")


def s3_no_credentials(location: str, detail: str) -> UserError:
    return UserError("s3-no-credentials", f"no usable AWS credentials for {location} ({detail})",
                     "Put access-key-id and secret-access-key (or profile) into the s3 binding, or give "
                     "the build ambient credentials (AWS_* settings, web identity, instance or container role).")


def s3_request_failed(location: str, detail: str) -> UserError:
    return UserError("s3-request-failed", f"reading {location} failed: {detail}",
                     "Check the s3 binding and the server; rerun with BP_LOG_LEVEL=DEBUG for details.")


def s3_unsafe_key(location: str, key: str) -> UserError:
    return UserError("s3-unsafe-key", f"{location} holds an object whose key {key!r} would be written outside "
                     "the sync directory", "Remove or rename the object: keys below the prefix must be plain relative paths.")


def s3_size_mismatch(location: str, key: str, listed: int, got: int) -> UserError:
    return UserError("s3-size-mismatch", f"{key} from {location} is {got} bytes, but the listing said {listed}",
                     "The object changed during the build or the transfer was cut short; build again.")


# -- pipper packages (pip-install) -------------------------------------------------

def pipper_config_invalid(name: str, detail: str) -> UserError:
    return UserError("pipper-config-invalid", f"{name} is not a valid pipper configuration: {detail}",
                     'Write it as pipper does: {"dependencies": ["name:1.2.3", "other:>=1.0"], "pypi": ["requests"]} '
                     "(or the same keys in pipper.yaml).")


def pipper_id_invalid(package_id: str, origin: str) -> UserError:
    return UserError("pipper-id-invalid", f"{origin} names the pipper package {package_id!r}, which is not a package id",
                     "Use 'name' or 'name:<version constraint>', for example 'hello_pipper:0.1.*' or "
                     "'hello_pipper:>=1.2.0'; URLs are not supported (bind the bucket instead).")


def pipper_no_match(name: str, constraint: str, origin: str, available: Iterable[str], location: str) -> UserError:
    return UserError("pipper-no-match", f"no version of the pipper package {name} matching {constraint} "
                     f"(requested by {origin}) is in {location}{name}/",
                     f"Available stable and pre-release versions: {_listing(available)}. Publish the version, or "
                     "change the constraint (pre-releases install only when pinned exactly, e.g. name:1.0.0-rc.1).")


def pipper_bundle_invalid(key: str, detail: str) -> UserError:
    return UserError("pipper-bundle-invalid", f"the pipper bundle {key} is not valid: {detail}",
                     "Publish it again with `pipper publish` (a zip of package.whl and package.meta).")


# -- YAML and conda channel settings (libbuild/yamlfile.py, libbuild/conda/) ---------

def invalid_yaml(origin: str, detail: str) -> UserError:
    return UserError("invalid-yaml", f"{origin} is not valid YAML: {detail}",
                     "Correct the syntax (indentation with spaces, `key: value`, lists as `- item`).")


def conda_condarc_invalid(origin: str, detail: str) -> UserError:
    return UserError("condarc-invalid", f"{origin} has an invalid channel setting: {detail}",
                     "Write channel_alias as a URL, custom_channels as `name: URL` pairs, and default_channels "
                     "and channels as lists; see https://docs.conda.io/projects/conda/en/latest/user-guide/configuration/.")


def conda_lock_invalid(origin: str, detail: str) -> UserError:
    return UserError("conda-lock-invalid", f"{origin} is not a conda lock this build can read: {detail}",
                     "Regenerate it with `conda list --explicit --sha256 > <file>`, `conda-lock` or `pixi lock`.")


def conda_lock_wrong_platform(origin: str, platforms: list[str], subdir: str) -> UserError:
    return UserError("conda-lock-platform", f"{origin} locks packages for {_listing(platforms)}, not for {subdir}, "
                     "the platform of this build",
                     f"Lock for {subdir} too (for example `conda-lock -p {subdir}` or `pixi project platform add {subdir}`).")


# -- certificates and networks (libbuild/certificates.py, libbuild/python/failures.py) ----------

CA_BINDING_EXAMPLE = ("mkdir -p bindings/ca; echo ca-certificates > bindings/ca/type; cp corp.pem bindings/ca/; "
                      "pack build ... --volume $PWD/bindings/ca:/platform/bindings/ca:ro")


def certificate_untrusted(tool: str, host: str, reason: str) -> UserError:
    because = f" ({reason})" if reason else ""
    return UserError(
        "certificate-untrusted",
        f"{tool} could not verify the TLS certificate of {host}{because}: the build does not trust "
        "the certificate authority that signed it. This is a certificate problem, not a missing package",
        f"If {host} uses a private CA, or the network intercepts TLS (a corporate proxy), give the build "
        f"that CA's certificate with a ca-certificates binding: {CA_BINDING_EXAMPLE} (see buildpacks/ca-certificates).")


def index_unreachable(tool: str, index: str, cause: str) -> UserError:
    return UserError(
        "index-unreachable", f"{tool} could not reach {index}: {cause}",
        "Check the index URL (PIP_INDEX_URL, a pip binding's pip.conf, or --index-url in the requirements "
        "file) and that the build can reach it (pack build --network; proxies).")


def index_insecure(tool: str, host: str) -> UserError:
    return UserError(
        "index-insecure", f"{tool} ignored the package index at {host}: it is plain HTTP and the host is not trusted",
        f"Serve the index over HTTPS, or allow this host explicitly with PIP_TRUSTED_HOST={host} "
        "(or trusted-host in a pip binding's pip.conf).")


def certificate_entry_invalid(origin: str, detail: str) -> UserError:
    return UserError(
        "certificate-entry-invalid", f"the ca-certificates binding entry {origin} is not usable: {detail}",
        "Give each entry of a ca-certificates binding one or more PEM certificates "
        "(-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----) and nothing else.")
# -- which package manager (libbuild/python/manager.py) -----------------------

def manager_conflict(files: Iterable[str]) -> UserError:
    return UserError(
        "package-manager-conflict",
        f"the app has the files of more than one package manager: {_listing(files)}",
        "Keep the files of one manager (a requirements.txt beside one lock is fine: it is taken as an export), "
        "or choose with BP_PYTHON_PACKAGE_MANAGER=pip|pipenv|poetry|uv|conda, "
        "for example `pack build --env BP_PYTHON_PACKAGE_MANAGER=uv`.")


def manager_files_missing(name: str, expected: Iterable[str], present: Iterable[str]) -> UserError:
    return UserError(
        "package-manager-files-missing",
        f"BP_PYTHON_PACKAGE_MANAGER={name}, but the app has none of {_listing(expected)} "
        f"(it has: {_listing(present)})",
        f"Add {' or '.join(expected)} to the app, or set BP_PYTHON_PACKAGE_MANAGER to the manager whose files it has.")


# -- uv (pycnb/uv, and pip-install with BP_PIP_INSTALLER=uv) -----------------------

def uv_missing() -> UserError:
    return UserError("uv-missing", "uv is not on PATH for this build (pycnb/uv did not run before this buildpack)",
                     "Use the pycnb/python composite or a builder order that puts pycnb/uv before this buildpack.")


# -- build inputs (issue 14) --------------------------------------------------------

def python_missing_at_build(buildpack: str) -> UserError:
    return UserError("python-missing-at-build",
                     f"{buildpack} needs python3 at build, but pycnb/cpython did not put it on PATH",
                     "Build with pycnb/cpython before this buildpack, in the same group; if it is there, "
                     "this is a bug: rebuild with --clear-cache and report it.")


def build_inputs_disagree(buildpack: str, runtime: str) -> UserError:
    return UserError("build-inputs-disagree",
                     f"{buildpack}: {runtime} is not available at build, yet this buildpack's layer does not "
                     "match its build inputs",
                     "Rebuild with --clear-cache; if it happens again, report it (BP_LOG_LEVEL=DEBUG shows the "
                     "layer metadata).")


# -- R: DESCRIPTION, PACKAGES and renv.lock (libbuild/r, issue 11) ---------------

def r_dcf_invalid(origin: str, line_no: int, line: str) -> UserError:
    return UserError("r-dcf-invalid", f"{origin} line {line_no} is not a `Field: value` line: {excerpt(line, 80)}",
                     f"Fix {origin}: each field is `Name: value`; a continuation line starts with a space; "
                     "blank lines separate records.")


def r_dependency_invalid(origin: str, field: str, item: str) -> UserError:
    return UserError("r-dependency-invalid", f"{origin}: {field} lists {excerpt(item, 80)}, which is not "
                     "`package` or `package (>= version)`",
                     f"Write {field} as comma-separated package names, each optionally followed by a "
                     "version condition in parentheses, e.g. `jsonlite (>= 1.8.0), R6`.")


def r_lock_invalid(origin: str, detail: str) -> UserError:
    return UserError("r-lock-invalid", f"{origin} is not a valid renv lock file: {detail}",
                     "Regenerate it with renv::snapshot() and commit the result.")


def r_lock_source_unsupported(origin: str, package: str, source: str) -> UserError:
    return UserError("r-lock-source", f"{origin} locks {package} from {excerpt(source, 40)}; only packages from "
                     "CRAN-like repositories (Source: Repository) can be installed",
                     f"Publish {package} into your miniCRAN repository (tools::write_PACKAGES) and lock it from there.")
