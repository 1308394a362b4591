"""Small helpers shared by the step modules: building a :class:`Step`, citing a location."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from efs_doctor.engine.mount.model import STEP_LAYERS, Layer, Step, StepStatus
from efs_doctor.model.source import SourceMap


def where(source: SourceMap | None, fallback: str) -> str:
    """``path:line`` of an input object, or the spec section when it has no file."""
    if source is None or source.path is None:
        return fallback
    return f"{source.path}:{source.line}" if source.line else source.path


def step(
    name: str,
    status: StepStatus,
    evidence: Iterable[str],
    source: str,
    *,
    cause: str | None = None,
    error: str | None = None,
    reason: str | None = None,
    layer: Layer | None = None,
) -> Step:
    return Step(
        step=name,
        status=status,
        evidence=tuple(evidence),
        source=source,
        layer=layer or STEP_LAYERS[name],
        cause=cause,
        error=error,
        reason=reason,
    )


@cache
def skipped(name: str, why: str = "not reached: an earlier step failed") -> Step:
    return step(name, "skipped", (why,), "")
