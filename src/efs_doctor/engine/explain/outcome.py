"""Turn a mount simulation's outcome into context signals (for ``diagnose``/``explain``).

The simulator (contracts.md ``simulate``) reports per mount an ``outcome`` (mounted | failed
| indeterminate), the ``cause`` id when it failed, and a ``reason``. This adapter keeps
``explain`` independent of the simulator's types: pass the plain values.
"""

from __future__ import annotations

from collections.abc import Iterable

from efs_doctor.engine.explain.model import ContextSignal

# Causes that leave the mount itself working (limits show after mounting, or at run time).
MOUNT_SUCCEEDS_ANYWAY = frozenset(
    {
        "root-squash-no-clientrootaccess",
        "read-only-no-clientwrite",
        "fsgroup-not-applied",
        "node-plugin-oom",
    }
)


def signals_from_outcome(
    outcome: str,
    cause: str | None,
    reason: str,
    candidates: Iterable[str],
    *,
    location: str | None = None,
    origin: str = "simulate",
) -> list[ContextSignal]:
    """``candidates`` are the cause ids the text points to (``RankedCause.id`` of a text-only
    explanation); a successful simulated mount rules out those that would stop it."""
    if outcome == "failed" and cause:
        return [
            ContextSignal(cause, "confirms", f"simulated mount fails: {reason}", location, origin)
        ]
    if outcome == "indeterminate" and cause:
        return [ContextSignal(cause, "raises", f"simulation undecided: {reason}", location, origin)]
    if outcome == "mounted":
        return [
            ContextSignal(c, "rules_out", f"simulated mount succeeds: {reason}", location, origin)
            for c in candidates
            if c not in MOUNT_SUCCEEDS_ANYWAY
        ]
    return []
