"""What pip installs from S3, prepared before it runs.

- `s3` bindings with `kind = wheelhouse`: each prefix is mirrored into a cache-only layer
  and given to pip as --find-links; with BP_PIP_S3_MODE=only (the default) pip gets
  --no-index too, so the wheelhouse is the only source; `extra` keeps the index beside it.
- pipper.json / pipper.yaml: `dependencies` resolved from the `kind = pipper` binding
  (pipper.py) and installed from their extracted wheels; `pypi` entries are ordinary
  requirements for the configured index. All of it goes into the same pip run as the
  requirement files.

The packages layer's metadata gains the wheelhouse manifest and the resolved pipper
versions, so a new prefix (or a new pipper release that the constraints admit) rebuilds
it and an unchanged one reuses it. Without s3 bindings or a pipper file nothing changes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement

from libbuild import BuildContext, errors, s3source
from libbuild.pipconfig import PipConfig

from . import pipper

MODES = ("only", "extra")


@dataclass
class S3Inputs:
    metadata: dict = field(default_factory=dict)  # merged into the packages layer's metadata
    pip_args: list[str] = field(default_factory=list)  # pipper wheels and pypi requirements


def prepare(ctx: BuildContext, config: PipConfig) -> S3Inputs:
    inputs = S3Inputs()
    wheelhouses = s3source.s3_bindings(ctx.bindings, "wheelhouse")
    if wheelhouses:
        mode = (ctx.setting("BP_PIP_S3_MODE") or "only").lower()
        if mode not in MODES:
            raise errors.invalid_setting("BP_PIP_S3_MODE", mode, " or ".join(MODES))
        digests = []
        for binding in wheelhouses:
            synced = s3source.sync(ctx, binding)
            config.use_wheelhouse(synced.path, binding.location, exclusive=mode == "only")
            digests.append(synced.digest())
        inputs.metadata["s3-wheelhouse"] = {"mode": mode, "manifest": _digest(digests)}
    conf = pipper.read_config(ctx.app_dir)
    if conf and (conf.dependencies or conf.pypi):
        resolved = _pipper_packages(ctx, conf) if conf.dependencies else []
        inputs.pip_args += [str(r.wheel) for r in resolved]
        inputs.pip_args += [_pypi_requirement(entry, conf.source) for entry in conf.pypi]
        inputs.metadata["pipper"] = pipper.fingerprint(resolved, conf.pypi)
    return inputs


def _pipper_packages(ctx: BuildContext, conf: pipper.PipperConfig) -> list[pipper.Resolved]:
    bindings = s3source.s3_bindings(ctx.bindings, "pipper")
    if not bindings:
        raise errors.s3_binding_missing("pipper", f"{conf.source} lists pipper dependencies")
    binding = bindings[0]
    if len(bindings) > 1:
        ctx.log.warn(f"several pipper bindings; using '{binding.name}' (the first by name)")
    # The bundles persist in a cache-only layer; their wheels are extracted into a layer
    # of no type, which the lifecycle neither caches nor exports, at a stable path.
    cache = ctx.layers.cached("pipper-bundles", binding.identity(), cache=True)
    wheels = ctx.layers.fresh("pipper-wheels")
    with ctx.log.section(f"Resolving pipper packages from {binding.location} ({conf.source})"):
        bucket = s3source.Bucket(binding, ctx.settings, ctx.log)
        store = s3source.ObjectStore(cache.path)
        resolver = pipper.Resolver(bucket, store, wheels.path, ctx.log)
        resolved = resolver.resolve(conf.dependencies, conf.source)
        store.prune({r.key[len(binding.prefix):] for r in resolved})
        store.save()
        ctx.log.info(f"{len(resolved)} pipper package(s): {resolver.downloaded} bundle(s) downloaded; "
                     f"{bucket.requests.get('list', 0)} list and {bucket.requests.get('get', 0)} get requests")
    return resolved


def _pypi_requirement(entry: str, source: str) -> str:
    """A `pypi` entry as one requirement: never a pip option or a direct URL."""
    try:
        req = Requirement(entry)
    except InvalidRequirement as exc:
        raise errors.pipper_config_invalid(source, f"pypi entry {entry!r} is not a requirement ({exc})") from None
    if req.url:
        raise errors.pipper_config_invalid(source, f"pypi entry {entry!r} is a direct URL; name a package and version")
    return str(req)


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
