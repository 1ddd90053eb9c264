"""S3 as a source of build inputs: `s3` bindings, and prefixes mirrored into cached layers.

A binding of type `s3` names a bucket, a prefix and what lives there (`kind`: a pip
wheelhouse, a CRAN-like tree, pipper packages, a conda channel), with optional region,
endpoint and credentials (keys + session token, or a profile; none means the ambient AWS
chain: AWS_* settings, web identity, container or instance roles). Several may coexist.

`sync()` mirrors a prefix into a cache-only layer: it lists the prefix, downloads only
objects whose (size, ETag, last-modified) differ from the manifest of the previous sync,
deletes files whose objects vanished and verifies every size, so an unchanged prefix
costs list requests and nothing else. Objects never reach an image this way, and nothing
is installed from presigned URLs (pip would record them, credentials and all, in
direct_url.json).

Every buildpack uses it the same way: `s3_bindings(ctx.bindings, kind)`, `sync(ctx, b)`,
then the synced directory as a local source and `Synced.digest()` in its layer metadata
(pip-install: --find-links for `wheelhouse`; a CRAN-like tree as a `file://` repository for
`cran`, a channel directory for `conda-channel` — those buildpacks do not exist yet).
Callers that need only some objects (pipper) use `Bucket.list` and `fetch` with an
`ObjectStore` of their own.

botocore is imported only when a request is made, so detect never pays for it; it is
vendored into the buildpacks that ask for it (buildpack.toml `pycnb-libraries = ["s3"]`).
"""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
TYPE_CHECKING = False

from . import errors
from .bindings import Binding, of_type
from .log import Logger

if TYPE_CHECKING:
    from typing import Iterator, Mapping, Optional
    from .context import BuildContext

BINDING_TYPE = "s3"
KINDS = ("wheelhouse", "cran", "pipper", "conda-channel")
# pipper keeps its packages under <root>/<name>/; its default root is "pipper".
_DEFAULT_PREFIX = {"pipper": "pipper/"}
_AMBIENT_SECRETS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
_ENDPOINT_SETTINGS = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
_SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
_WORKERS = 8
_CHUNK = 1 << 20

# S3 error codes by what the user has to do about them.
_DENIED = {"AccessDenied", "AllAccessDisabled", "AccountProblem", "403", "Forbidden"}
_BAD_CREDENTIALS = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidClientTokenId", "InvalidSecurity",
                    "UnrecognizedClientException", "AuthorizationQueryParametersError",
                    "XAdminUserNotFound"}  # versitygw's InvalidAccessKeyId
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "InvalidToken", "RequestExpired",
            "InvalidTokenId"}
_WRONG_REGION = {"PermanentRedirect", "AuthorizationHeaderMalformed", "301", "IllegalLocationConstraintException"}


@dataclass(frozen=True)
class S3Binding:
    """One `s3` binding, validated. Secrets are kept out of repr()."""
    name: str
    bucket: str
    prefix: str  # "" or ending in "/"
    kind: str
    region: Optional[str] = None
    endpoint: Optional[str] = None
    profile: Optional[str] = None
    access_key_id: Optional[str] = field(default=None, repr=False)
    secret_access_key: Optional[str] = field(default=None, repr=False)
    session_token: Optional[str] = field(default=None, repr=False)
    config_file: Optional[Path] = None  # an AWS config file given as entry `config`
    credentials_file: Optional[Path] = None  # an AWS credentials file given as entry `credentials`

    @classmethod
    def parse(cls, binding: Binding) -> "S3Binding":
        def get(key: str) -> Optional[str]:
            value = binding.get(key)
            return value.strip() if value and value.strip() else None

        def invalid(detail: str) -> errors.UserError:
            return errors.s3_binding_invalid(binding.name, detail)

        bucket = get("bucket")
        if not bucket:
            raise invalid("it has no bucket entry")
        if "/" in bucket or ":" in bucket:
            raise invalid(f"bucket {bucket!r} must be a bucket name alone (put the path into the prefix entry)")
        kind = (get("kind") or "").lower()
        if kind not in KINDS:
            raise invalid(f"kind {kind!r} is not one of {', '.join(KINDS)}" if kind else "it has no kind entry")
        access, secret, token, profile = (get("access-key-id"), get("secret-access-key"), get("session-token"),
                                          get("profile"))
        if bool(access) != bool(secret):
            raise invalid("access-key-id and secret-access-key must be given together")
        if token and not access:
            raise invalid("session-token needs access-key-id and secret-access-key")
        if profile and access:
            raise invalid("give either profile or access-key-id/secret-access-key, not both")
        endpoint = get("endpoint")
        if endpoint and not re.match(r"^https?://[^/\s]+/?$", endpoint):
            raise invalid(f"endpoint {endpoint!r} is not an http:// or https:// URL of a server (no path)")
        prefix = _normal_prefix(get("prefix") if get("prefix") is not None else _DEFAULT_PREFIX.get(kind, ""))
        if prefix is None:
            raise invalid(f"prefix {get('prefix')!r} must be a relative key prefix without '.' or '..' parts")
        return cls(binding.name, bucket, prefix, kind, get("region"), endpoint.rstrip("/") if endpoint else None,
                   profile, access, secret, token, binding.entries.get("config"), binding.entries.get("credentials"))

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def identity(self) -> dict[str, str]:
        """What the synced contents depend on, without secrets (for layer metadata)."""
        return {"bucket": self.bucket, "prefix": self.prefix, "endpoint": self.endpoint or ""}


