"""libbuild.s3source against a real S3 server (versitygw on 127.0.0.1): bindings, the
sync manifest, and one clear message per failure."""
from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest

from libbuild import errors
from libbuild.bindings import discover
from libbuild.log import Logger
from libbuild.s3source import Bucket, S3Binding, mirror, s3_bindings, safe_relative

WHEEL = "-1.0.0-py3-none-any.whl"


def _bindings(root: Path) -> list[S3Binding]:
    return s3_bindings(discover({"SERVICE_BINDING_ROOT": str(root)}, None))


def _binding(tmp_path: Path, s3, bucket: str, prefix: str, kind: str = "wheelhouse", **extra) -> S3Binding:
    s3.binding(tmp_path / "bindings" / "store", bucket, prefix, kind, **extra)
    return _bindings(tmp_path / "bindings")[0]


def _bucket(s3) -> str:
    return s3.bucket("ci-" + uuid.uuid4().hex[:10])


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_sync_downloads_only_changes_and_deletes_what_vanished(tmp_path, s3):
    bucket = _bucket(s3)
    files = {"alpha" + WHEEL: b"a" * 2000, "beta" + WHEEL: b"b" * 10, "notes/README": b"hello"}
    for name, body in files.items():
        s3.put(bucket, f"python/c0ffee/{name}", body)
    s3.put(bucket, "python/c0ffee-other/gamma" + WHEEL, b"not under the prefix")
    binding = _binding(tmp_path, s3, bucket, "python/c0ffee")  # no trailing slash: still the folder
    assert binding.prefix == "python/c0ffee/"
    log = Logger(io.StringIO())
    root = tmp_path / "layer"

    seen = len(s3.operations())
    cold = mirror(Bucket(binding, {}, log), root)
    assert sorted(s3.operations()[seen:]) == ["GetObject"] * 3 + ["ListObjectsV2"]
    assert _tree(cold.path) == files and cold.downloaded == 3 and cold.deleted == 0

    seen = len(s3.operations())
    warm = mirror(Bucket(binding, {}, log), root)
    assert s3.operations()[seen:] == ["ListObjectsV2"]  # an unchanged prefix: a listing, nothing else
    assert warm.downloaded == 0 and warm.digest() == cold.digest()

    s3.put(bucket, "python/c0ffee/alpha" + WHEEL, b"A" * 2001)
    s3.delete(bucket, "python/c0ffee/beta" + WHEEL)
    seen = len(s3.operations())
    changed = mirror(Bucket(binding, {}, log), root)
    assert s3.operations()[seen:] == ["ListObjectsV2", "GetObject"]
    assert _tree(changed.path) == {"alpha" + WHEEL: b"A" * 2001, "notes/README": b"hello"}
    assert changed.downloaded == 1 and changed.deleted == 1 and changed.digest() != cold.digest()

    # A file damaged on disk (other size than listed) is fetched again.
    (changed.path / "notes" / "README").write_bytes(b"hell")
    seen = len(s3.operations())
    repaired = mirror(Bucket(binding, {}, log), root)
    assert s3.operations()[seen:] == ["ListObjectsV2", "GetObject"] and repaired.downloaded == 1
    assert (repaired.path / "notes" / "README").read_bytes() == b"hello"


def test_listing_follows_every_page(tmp_path, s3):
    bucket = _bucket(s3)
    for i in range(5):
        s3.put(bucket, f"python/abc/w{i}" + WHEEL, b"x" * i)
    bucket_client = Bucket(_binding(tmp_path, s3, bucket, "python/abc/"), {}, Logger(io.StringIO()))
    bucket_client.page_size = 2
    assert [o.key.rsplit("/", 1)[1] for o in bucket_client.list("python/abc/")] == [f"w{i}" + WHEEL for i in range(5)]
    assert bucket_client.requests["list"] == 3


def test_empty_prefix_is_an_error_naming_bucket_and_prefix(tmp_path, s3):
    bucket = _bucket(s3)
    s3.put(bucket, "python/abc/x" + WHEEL, b"x")
    binding = _binding(tmp_path, s3, bucket, "python/typo/")
    with pytest.raises(errors.UserError) as err:
        mirror(Bucket(binding, {}, Logger(io.StringIO())), tmp_path / "layer")
    assert err.value.code == "s3-empty-prefix"
    assert f"s3://{bucket}/python/typo/ holds no objects" in err.value.render()


