"""pycnb/ca-certificates: detect."""
from __future__ import annotations

from libbuild import DetectContext, DetectResult, opt_in, opt_out

BINDING_TYPE = "ca-certificates"


def detect(ctx: DetectContext) -> DetectResult:
    if not ctx.has_bindings():  # the usual case, decided without parsing bindings (it leads every group)
        return opt_out(f"no {BINDING_TYPE} binding")
    from libbuild.bindings import of_type
    bound = of_type(ctx.bindings, BINDING_TYPE)
    with_entries = [b.name for b in bound if b.entries]
    if with_entries:
        return opt_in(f"{BINDING_TYPE} binding(s): {', '.join(with_entries)}")
    if bound:
        return opt_out(f"the {BINDING_TYPE} binding(s) {', '.join(b.name for b in bound)} hold no certificates")
    return opt_out(f"no {BINDING_TYPE} binding")
