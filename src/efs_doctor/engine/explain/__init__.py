"""Error text -> ranked root causes (``efs-doctor explain``; also used by ``diagnose``).

Entry points:

- :func:`explain` — pure: text (+ context signals) to an :class:`Explanation`.
- :class:`ContextSignal` — what callers (inventory, mount simulation) say about a cause.
- :func:`efs_doctor.engine.explain.context.select_chains` — the loaded chains the text names.
- :func:`efs_doctor.engine.explain.simulated.simulation_signals` — the mount simulation's
  outcomes for those chains as signals (:mod:`~efs_doctor.engine.explain.outcome`: one
  outcome's failed, open and passed steps); ``efs_doctor.api.explain`` puts them together.
"""

from __future__ import annotations

from efs_doctor.engine.explain.catalogue import Catalogue, load_catalogue
from efs_doctor.engine.explain.core import explain
from efs_doctor.engine.explain.facts import extract_facts
from efs_doctor.engine.explain.intake import normalise
from efs_doctor.engine.explain.model import (
    ContextSignal,
    ExplainedError,
    Explanation,
    Facts,
    RankedCause,
    SignalEffect,
)

__all__ = [
    "Catalogue",
    "ContextSignal",
    "ExplainedError",
    "Explanation",
    "Facts",
    "RankedCause",
    "SignalEffect",
    "explain",
    "extract_facts",
    "load_catalogue",
    "normalise",
]
