"""pycnb/conda-env-update: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, buildinputs, opt_in, opt_out

from . import inputs


def detect(ctx: DetectContext) -> DetectResult:
    found = inputs.find(ctx.app_dir)
    if found is None:
        return opt_out("no environment.yml, environment.yaml or conda lock")
    others = [n for n in ("requirements.txt", "Pipfile", "pyproject.toml") if (ctx.app_dir / n).is_file()]
    also = f"; building as a conda app although it also has {', '.join(others)}" if others else ""
    conda = {"build": True}
    digest = inputs.build_inputs(ctx)
    if digest:
        conda[buildinputs.PLAN_KEY] = digest
    return opt_in(f"found {found.name}{also}", BuildPlan(provides=["conda-environment"],
                                                         requires=[Require("conda", conda)]))
