"""Rendering the planned units, several at a time.

Renderers are processes (or the Helm library, which leaves Python's lock while it works),
so threads suffice. A renderer that fails is an input problem of its unit; an exception
of our own code while rendering is a bug, raised as an :class:`InternalError` naming the
unit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from efs_doctor.errors import internal_step
from efs_doctor.sources.render.cache import RenderCache
from efs_doctor.sources.render.helm import render_chart
from efs_doctor.sources.render.kustomize import render_kustomization
from efs_doctor.sources.render.model import RenderedUnit, RenderOptions, Unit, UnitKind
from efs_doctor.sources.render.renderers import Renderers, find_renderers

# Renders at once: each is mostly a kustomize or helm process of its own.
MAX_PARALLEL = 4


def render_units(
    units: Sequence[Unit],
    options: RenderOptions,
    files: Sequence[str] = (),
    renderers: Renderers | None = None,
) -> list[RenderedUnit]:
    """Render ``units`` (a plan's roots), in their order. ``files``: the walked paths,
    so that objects point at files as the user named them. ``renderers``: found on this
    machine when None."""
    if not units or not options.enabled:
        return []
    found = renderers if renderers is not None else find_renderers()
    cache = RenderCache(options.cache_dir)
    shown = {os.path.abspath(path): path for path in files}

    def render(unit: Unit) -> RenderedUnit:
        with internal_step(f"rendering {unit.kind.value} unit {unit.name}"):
            return _render_one(unit, found, options, cache, shown)

    if len(units) == 1:
        return [render(units[0])]
    workers = min(MAX_PARALLEL, len(units), os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(render, units))


def _render_one(
    unit: Unit,
    renderers: Renderers,
    options: RenderOptions,
    cache: RenderCache,
    shown: Mapping[str, str],
) -> RenderedUnit:
    if unit.kind is UnitKind.KUSTOMIZE:
        return render_kustomization(unit, renderers, options, cache, shown)
    return render_chart(unit, renderers, options, cache)