def _closed_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _failure(binding: S3Binding, tmp_path: Path) -> errors.UserError:
    with pytest.raises(errors.UserError) as err:
        mirror(Bucket(binding, {}, Logger(io.StringIO())), tmp_path / "layer")
    return err.value


def test_wrong_secret_unknown_key_missing_bucket_and_dead_endpoint_each_say_so(tmp_path, s3):
    bucket = _bucket(s3)
    s3.put(bucket, "python/abc/x" + WHEEL, b"x")
    wrong = _failure(_binding(tmp_path / "a", s3, bucket, "python/abc/", secret="not-the-secret-at-all"), tmp_path)
    assert wrong.code == "s3-bad-credentials" and "SignatureDoesNotMatch" in wrong.message
    unknown = _failure(_binding(tmp_path / "b", s3, bucket, "python/abc/", **{"access-key-id": "AKIANOSUCHKEY0000"}),
                       tmp_path)
    assert unknown.code == "s3-bad-credentials"  # InvalidAccessKeyId (AWS), XAdminUserNotFound (versitygw)
    missing = _failure(_binding(tmp_path / "c", s3, "no-such-bucket-here", "python/abc/"), tmp_path)
    assert missing.code == "s3-no-such-bucket" and "'no-such-bucket-here'" in missing.message
    dead = _failure(_binding(tmp_path / "d", s3, bucket, "python/abc/",
                             endpoint=f"http://127.0.0.1:{_closed_port()}"), tmp_path)
    assert dead.code == "s3-unreachable" and "http://127.0.0.1:" in dead.message
    for err in (wrong, unknown, missing, dead):
        text = err.render()
        assert s3.secret_key not in text and "not-the-secret-at-all" not in text and "Traceback" not in text


def test_access_denied_names_the_location(tmp_path, s3):
    bucket = _bucket(s3)
    s3.put(bucket, "python/abc/x" + WHEEL, b"x")
    access, secret = s3.add_user()
    err = _failure(_binding(tmp_path, s3, bucket, "python/abc/", secret=secret, **{"access-key-id": access}), tmp_path)
    assert err.code == "s3-access-denied"
    assert f"access to s3://{bucket}/python/abc/ was denied (AccessDenied)" in err.message
    assert secret not in err.render()


def test_a_session_token_the_server_refuses_is_one_message(tmp_path, s3):
    bucket = _bucket(s3)
    s3.put(bucket, "python/abc/x" + WHEEL, b"x")
    token = "FwoGZXIvYXdzE" + uuid.uuid4().hex * 3
    err = _failure(_binding(tmp_path, s3, bucket, "python/abc/", **{"session-token": token}), tmp_path)
    assert err.code == "s3-token-expired" and "(InvalidToken)" in err.message
    assert token not in err.render() and s3.secret_key not in err.render()


def test_ambient_credentials_and_endpoint_from_the_environment(tmp_path, s3, monkeypatch):
    bucket = _bucket(s3)
    s3.put(bucket, "r/abc/src/contrib/PACKAGES", b"Package: x\n")
    for name, value in {"AWS_ACCESS_KEY_ID": s3.access_key, "AWS_SECRET_ACCESS_KEY": s3.secret_key,
                        "AWS_ENDPOINT_URL": s3.endpoint, "AWS_DEFAULT_REGION": s3.region}.items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "bindings" / "cran"
    root.mkdir(parents=True)
    for name, value in {"type": "s3", "bucket": bucket, "prefix": "r/abc/", "kind": "cran"}.items():
        (root / name).write_text(value)
    binding = _bindings(tmp_path / "bindings")[0]
    log = Logger(io.StringIO())
    import os
    synced = mirror(Bucket(binding, dict(os.environ), log), tmp_path / "layer")
    assert _tree(synced.path) == {"src/contrib/PACKAGES": b"Package: x\n"}
    assert log.redact(f"key {s3.secret_key}") == "key ***"


