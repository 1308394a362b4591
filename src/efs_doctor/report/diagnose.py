"""``efs-doctor diagnose`` output: text (diagram, events, causes with fixes) and JSON.

The JSON follows contracts.md (``efs-doctor diagnose --format json``): ``mounts`` as in
``simulate``, ``events``, ``causes`` as in ``explain``, ``inconclusive`` with the missing
permission.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from efs_doctor.api.diagnose import Cause, Diagnosis
from efs_doctor.sources.live_records import Inconclusive

SHOWN_CAUSES = 3


def cause_json(cause: Cause) -> dict[str, Any]:
    return {
        "id": cause.id,
        "title": cause.title,
        "score": round(cause.score, 3),
        "status": cause.status,
        "source": cause.source,
        "evidence": list(cause.evidence),
        "checks": [{"command": c, "look_for": look} for c, look in cause.checks],
        "fix": cause.fix,
    }


def diagnose_json(diagnosis: Diagnosis, inconclusive: Sequence[Inconclusive]) -> dict[str, Any]:
    from efs_doctor.report.simulate import simulate_json

    return {
        "schema_version": 1,
        "pods": list(diagnosis.pods),
        "mounts": simulate_json(diagnosis.outcomes)["mounts"],
        "events": [
            {
                "object": f"{e.involved_kind} {e.involved_key}",
                "reason": e.reason,
                "message": e.message,
                "count": e.count,
                "last_seen": e.last_seen,
            }
            for e in diagnosis.events
        ],
        "causes": [cause_json(c) for c in diagnosis.causes],
        "inconclusive": [i.as_json() for i in inconclusive],
    }


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), width=100, initial_indent=first, subsequent_indent=rest
    ) or [first.rstrip()]


def _events(diagnosis: Diagnosis) -> list[str]:
    if not diagnosis.events:
        return []
    lines = ["", "Events"]
    for event in diagnosis.events:
        count = f" x{event.count}" if event.count and event.count > 1 else ""
        seen = f", last {event.last_seen}" if event.last_seen else ""
        lines.append(f"  {event.involved_kind} {event.involved_key}: {event.reason}{count}{seen}")
        first = event.message.strip().splitlines()[0] if event.message.strip() else ""
        lines.extend(_wrap(first, "    ", "    "))
    return lines


def _causes(causes: Sequence[Cause]) -> list[str]:
    shown = [c for c in causes if c.status != "ruled_out"][:SHOWN_CAUSES]
    if not shown:
        return []
    lines = ["", "Cause" if len(shown) == 1 else "Causes, most likely first"]
    for number, cause in enumerate(shown, 1):
        by = "from the simulation" if cause.source == "simulation" else f"score {cause.score:.2f}"
        lines.append(f"  {number}. {cause.id} ({cause.status}, {by}) - {cause.title}")
        if cause.fix:
            lines.extend(_wrap(cause.fix, "     fix: ", "          "))
        for command, look_for in cause.checks[:2]:
            lines.append(f"     check: $ {command}")
            lines.extend(_wrap(look_for, "            -> ", "               "))
    ruled_out = [c.id for c in causes if c.status == "ruled_out"]
    if ruled_out:
        lines.extend(_wrap(", ".join(ruled_out), "  ruled out: ", "             "))
    return lines


def _not_checked(inconclusive: Sequence[Inconclusive]) -> list[str]:
    if not inconclusive:
        return []
    lines = ["", f"Not checked ({len(inconclusive)})"]
    for item in inconclusive:
        lines.extend(_wrap(str(item), "  - ", "    "))
    return lines


def diagnose_text(
    diagnosis: Diagnosis, inconclusive: Sequence[Inconclusive], context: Mapping[str, str]
) -> str:
    from efs_doctor.report.simulate import outcome_text

    counts = {
        k: sum(1 for o in diagnosis.outcomes if o.outcome == k)
        for k in ("mounted", "failed", "indeterminate")
    }
    summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v) or "none"
    where = " - ".join(
        f"{label} {context[key]}"
        for key, label in (
            ("cluster", "cluster"),
            ("region", "region"),
            ("kube_context", "context"),
        )
        if context.get(key)
    )
    head = f"efs-doctor diagnose: {len(diagnosis.outcomes)} mount(s): {summary}"
    lines = [head + (f"  [{where}]" if where else "")]
    text = "\n".join(lines) + "\n"
    for outcome in diagnosis.outcomes:
        text += "\n" + outcome_text(outcome)
    tail = _events(diagnosis) + _causes(diagnosis.causes) + _not_checked(inconclusive)
    if tail:
        text += "\n".join(tail) + "\n"
    return text
