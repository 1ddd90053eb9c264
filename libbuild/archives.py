"""Safe extraction of tar and zip archives into a layer.

Refused: absolute paths, '..' that leaves the destination, links pointing outside it,
and device or fifo members. On refusal the destination is emptied so no partial
extraction survives.
"""
from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import zipfile
from pathlib import Path

from . import errors


def _inside(dest: str, path: str) -> bool:
    real = os.path.normpath(os.path.join(dest, path))
    return real == dest or real.startswith(dest + os.sep)


def _strip(name: str, n: int) -> str | None:
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if len(parts) <= n:
        return None
    return "/".join(parts[n:])


def _check_name(label: str, name: str) -> None:
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise errors.unsafe_archive(label, name, "has an absolute path")
    if ".." in name.split("/"):
        raise errors.unsafe_archive(label, name, "contains '..'")


def extract(archive: str | Path, dest: str | Path, strip_components: int = 0, label: str = "") -> None:
    archive, dest = Path(archive), Path(dest)
    label = label or archive.name
    dest.mkdir(parents=True, exist_ok=True)
    try:
        if tarfile.is_tarfile(archive):
            _extract_tar(archive, dest, strip_components, label)
        elif zipfile.is_zipfile(archive):
            _extract_zip(archive, dest, strip_components, label)
        else:
            raise errors.unsupported_archive(label)
    except BaseException:
        _empty(dest)
        raise


def _empty(dest: Path) -> None:
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _extract_tar(archive: Path, dest: Path, strip: int, label: str) -> None:
    root = str(dest.resolve())
    with tarfile.open(archive) as tar:
        members = []
        for m in tar.getmembers():
            _check_name(label, m.name)
            name = _strip(m.name, strip)
            if name is None:
                continue
            if not (m.isfile() or m.isdir() or m.issym() or m.islnk()):
                raise errors.unsafe_archive(label, m.name, "is a device, fifo or other special file")
            if not _inside(root, name):
                raise errors.unsafe_archive(label, m.name, "would be written outside the destination")
            if m.issym():
                if m.linkname.startswith("/"):
                    raise errors.unsafe_archive(label, m.name, f"links to the absolute path {m.linkname!r}")
                target = posixpath.join(posixpath.dirname(name), m.linkname)
                if not _inside(root, target):
                    raise errors.unsafe_archive(label, m.name, f"links outside the destination ({m.linkname!r})")
            if m.islnk():
                _check_name(label, m.linkname)
                link = _strip(m.linkname, strip)
                if link is None or not _inside(root, link):
                    raise errors.unsafe_archive(label, m.name, f"hard-links outside the destination ({m.linkname!r})")
                m.linkname = link
            m.name = name
            # Never restore owners or setuid bits from an archive.
            m.mode &= 0o777
            m.uid = m.gid = 0
            m.uname = m.gname = ""
            members.append(m)
        for m in members:
            # Check each path's parents at extraction time too: an earlier member may have
            # made a directory name into a symlink.
            parent = (dest / m.name).parent
            if not str(parent.resolve()).startswith(root):
                raise errors.unsafe_archive(label, m.name, "would be written through a link outside the destination")
            tar.extract(m, dest, set_attrs=not m.issym(), numeric_owner=True,
                        **({"filter": "fully_trusted"} if hasattr(tarfile, "data_filter") else {}))


def _extract_zip(archive: Path, dest: Path, strip: int, label: str) -> None:
    root = str(dest.resolve())
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            _check_name(label, info.filename)
            name = _strip(info.filename, strip)
            if name is None:
                continue
            if not _inside(root, name):
                raise errors.unsafe_archive(label, info.filename, "would be written outside the destination")
            mode = (info.external_attr >> 16) & 0o777
            target = dest / name
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                raise errors.unsafe_archive(label, info.filename, "is a symbolic link (not allowed in zip archives)")
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            if mode:
                os.chmod(target, mode)
