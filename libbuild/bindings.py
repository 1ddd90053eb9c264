"""Service bindings (servicebinding.io layout): <root>/<name>/{type,provider,<entries>}.

Looked up in $SERVICE_BINDING_ROOT, then $CNB_PLATFORM_DIR/bindings (the lifecycle
filters SERVICE_BINDING_ROOT out of the buildpack environment, so both are needed).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

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
        return p.read_text().strip() if p else None

    def secret_values(self) -> list[str]:
        """Every entry's value (except the public ones of its type), so the logger can mask them."""
        values = []
        public = PUBLIC_ENTRIES.get(self.type, frozenset())
        for key, p in self.entries.items():
            if key in public:
                continue
            try:
                text = p.read_text().strip()
            except (OSError, UnicodeDecodeError):
                continue
            values.append(text)
            values.extend(line.strip() for line in text.splitlines() if line.strip())
        return values


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
        found.append(Binding(d.name, d, type_file.read_text().strip().lower(),
                             provider_file.read_text().strip() if provider_file.is_file() else "", entries))
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