def _normal_prefix(prefix: str) -> Optional[str]:
    prefix = prefix.strip().lstrip("/")
    if not prefix:
        return ""
    parts = prefix.rstrip("/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        return None
    return "/".join(parts) + "/"


def s3_bindings(bindings: list[Binding], kind: Optional[str] = None) -> list[S3Binding]:
    """The valid `s3` bindings (of one kind, if given), in binding-name order."""
    parsed = [S3Binding.parse(b) for b in of_type(bindings, BINDING_TYPE)]
    return [b for b in parsed if kind is None or b.kind == kind]


@dataclass(frozen=True)
class S3Object:
    key: str
    size: int
    etag: str
    last_modified: str

    def entry(self) -> dict[str, object]:
        return {"size": self.size, "etag": self.etag, "last-modified": self.last_modified}


class Bucket:
    """The bucket of one binding: listing and downloads, every failure turned into one
    user-facing message that names the location and never a secret."""

    page_size: Optional[int] = None  # the server's default (1000) unless set

    def __init__(self, binding: S3Binding, settings: Mapping[str, str], log: Logger):
        self.binding = binding
        self.settings = settings
        self.log = log
        self.requests: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._client = None
        for name in _AMBIENT_SECRETS:
            if settings.get(name):
                log.add_secret(settings[name])

    @property
    def endpoint(self) -> str:
        """The server, for messages: the binding's, else AWS_ENDPOINT_URL(_S3), else AWS."""
        if self.binding.endpoint:
            return self.binding.endpoint
        return next((self.settings[n].strip() for n in _ENDPOINT_SETTINGS if self.settings.get(n)), "AWS S3")

    def client(self):
        if self._client is None:
            with self.translated(self.binding.location):
                self._client = self._make_client()
        return self._client

    def _make_client(self):
        import botocore.session
        from botocore.config import Config

        b = self.binding
        session = botocore.session.Session()
        if b.config_file:
            session.set_config_variable("config_file", str(b.config_file))
        if b.credentials_file:
            session.set_config_variable("credentials_file", str(b.credentials_file))
        if b.profile:
            session.set_config_variable("profile", b.profile)
        if not b.access_key_id:
            # The ambient chain (or a profile): resolve now, so its secrets are masked
            # before anything can print them, and a missing credential fails here.
            from botocore.exceptions import NoCredentialsError
            credentials = session.get_credentials()
            if credentials is None:
                raise NoCredentialsError()
            frozen = credentials.get_frozen_credentials()
            for secret in (frozen.access_key, frozen.secret_key, frozen.token):
                if secret:
                    self.log.add_secret(secret)
        custom_endpoint = b.endpoint or any(self.settings.get(n) for n in _ENDPOINT_SETTINGS)
        options = dict(connect_timeout=10, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"},
                       user_agent_appid="pycnb",
                       # Sizes are verified here; CRC64 validation would need awscrt.
                       request_checksum_calculation="when_required", response_checksum_validation="when_required")
        if custom_endpoint:  # S3-compatible servers rarely resolve <bucket>.<host>
            options["s3"] = {"addressing_style": "path"}
        return session.create_client("s3", region_name=b.region, endpoint_url=b.endpoint, verify=self._ca_bundle(),
                                     aws_access_key_id=b.access_key_id, aws_secret_access_key=b.secret_access_key,
                                     aws_session_token=b.session_token, config=Config(**options))

    def _ca_bundle(self) -> Optional[str]:
        """The build image's trust store (where a platform adds its own CAs), unless the
        settings name one; botocore alone would trust only its vendored bundle."""
        for name in ("AWS_CA_BUNDLE", "SSL_CERT_FILE"):
            if self.settings.get(name):
                return self.settings[name]
        return _SYSTEM_CA_BUNDLE if os.path.isfile(_SYSTEM_CA_BUNDLE) else None

    def _count(self, what: str) -> None:
        with self._lock:
            self.requests[what] += 1

    def list(self, prefix: str) -> list[S3Object]:
        """Every object under `prefix` (all pages), in key order."""
        location = f"s3://{self.binding.bucket}/{prefix}"
        objects: list[S3Object] = []
        with self.translated(location):
            client = self.client()
            token = None
            while True:
                kwargs = {"Bucket": self.binding.bucket, "Prefix": prefix}
                if token:
                    kwargs["ContinuationToken"] = token
                if self.page_size:
                    kwargs["MaxKeys"] = self.page_size
                page = client.list_objects_v2(**kwargs)
                self._count("list")
                for item in page.get("Contents", []):
                    objects.append(S3Object(item["Key"], int(item["Size"]), str(item.get("ETag", "")).strip('"'),
                                            item["LastModified"].isoformat()))
                token = page.get("NextContinuationToken")
                if not page.get("IsTruncated") or not token:
                    break
        return sorted(objects, key=lambda o: o.key)

    def download(self, obj: S3Object, dest: Path) -> None:
        """The object into `dest`, replaced only once all of it arrived with the listed size."""
        location = f"s3://{self.binding.bucket}/{obj.key}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        try:
            with self.translated(location):
                response = self.client().get_object(Bucket=self.binding.bucket, Key=obj.key)
                self._count("get")
                with open(part, "wb") as fh:
                    for chunk in response["Body"].iter_chunks(_CHUNK):
                        fh.write(chunk)
            got = part.stat().st_size
            if got != obj.size:
                raise errors.s3_size_mismatch(self.binding.location, obj.key, obj.size, got)
            os.replace(part, dest)
        finally:
            part.unlink(missing_ok=True)

    @contextlib.contextmanager
    def translated(self, location: str) -> Iterator[None]:
        """botocore's exceptions as one user error each."""
        from botocore import exceptions as bx
        try:
            yield
        except bx.ClientError as exc:
            raise self._client_error(exc, location) from None
        except (bx.ConnectionError, bx.HTTPClientError) as exc:
            raise errors.s3_unreachable(self.endpoint, type(exc).__name__) from None
        except (bx.NoCredentialsError, bx.PartialCredentialsError, bx.CredentialRetrievalError,
                bx.NoAuthTokenError) as exc:
            raise errors.s3_no_credentials(location, type(exc).__name__) from None
        except bx.ProfileNotFound as exc:
            profile = exc.kwargs.get("profile", self.binding.profile)
            raise errors.s3_binding_invalid(self.binding.name, f"profile {profile!r} is not defined in the AWS "
                                            "config") from None
        except (bx.TokenRetrievalError, bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError) as exc:
            raise errors.s3_token_expired(location, type(exc).__name__) from None
        except bx.ParamValidationError as exc:
            raise errors.s3_binding_invalid(self.binding.name, _first_line(exc)) from None
        except bx.BotoCoreError as exc:
            raise errors.s3_request_failed(location, f"{type(exc).__name__}: {_first_line(exc)}") from None
        except ValueError as exc:  # botocore's "Invalid endpoint: ..."
            if "endpoint" in str(exc).lower():
                raise errors.s3_unreachable(self.endpoint, _first_line(exc)) from None
            raise

    def _client_error(self, exc, location: str) -> errors.UserError:
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "unknown"))
        if code in _EXPIRED:
            return errors.s3_token_expired(location, code)
        if code in _BAD_CREDENTIALS:
            return errors.s3_bad_credentials(location, code)
        if code in _DENIED:
            return errors.s3_access_denied(location, code)
        if code == "NoSuchBucket":
            return errors.s3_no_such_bucket(self.binding.bucket, self.endpoint)
        if code in _WRONG_REGION:
            return errors.s3_wrong_region(location, code)
        if code in ("NoSuchKey", "404"):
            return errors.s3_request_failed(location, "the object vanished during the build; build again")
        return errors.s3_request_failed(location, f"{code}: {error.get('Message', '')}".strip(": "))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def safe_relative(key: str, prefix: str, location: str) -> Optional[str]:
    """The key below `prefix` as a relative path, None for folder markers; a key that
    would leave the directory it is written into is an error."""
    rel = key[len(prefix):]
    if not rel or rel.endswith("/"):
        return None
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts) or "\\" in rel or "\0" in rel or PurePosixPath(rel).is_absolute():
        raise errors.s3_unsafe_key(location, key)
    return rel


