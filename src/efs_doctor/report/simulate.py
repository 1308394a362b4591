"""Rendering of ``efs-doctor simulate``: the layered mount-path diagram, and JSON
(schema_version 1, ``../shared/docs/contracts.md``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from efs_doctor.engine.mount import MountOutcome, Step

SCHEMA_VERSION = 1

# The mount path as the pod sees it, top to bottom, and the steps that belong to each layer.
DIAGRAM: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pod", ("api", "kubernetes", "provisioning")),
    ("node", ("region", "credentials")),
    ("CSI driver", ("csi",)),
    ("efs-utils proxy", ("efs-utils", "port", "nfs-options")),
    ("mount target", ("target", "network")),
    ("EFS auth", ("authorization",)),
    ("access point", ("access-point",)),
    ("directory", ("sub-path", "result")),
)
_RANK = {"failed": 3, "indeterminate": 2, "ok": 1, "skipped": 0}
_MARK = {"failed": "FAIL", "indeterminate": " ?? ", "ok": " ok ", "skipped": " -- "}


# ---- JSON --------------------------------------------------------------------------------
def _step_json(step: Step) -> dict[str, Any]:
    return {
        "step": step.step,
        "status": step.status,
        "evidence": list(step.evidence),
        "source": step.source or None,
        "layer": step.layer,
        "cause": step.cause,
        "error": step.error,
        "reason": step.reason,
    }


def outcome_json(outcome: MountOutcome, context: str | None = None) -> dict[str, Any]:
    access = outcome.access
    posix = outcome.posix
    return {
        "context": context,
        "pod": outcome.pod,
        "pvc": outcome.pvc,
        "pv": outcome.pv,
        "node_or_zone": outcome.node_or_zone,
        "outcome": outcome.outcome,
        "layer": outcome.layer,
        "cause": outcome.cause,
        "error": outcome.error,
        "reason": outcome.reason,
        "mount_command": outcome.mount_command,
        "principal": outcome.principal,
        "principal_session": outcome.principal_session,
        "access": (
            {"read": access.read, "write": access.write, "root": access.root} if access else None
        ),
        "posix": (
            {
                "uid": posix.uid,
                "gid": posix.gid,
                "secondary_gids": list(posix.secondary_gids),
                "source": posix.source,
                "squashed": posix.squashed,
            }
            if posix
            else None
        ),
        "file_system_id": outcome.file_system_id,
        "access_point_id": outcome.access_point_id,
        "mount_target": outcome.mount_target,
        "transport": outcome.transport,
        "versions": {
            "csi_driver": outcome.csi_driver_version,
            "efs_utils": outcome.efs_utils_version,
        },
        "notes": list(outcome.notes),
        "steps": [_step_json(s) for s in outcome.steps],
    }


def simulate_json(
    outcomes: Sequence[MountOutcome], contexts: Sequence[str | None] | None = None
) -> dict[str, Any]:
    """``contexts``: the context of each outcome (docs/contracts.md, "Contexts")."""
    named = contexts if contexts is not None else [None] * len(outcomes)
    return {
        "schema_version": SCHEMA_VERSION,
        "mounts": [outcome_json(o, c) for o, c in zip(outcomes, named, strict=True)],
    }


# ---- text --------------------------------------------------------------------------------
def _status(steps: Sequence[Step]) -> str:
    if not steps:
        return "skipped"
    return max((s.status for s in steps), key=lambda status: _RANK[status])


def _summary(box: str, outcome: MountOutcome, steps: dict[str, Step]) -> str:
    if box == "pod":
        parts = [outcome.pod or "(no pod)"]
        if outcome.pvc:
            parts.append(f"PVC {outcome.pvc}")
        parts.append(f"PV {outcome.pv}" if outcome.pv else "PV (to be provisioned)")
        return " -> ".join(parts)
    if box == "node":
        who = outcome.principal or "principal unknown"
        return f"{outcome.node_or_zone}; EFS sees {who}"
    if box == "CSI driver":
        command = outcome.mount_command or "-"
        target = command.rsplit(" ", 1)[-1]
        if target.startswith("/var/lib/kubelet/"):
            command = command[: -len(target)] + "<target>"
        csi = steps.get("csi")
        if csi is not None and csi.status == "skipped" and " -t nfs " in f" {command} ":
            return f"none, in-tree nfs volume (kubelet): {command}"
        return f"efs.csi.aws.com {outcome.csi_driver_version}: {command}"
    if box == "efs-utils proxy":
        utils = steps.get("efs-utils")
        if utils is not None and utils.status == "skipped" and outcome.transport == "plaintext":
            return "none: the kernel NFS client (plaintext, anonymous)"
        transport = "TLS" if outcome.transport == "tls" else (outcome.transport or "?")
        return f"efs-utils {outcome.efs_utils_version}, 127.0.0.1:<port> ({transport})"
    if box == "mount target":
        selection = steps.get("target")
        first = selection.evidence[0] if selection and selection.evidence else "-"
        return f"{outcome.mount_target or '-'}; {first}"
    if box == "EFS auth":
        access = outcome.access
        if access is None:
            return outcome.principal or "principal unknown"
        mode = "read-write" if access.write else "read-only"
        posix = outcome.posix
        if access.root:
            root = "root"
        elif posix is not None and posix.source.startswith("access point"):
            root = "as the access point user"
        else:
            root = "root squashed"
        return f"{outcome.principal}: {mode}, {root}"
    if box == "access point":
        return outcome.access_point_id or "none"
    if box == "directory":
        posix = outcome.posix
        if posix is None:
            return "-"
        uid = "?" if posix.uid is None else posix.uid
        gid = "?" if posix.gid is None else posix.gid
        return f"uid {uid} gid {gid}" + (" (squashed)" if posix.squashed else "")
    return ""


def _indent(text: str, prefix: str) -> list[str]:
    return [prefix + line for line in text.rstrip("\n").split("\n")]


def outcome_text(outcome: MountOutcome) -> str:
    by_name = {s.step: s for s in outcome.steps}
    head = " ".join(
        part
        for part in (
            outcome.pod or "",
            f"PVC {outcome.pvc}" if outcome.pvc else "",
            f"PV {outcome.pv}" if outcome.pv else "",
            f"on {outcome.node_or_zone}",
        )
        if part
    )
    if outcome.outcome == "mounted":
        verdict = f"MOUNTED: {outcome.reason}"
    elif outcome.outcome == "failed":
        verdict = f"FAILED at {outcome.layer} (cause {outcome.cause or 'not classified'})"
    else:
        verdict = f"INDETERMINATE at {outcome.layer}" + (
            f" (at risk: {outcome.cause})" if outcome.cause else ""
        )
    lines = [head, verdict, ""]
    for index, (box, names) in enumerate(DIAGRAM):
        steps = [by_name[n] for n in names if n in by_name]
        status = _status(steps)
        pointer = ">" if status in ("failed", "indeterminate") else " "
        lines.append(f" {pointer} {_MARK[status]}  {box:<16} {_summary(box, outcome, by_name)}")
        for s in steps:
            if s.status in ("failed", "indeterminate"):
                lines.extend(f"          | {e}" for e in s.evidence)
                if s.source:
                    lines.append(f"          | source: {s.source}")
        if index < len(DIAGRAM) - 1:
            lines.append("        |")
    lines.append("")
    if outcome.reason and outcome.outcome != "mounted":
        lines.extend(_indent(outcome.reason, "  reason: "))
    if outcome.error:
        error_lines = outcome.error.rstrip("\n").split("\n")
        lines.append(f"  error:  {error_lines[0]}")
        lines.extend(f"          {line}" for line in error_lines[1:])
    if outcome.mount_command:
        lines.append(f"  mount:  {outcome.mount_command}")
    lines.extend(f"  note:   {n}" for n in outcome.notes)
    return "\n".join(lines) + "\n"


def simulate_text(
    outcomes: Sequence[MountOutcome], contexts: Sequence[str | None] | None = None
) -> str:
    """``contexts``: the context of each outcome, shown when there are several."""
    counts = {
        k: sum(1 for o in outcomes if o.outcome == k)
        for k in ("mounted", "failed", "indeterminate")
    }
    summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    parts = [f"efs-doctor simulate: {len(outcomes)} mount(s): {summary or 'none'}\n"]
    named = contexts if contexts is not None else [None] * len(outcomes)
    several = len(set(named)) > 1
    for outcome, context in zip(outcomes, named, strict=True):
        parts.append("\n" + (f"[{context}]\n" if several and context else ""))
        parts.append(outcome_text(outcome))
    return "".join(parts)
