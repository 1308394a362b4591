"""Plain-text report of an explanation, for a person whose pods do not start."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from efs_doctor.engine.explain.model import Check, Explanation, Facts, RankedCause

if TYPE_CHECKING:
    from efs_doctor.api.explain import ExplainContext

DETAILED = 3
WIDTH = 100


def _wrap(text: str, indent: str, hang: str = "  ") -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + hang,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent]


def context_line(paths: list[str], context: ExplainContext) -> str:
    """A one-line account of the context used (paths, chains, signals), then its notes."""
    named = ", ".join(chain.label for chain in context.chains) or "none the text names"
    line = f"{', '.join(paths)} — chains: {named}; {len(context.signals)} signals"
    return line + "".join(f"\n  note: {note}" for note in context.notes)


def _facts_lines(facts: Facts) -> list[str]:
    rows: list[tuple[str, str]] = []
    if facts.file_system_ids:
        rows.append(("file system", ", ".join(facts.file_system_ids)))
    elif facts.file_system_id:
        rows.append(("file system", f"{facts.file_system_id} (redacted)"))
    if facts.access_point_id:
        rows.append(("access point", facts.access_point_id))
    if facts.mount_arguments is not None:
        names = facts.mount_arguments.option_names
        missing = [o for o in ("iam", "tls") if o not in names]
        shown = ",".join(facts.mount_arguments.options) or "(none)"
        extra = f"   (no {', no '.join(missing)})" if missing else ""
        rows.append(("mount options", shown + extra))
        if facts.mount_arguments.source:
            rows.append(("mount source", facts.mount_arguments.source))
    for label, value in (
        ("PV", facts.pv),
        ("PVC", facts.pvc),
        ("pod", facts.pod),
        ("node", facts.node),
        ("storage class", facts.storage_class),
        ("region", facts.region),
        ("zone", facts.availability_zone),
        ("principal", facts.principal),
        ("driver", facts.driver_version),
        ("efs-utils", facts.efs_utils_version),
    ):
        if value:
            rows.append((label, value))
    if facts.credentials_source is not None:
        cred = facts.credentials_source
        rows.append(("credentials", f"{cred.kind}:{cred.detail}".rstrip(":")))
    if facts.exit_status is not None:
        rows.append(("exit status", str(facts.exit_status)))
    return [f"  {label:<14} {value}" for label, value in rows]


def _checks_lines(checks: tuple[Check, ...], indent: str) -> list[str]:
    lines: list[str] = []
    for check in checks:
        lines.append(f"{indent}$ {check.command}")
        lines.extend(_wrap(f"→ {check.look_for}", indent + "  "))
    return lines


def _cause_lines(number: int, cause: RankedCause) -> list[str]:
    lines = [f"  {number}. {cause.id}   score {cause.score:.2f}   {cause.status}"]
    lines.extend(_wrap(cause.title, "     "))
    if cause.evidence:
        lines.append("     why:")
        for item in cause.evidence:
            where = f" ({item.location})" if item.location else ""
            lines.extend(_wrap(f"- {item.text}{where}", "       "))
    if cause.checks:
        lines.append("     check:")
        lines.extend(_checks_lines(cause.checks, "       "))
    if cause.rules_out:
        lines.append("     ruled out if:")
        for reason in cause.rules_out:
            lines.extend(_wrap(f"- {reason}", "       "))
    lines.extend(_wrap(f"fix: {cause.fix}", "     "))
    return lines


def _detailed(explanation: Explanation) -> list[RankedCause]:
    """The best causes overall, and at least the best of every distinct error."""
    candidates = [c for c in explanation.causes if c.status != "ruled_out"]
    wanted = {error.causes[0].id for error in explanation.errors if error.causes}
    chosen = [c for c in candidates if c.id in wanted]
    for cause in candidates:
        if len(chosen) >= max(DETAILED, len(wanted)):
            break
        if cause not in chosen:
            chosen.append(cause)
    return sorted(chosen, key=candidates.index)


def render_text(explanation: Explanation, context: str | None = None) -> str:
    """``context`` is a one-line account of the context used (paths, chains, signals)."""
    out: list[str] = []
    if not explanation.recognised:
        out.append("No known signature in this text.")
        for note in explanation.notes:
            out.extend(_wrap(f"note: {note}", ""))
        out.extend(
            _wrap(
                "efs-doctor knows the messages of kubelet, the EFS CSI driver (node and "
                "controller), efs-utils (mount.efs), mount.nfs4, stunnel/efs-proxy, and "
                "AWS STS/IMDS errors. Paste the whole FailedMount event (kubectl describe "
                "pod), including the 'Mounting arguments' and 'Output' lines, or start with "
                "these checks:",
                "",
                "",
            )
        )
        out.append("")
        out.extend(_checks_lines(explanation.generic_checks, "  "))
        return "\n".join(out) + "\n"

    errors = explanation.errors
    out.append(f"{len(errors)} error{'s' if len(errors) != 1 else ''} recognised")
    best = next((c for c in explanation.causes if c.status != "ruled_out"), None)
    if best is not None:
        out.extend(_wrap(f"Most likely: {best.id} ({best.status}) — {best.title}", "", "  "))
    for index, error in enumerate(errors, start=1):
        repeated = f", seen {error.repeats}×" if error.repeats > 1 else ""
        out.append("")
        out.append(f"Error {index}  ({error.origin}{repeated})")
        main = error.causes[0].id if error.causes else "-"
        shown = [m for m in error.matches if m.signature in error.causal]
        for match in shown[:3]:
            out.extend(_wrap(f"» {match.excerpt}", "  "))
        for note in error.notes:
            out.extend(_wrap(f"note: {note}", "  "))
        open_causes = [cause.id for cause in error.causes if cause.status != "ruled_out"]
        top = ", ".join(open_causes[:3]) or "(all ruled out by the context)"
        out.append(f"  likely causes: {top if error.causes else main}")
    facts = _facts_lines(explanation.facts)
    if facts:
        out.append("")
        out.append("Facts from the text")
        out.extend(facts)
    for note in explanation.notes:
        out.extend(_wrap(f"note: {note}", ""))

    if context:
        out.append("")
        first, *more = context.split("\n")
        out.extend(_wrap(f"Context: {first}", "", "  "))
        for line in more:
            out.extend(_wrap(line.strip(), "  ", "  "))

    causes = [c for c in explanation.causes if c.status != "ruled_out"]
    ruled_out = [c for c in explanation.causes if c.status == "ruled_out"]
    detailed = _detailed(explanation)
    out.append("")
    if causes:
        out.append("Most likely causes, best first")
    else:
        out.extend(
            _wrap(
                "The context rules out every cause this message is known to have. The error "
                "may predate the files (a changed PV applies from the next mount: was the pod "
                "re-created since?), or the files are not what the cluster runs; compare them with "
                "`kubectl get pv -o yaml` and the live AWS state.",
                "",
                "",
            )
        )
    for number, cause in enumerate(detailed, start=1):
        out.append("")
        out.extend(_cause_lines(number, cause))
    rest = [c for c in causes if c not in detailed]
    if rest:
        out.append("")
        others = " · ".join(f"{c.id} {c.score:.2f}" for c in rest)
        out.extend(_wrap(f"Also possible: {others}", ""))
    if ruled_out:
        out.append("")
        out.append("Ruled out by the context")
        for cause in ruled_out:
            reasons = [e for e in cause.evidence if e.kind == "context"]
            detail = f": {reasons[0].text}" if reasons else ""
            where = f" ({reasons[0].location})" if reasons and reasons[0].location else ""
            out.extend(_wrap(f"- {cause.id}{detail}{where}", "  "))
    return "\n".join(out) + "\n"