class ObjectStore:
    """Downloaded objects under <root>/objects/<relative key>, and a manifest of the
    (size, ETag, last-modified) each file was downloaded as."""

    def __init__(self, root: Path):
        self.root = root
        self.files = root / "objects"
        self._manifest_path = root / "manifest.json"
        try:
            self.manifest: dict[str, dict] = json.loads(self._manifest_path.read_text())
        except (OSError, ValueError):
            self.manifest = {}

    def path(self, rel: str) -> Path:
        return self.files / rel

    def current(self, rel: str, obj: S3Object) -> bool:
        """Whether the file for `rel` is this object, whole."""
        path = self.path(rel)
        return self.manifest.get(rel) == obj.entry() and path.is_file() and path.stat().st_size == obj.size

    def record(self, rel: str, obj: S3Object) -> None:
        self.manifest[rel] = obj.entry()

    def prune(self, keep: set[str]) -> int:
        """Delete every file (and manifest entry) not in `keep`; returns how many files went."""
        gone = 0
        if self.files.is_dir():
            for path in sorted(self.files.rglob("*"), reverse=True):
                rel = path.relative_to(self.files).as_posix()
                if path.is_dir() and not path.is_symlink():
                    if not any(path.iterdir()):
                        path.rmdir()
                elif rel not in keep:
                    path.unlink()
                    gone += 1
        self.manifest = {k: v for k, v in self.manifest.items() if k in keep}
        return gone

    def save(self) -> None:
        tmp = self._manifest_path.with_suffix(".tmp")
        self.root.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(self.manifest, sort_keys=True, indent=1))
        os.replace(tmp, self._manifest_path)