def test_binding_entries_are_validated_and_only_credentials_are_masked(tmp_path):
    root = tmp_path / "bindings"

    def make(name: str, **entries: str):
        d = root / name
        d.mkdir(parents=True)
        for k, v in {"type": "s3", **entries}.items():
            (d / k).write_text(v)

    def problem(**entries: str) -> str:
        import shutil
        shutil.rmtree(root, ignore_errors=True)
        make("bad", **entries)
        with pytest.raises(errors.UserError) as err:
            _bindings(root)
        return err.value.message

    assert "has no bucket entry" in problem(kind="wheelhouse")
    assert "must be a bucket name alone" in problem(bucket="s3://b/python", kind="wheelhouse")
    assert "kind 'eggs' is not one of wheelhouse, cran, pipper, conda-channel" in problem(bucket="b", kind="eggs")
    assert "must be given together" in problem(bucket="b", kind="cran", **{"access-key-id": "AKIA1234"})
    assert "session-token needs" in problem(bucket="b", kind="cran", **{"session-token": "tok"})
    assert "either profile or" in problem(bucket="b", kind="cran", profile="ci",
                                          **{"access-key-id": "AKIA1234", "secret-access-key": "s3cr3t"})
    assert "is not an http:// or https:// URL" in problem(bucket="b", kind="cran", endpoint="127.0.0.1:9000")
    assert "without '.' or '..' parts" in problem(bucket="b", kind="cran", prefix="python/../etc")

    import shutil
    shutil.rmtree(root)
    make("wheels", bucket="corp-artifacts", prefix="/python/abc", kind="Wheelhouse",
         **{"access-key-id": "AKIAEXAMPLEKEY", "secret-access-key": "wJalrXUtnFEMI/K7MDENG", "session-token": "tok-1234"})
    make("channel", bucket="corp-artifacts", kind="pipper")
    found = discover({"SERVICE_BINDING_ROOT": str(root)}, None)
    parsed = {b.name: b for b in s3_bindings(found)}
    assert parsed["wheels"].prefix == "python/abc/" and parsed["wheels"].kind == "wheelhouse"
    assert parsed["channel"].prefix == "pipper/"  # pipper's default root
    assert [b.name for b in s3_bindings(found, "pipper")] == ["channel"]
    assert "wJalr" not in repr(parsed["wheels"]) and "AKIAEXAMPLEKEY" not in repr(parsed["wheels"])
    log = Logger(io.StringIO())
    for b in found:
        for secret in b.secret_values():
            log.add_secret(secret)
    shown = log.redact("s3://corp-artifacts/python/abc/ kind wheelhouse AKIAEXAMPLEKEY wJalrXUtnFEMI/K7MDENG tok-1234")
    assert shown == "s3://corp-artifacts/python/abc/ kind wheelhouse *** *** ***"


def test_keys_that_would_leave_the_directory_are_refused():
    assert safe_relative("python/abc/a/b.whl", "python/abc/", "s3://b/python/abc/") == "a/b.whl"
    assert safe_relative("python/abc/", "python/abc/", "s3://b/python/abc/") is None  # folder marker
    for key in ("python/abc/../x", "python/abc//x", "python/abc/./x", "python/abc/a\\..\\x"):
        with pytest.raises(errors.UserError) as err:
            safe_relative(key, "python/abc/", "s3://b/python/abc/")
        assert err.value.code == "s3-unsafe-key"


def test_a_profile_from_the_binding_own_aws_files(tmp_path, s3):
    bucket = _bucket(s3)
    s3.put(bucket, "conda/abc/noarch/repodata.json", b"{}")
    d = tmp_path / "bindings" / "channel"
    d.mkdir(parents=True)
    entries = {"type": "s3", "bucket": bucket, "prefix": "conda/abc", "kind": "conda-channel", "profile": "ci",
               "endpoint": s3.endpoint, "config": f"[profile ci]\nregion = {s3.region}\n",
               "credentials": f"[ci]\naws_access_key_id = {s3.access_key}\naws_secret_access_key = {s3.secret_key}\n"}
    for name, value in entries.items():
        (d / name).write_text(value)
    binding = _bindings(tmp_path / "bindings")[0]
    log = Logger(io.StringIO())
    synced = mirror(Bucket(binding, {}, log), tmp_path / "layer")
    assert _tree(synced.path) == {"noarch/repodata.json": b"{}"}
    assert log.redact(f"{s3.access_key} {s3.secret_key}") == "*** ***"  # resolved credentials are masked


def test_botocore_is_imported_only_when_a_request_is_made():
    import subprocess
    import sys
    repo = Path(__file__).resolve().parent.parent
    code = ("import sys; sys.path[:0] = sys.argv[1:]; import libbuild.s3source, pycnb_pip_install.detect, "
            "pycnb_pip_install.build, pycnb_pip_install.install; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('botocore', 'dateutil', 'jmespath')))")
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(repo), str(repo / "build" / "vendor"),
                          str(repo / "buildpacks" / "pip-install")], stdout=subprocess.PIPE, text=True, check=True)
    assert out.stdout.strip() == "[]"
