"""Kustomize and Helm units: found among the walked files, rendered by the real
renderers, objects mapped back to the files to edit (issue 15).

``plan_units(files)`` finds the units and the files they own; ``render_units(plan.roots,
options, files)`` renders them.
"""

from efs_doctor.sources.render.model import (
    RenderedUnit,
    RenderOptions,
    Unit,
    UnitKind,
    UnitPlan,
)
from efs_doctor.sources.render.renderers import Renderers, find_renderers
from efs_doctor.sources.render.run import render_units
from efs_doctor.sources.render.units import plan_units

__all__ = [
    "RenderOptions",
    "RenderedUnit",
    "Renderers",
    "Unit",
    "UnitKind",
    "UnitPlan",
    "find_renderers",
    "plan_units",
    "render_units",
]