@dataclass
class Synced:
    """A prefix as it is on disk after a sync."""
    binding: S3Binding
    path: Path  # the directory whose files are the objects below the prefix
    objects: dict[str, S3Object]  # relative key -> object
    downloaded: int = 0
    deleted: int = 0
    requests: dict[str, int] = field(default_factory=dict)

    def digest(self) -> str:
        """What the synced contents are, for the digests of layers built from them."""
        listing = sorted((rel, o.size, o.etag) for rel, o in self.objects.items())
        data = {**self.binding.identity(), "objects": listing}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def fetch(bucket: Bucket, store: ObjectStore, wanted: dict[str, S3Object]) -> int:
    """Download the objects of `wanted` (relative key -> object) that the store does not
    hold as they are, in parallel; returns how many were downloaded."""
    stale = {rel: obj for rel, obj in wanted.items() if not store.current(rel, obj)}
    if not stale:
        return 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(_WORKERS, len(stale))) as pool:
        futures = {pool.submit(bucket.download, obj, store.path(rel)): rel for rel, obj in stale.items()}
        try:
            for future in concurrent.futures.as_completed(futures):
                future.result()
                rel = futures[future]
                store.record(rel, stale[rel])
                bucket.log.debug(f"downloaded {rel} ({stale[rel].size} bytes)")
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return len(stale)


def mirror(bucket: Bucket, root: Path) -> Synced:
    """Make <root>/objects the binding's prefix: list, fetch what changed, delete what vanished."""
    binding = bucket.binding
    objects = {}
    for obj in bucket.list(binding.prefix):
        rel = safe_relative(obj.key, binding.prefix, binding.location)
        if rel is not None:
            objects[rel] = obj
    if not objects:
        raise errors.s3_empty_prefix(binding.location)
    store = ObjectStore(root)
    deleted = store.prune(set(objects))
    downloaded = fetch(bucket, store, objects)
    store.save()
    return Synced(binding, store.files, objects, downloaded, deleted, dict(bucket.requests))


def layer_name(binding: S3Binding) -> str:
    return "s3-" + re.sub(r"[^A-Za-z0-9._-]", "_", binding.name)


def sync(ctx: "BuildContext", binding: S3Binding) -> Synced:
    """The binding's prefix mirrored into its own cache-only layer (never in the image)."""
    layer = ctx.layers.cached(layer_name(binding), binding.identity(), cache=True)
    with ctx.log.section(f"Syncing {binding.location} ({binding.kind}, binding '{binding.name}')"):
        synced = mirror(Bucket(binding, ctx.settings, ctx.log), layer.path)
        size = sum(o.size for o in synced.objects.values())
        ctx.log.info(f"{len(synced.objects)} objects ({size / 1e6:.1f} MB): {synced.downloaded} downloaded, "
                     f"{len(synced.objects) - synced.downloaded} unchanged, {synced.deleted} deleted; "
                     f"{synced.requests.get('list', 0)} list and {synced.requests.get('get', 0)} get requests")
    return synced
