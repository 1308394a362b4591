"""From the steps of each placement to :class:`MountOutcome`: the verdict, the layer, cause
and error of the deciding step, and one outcome per group of nodes/zones with the same answer.

- A failed step decides (the first one; later steps were skipped). Earlier undetermined steps
  are named in the reason: the failure assumes they pass.
- Otherwise the first undetermined step decides ``indeterminate``; every undetermined step's
  reason is listed.
- Otherwise ``mounted``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from efs_doctor.engine.mount.model import (
    OPTIONAL_STEPS,
    STEP_ORDER,
    Access,
    MountOutcome,
    Outcome,
    PosixIdentity,
    Step,
    skipped,
)
from efs_doctor.engine.mount.placement import Placement
from efs_doctor.engine.mount.versions import Versions
from efs_doctor.model.aws import PosixUser
from efs_doctor.model.chain import MountChain


@dataclass(frozen=True, slots=True)
class Run:
    """One chain on one or more placements that share every answer."""

    placements: tuple[Placement, ...]
    steps: tuple[Step, ...]
    principal: str | None
    session: str | None
    access: Access | None
    posix: PosixIdentity | None
    mount_target: str | None
    command: str | None
    transport: str | None
    notes: tuple[str, ...]
    enforced_user: PosixUser | None = None  # the access point's PosixUser, once it is known


def complete(steps: Sequence[Step]) -> tuple[Step, ...]:
    """Every step of §10 once, in run order; those not run are ``skipped`` with why."""
    failed = any(s.status == "failed" for s in steps)
    return (*steps, *_missing(frozenset(s.step for s in steps), failed))


@cache
def _missing(seen: frozenset[str], failed: bool) -> tuple[Step, ...]:
    why = (
        "not reached: an earlier step failed"
        if failed
        else "not reached: an earlier input is missing"
    )
    return tuple(
        skipped(name, why) for name in STEP_ORDER if name not in seen and name not in OPTIONAL_STEPS
    )


def verdict(steps: Sequence[Step]) -> tuple[Outcome, Step | None, str]:
    failed = next((s for s in steps if s.status == "failed"), None)
    unknown = [s for s in steps if s.status == "indeterminate"]
    if failed is not None:
        reason = failed.reason or f"{failed.step} failed"
        order = STEP_ORDER.index
        before = [s for s in unknown if order(s.step) < order(failed.step)]
        if before:
            assumed = "; ".join(s.reason or s.step for s in before)
            reason += f" (this assumes the earlier undetermined step(s) pass: {assumed})"
        return "failed", failed, reason
    if unknown:
        reasons = "; ".join(s.reason or f"{s.step} not determined" for s in unknown)
        return "indeterminate", unknown[0], reasons
    return "mounted", None, ""


def _mounted_reason(run: Run) -> str:
    access = run.access
    if access is None:
        return "mounts"
    mode = "read-write" if access.write else "read-only"
    if access.root:
        root = "root allowed"
    elif run.posix is not None and run.posix.source.startswith("access point"):
        root = f"as the access point user {run.posix.uid}:{run.posix.gid}"
    else:
        root = "root squashed"
    return f"mounts {mode}, {root}; EFS sees {run.principal or '?'}"


def merge(chain: MountChain, runs: Sequence[Run], versions: Versions) -> list[MountOutcome]:
    groups: dict[tuple[object, ...], list[Run]] = {}
    for run in runs:
        outcome, deciding, _ = verdict(run.steps)
        key = (
            outcome,
            deciding.layer if deciding else None,
            deciding.cause if deciding else None,
            deciding.error if deciding else None,
            run.principal,
            run.access,
            run.posix,
        )
        groups.setdefault(key, []).append(run)
    return [_outcome(chain, members, versions) for members in groups.values()]


def _outcome(chain: MountChain, members: Sequence[Run], versions: Versions) -> MountOutcome:
    run = members[0]
    outcome, deciding, reason = verdict(run.steps)
    where = [p for m in members for p in m.placements]
    label = ", ".join(p.label for p in where)
    notes = list(run.notes)
    if len(where) > 1:
        notes.append(f"steps shown for {where[0].label}; the same outcome on {label}")
    if outcome == "mounted":
        reason = _mounted_reason(run)
    return MountOutcome(
        pod=chain.pod_key,
        pvc=chain.claim_key,
        pv=chain.volume_name,
        node_or_zone=label,
        outcome=outcome,
        layer=deciding.layer if deciding else None,
        cause=deciding.cause if deciding else None,
        error=deciding.error if deciding and outcome == "failed" else None,
        reason=reason,
        mount_command=run.command,
        principal=run.principal,
        principal_session=run.session,
        access=run.access if outcome != "failed" else None,
        posix=run.posix,
        steps=run.steps,
        file_system_id=chain.file_system_id,
        access_point_id=chain.access_point_id,
        mount_target=run.mount_target,
        transport=run.transport,
        csi_driver_version=str(versions.csi_driver),
        efs_utils_version=str(versions.efs_utils),
        notes=tuple(notes),
        enforced_user=run.enforced_user,
    )
