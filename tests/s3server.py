"""A real S3 server for tests: versitygw on 127.0.0.1 over a temporary directory.

Buckets are filled through the S3 API the way the CI workflows fill them
(`aws s3 sync dist/ s3://<bucket>/python/<commit>/`, `pipper publish` writing
`pipper/<name>/<safe version>.pipper`), with botocore from build/vendor. The server's
access log tells which operations the client made, so tests can show that an unchanged
prefix costs list requests only.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def versitygw() -> Path:
    """The pinned versitygw binary, built once by tools/ensure-versitygw.sh (cached)."""
    proc = subprocess.run(["bash", str(REPO / "tools" / "ensure-versitygw.sh")], stdout=subprocess.PIPE, text=True,
                          timeout=3600)
    assert proc.returncode == 0, "tools/ensure-versitygw.sh failed (see its output above)"
    return Path(proc.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    region = "us-east-1"

    def __init__(self, root: Path, binary: Path):
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.access_key = "PYCNB" + secrets.token_hex(8).upper()
        self.secret_key = secrets.token_urlsafe(30)
        self.port = _free_port()
        self.data = root / "data"
        self.data.mkdir(exist_ok=True)
        self.binary = binary
        self.access_log = root / "access.log"
        (root / "iam").mkdir(exist_ok=True)
        self.server_log = root / "server.log"
        env = {**os.environ, "ROOT_ACCESS_KEY": self.access_key, "ROOT_SECRET_KEY": self.secret_key}
        with open(self.server_log, "wb") as log:
            self.proc = subprocess.Popen(
                [str(binary), "--port", f"127.0.0.1:{self.port}", "--health", "/health", "--region", self.region,
                 "--access-log", str(self.access_log), "--iam-dir", str(root / "iam"), "posix", str(self.data)],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.endpoint}/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"versitygw did not start:\n{self.server_log.read_text()}")
            time.sleep(0.05)
        self._client = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        if self._client is None:
            import sys
            if str(REPO / "build" / "vendor") not in sys.path:  # botocore, as `make vendor` installs it
                sys.path.append(str(REPO / "build" / "vendor"))
            import botocore.session
            from botocore.config import Config
            self._client = botocore.session.Session().create_client(
                "s3", region_name=self.region, endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
                aws_secret_access_key=self.secret_key,
                config=Config(s3={"addressing_style": "path"}, request_checksum_calculation="when_required",
                              response_checksum_validation="when_required"))
        return self._client

    def bucket(self, name: str) -> str:
        try:
            self.client().create_bucket(Bucket=name)
        except self.client().exceptions.BucketAlreadyOwnedByYou:
            pass
        return name

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.client().put_object(Bucket=bucket, Key=key, Body=body)

    def sync_dir(self, src: Path, bucket: str, prefix: str) -> list[str]:
        """`aws s3 sync src s3://bucket/prefix`: every file, keys relative to src."""
        keys = []
        for path in sorted(p for p in src.rglob("*") if p.is_file()):
            key = prefix.rstrip("/") + "/" + path.relative_to(src).as_posix()
            self.put(bucket, key, path.read_bytes())
            keys.append(key)
        return keys

    def add_user(self) -> tuple[str, str]:
        """A second account (role user): it owns no bucket, so the root's are denied to it."""
        access, secret = "USER" + secrets.token_hex(8).upper(), secrets.token_urlsafe(24)
        proc = subprocess.run([str(self.binary), "admin", "-a", self.access_key, "-s", self.secret_key, "-er",
                               self.endpoint, "create-user", "-a", access, "-s", secret, "-r", "user"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout
        return access, secret

    def delete(self, bucket: str, key: str) -> None:
        self.client().delete_object(Bucket=bucket, Key=key)

    def operations(self) -> list[str]:
        """The S3 operation of every request so far, from the access log, in order."""
        if not self.access_log.exists():
            return []
        ops = []
        for line in self.access_log.read_text().splitlines():
            # owner bucket [time zone] ip requester request-id operation key ...
            after = line.split("] ", 1)
            if len(after) == 2 and len(after[1].split(" ")) > 3:
                ops.append(after[1].split(" ")[3].removeprefix("s3_"))
        return ops

    def binding(self, directory: Path, bucket: str, prefix: str, kind: str, *, secret: str | None = None,
                **extra: str) -> Path:
        """A servicebinding.io directory of type s3 for this server."""
        directory.mkdir(parents=True, exist_ok=True)
        entries = {"type": "s3", "bucket": bucket, "prefix": prefix, "kind": kind, "endpoint": self.endpoint,
                   "region": self.region, "access-key-id": self.access_key,
                   "secret-access-key": secret if secret is not None else self.secret_key, **extra}
        for name, value in entries.items():
            (directory / name).write_text(value)
        return directory

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def pipper_bundle(dest: Path, wheel: Path, name: str, version: str, dependencies: list[str] = ()) -> Path:
    """A .pipper file as `pipper bundle` writes it: package.whl + package.meta."""
    dest.mkdir(parents=True, exist_ok=True)
    safe = safe_version(version)
    meta = {"name": name, "wheel_name": wheel.name, "version": version, "safe_version": safe,
            "timestamp": "2026-01-01T00:00:00", "dependencies": list(dependencies)}
    bundle = dest / f"{name}-{safe}.pipper"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.write(wheel, "package.whl")
        zf.writestr("package.meta", json.dumps(meta))
    return bundle


def safe_version(version: str) -> str:
    """pipper's key-safe version, written out independently of the code under test."""
    core, _, build = version.partition("+")
    core, _, pre = core.partition("-")
    return ("v" + core.replace(".", "-") + (f"__pre_{pre.replace('.', '_')}" if pre else "")
            + (f"__build_{build.replace('.', '_')}" if build else ""))
