"""Service bindings (servicebinding.io layout): <root>/<name>/{type,provider,<entries>}.

Looked up in $SERVICE_BINDING_ROOT, then $CNB_PLATFORM_DIR/bindings (the lifecycle
filters SERVICE_BINDING_ROOT out of the buildpack environment, so both are needed).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping, Optional

from . import errors

# Entries that name things rather than grant access: logged as they are, so messages can
# say which bucket and prefix failed. Every other entry of every binding is masked.
PUBLIC_ENTRIES = {"s3": frozenset({"bucket", "prefix", "region", "endpoint", "kind", "profile"})}


@dataclass
class Binding:
    """One service binding directory."""
    name: str
    path: Path
    type: str
    provider: str = ""
    entries: dict[str, Path] = field(default_factory=dict)

    def get(self, key: str) -> Optional[str]:
        p = self.entries.get(key)
        return _entry_text(p, self.name, key) if p else None

    def secret_values(self) -> list[str]:
        """Every entry's value (except the public ones of its type), so the logger can mask them."""
        values = []
        public = PUBLIC_ENTRIES.get(self.type, frozenset())
        for key, p in self.entries.items():
            if key in public:
                continue
            try:
                text = _entry_text(p, self.name, key)
            except errors.UserError:
                continue
            values.append(text)
            values.extend(line.strip() for line in text.splitlines() if line.strip())
        return values


# Binding entries are small text (a type, a URL, a password, a pip.conf); a bigger one is a mistake.
ENTRY_LIMIT = 1024 * 1024


def _entry_text(path: Path, binding: str, key: str) -> str:
    """One entry's value: UTF-8 text, whitespace-trimmed, bounded."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(ENTRY_LIMIT + 1)
    except OSError as exc:
        raise errors.binding_unreadable(binding, key, exc.strerror or str(exc)) from None
    if len(data) > ENTRY_LIMIT:
        raise errors.binding_unreadable(binding, key, f"larger than {ENTRY_LIMIT // 1024} KiB")
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise errors.binding_unreadable(binding, key, f"not UTF-8: byte 0x{data[exc.start:exc.start + 1].hex()} "
                                                      f"at offset {exc.start}") from None


def _read_root(root: Path) -> list[Binding]:
    found = []
    if not root.is_dir():
        return found
    for d in sorted(root.iterdir()):
        type_file = d / "type"
        if not d.is_dir() or not type_file.is_file():
            continue
        provider_file = d / "provider"
        entries = {f.name: f for f in sorted(d.iterdir())
                   if f.is_file() and f.name not in ("type", "provider") and not f.name.startswith("..")}
        found.append(Binding(d.name, d, _entry_text(type_file, d.name, "type").lower(),
                             _entry_text(provider_file, d.name, "provider") if provider_file.is_file() else "", entries))
    return found


def discover(environ: Mapping[str, str], platform_dir: Optional[str | Path]) -> list[Binding]:
    roots = []
    if environ.get("SERVICE_BINDING_ROOT"):
        roots.append(Path(environ["SERVICE_BINDING_ROOT"]))
    if platform_dir:
        roots.append(Path(platform_dir) / "bindings")
    seen: set[str] = set()
    out = []
    for root in roots:
        for b in _read_root(root):
            if b.name not in seen:  # the first root wins for a name
                seen.add(b.name)
                out.append(b)
    return out


def of_type(bindings: list[Binding], kind: str) -> list[Binding]:
    return [b for b in bindings if b.type == kind.lower()]
