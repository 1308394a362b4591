"""What a mount simulation returns: steps with evidence, and one outcome per node or zone;
:func:`step` builds a step (its layer from :data:`STEP_LAYERS`), :func:`where` cites an input.

Vocabulary (``../shared/docs/contracts.md``):
- ``layer``: ``api | kubernetes | provisioning | csi | efs-utils | dns | credentials | network |
  access-point | authorization | posix`` — where a mount fails, in the order the mount path
  runs (``provisioning``: the controller's CreateVolume, only for a volume still to be made);
- ``cause``: an id from ``../shared/docs/causes.md`` (``None`` when the mount succeeds);
- ``outcome``: ``mounted | failed | indeterminate``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from efs_doctor.model.aws import PosixUser
from efs_doctor.model.source import SourceMap

StepStatus = Literal["ok", "failed", "indeterminate", "skipped"]
Outcome = Literal["mounted", "failed", "indeterminate"]
Layer = Literal[
    "api",
    "kubernetes",
    "provisioning",
    "csi",
    "efs-utils",
    "dns",
    "credentials",
    "network",
    "access-point",
    "authorization",
    "posix",
]

# Step ids in the order of efs-semantics.md §10, with the layer each reports under.
STEP_LAYERS: dict[str, Layer] = {
    "api": "api",
    "kubernetes": "kubernetes",
    "provisioning": "provisioning",
    "csi": "csi",
    "efs-utils": "efs-utils",
    "region": "efs-utils",
    "target": "dns",
    "port": "efs-utils",
    "credentials": "credentials",
    "nfs-options": "efs-utils",
    "network": "network",
    "access-point": "access-point",
    "authorization": "authorization",
    "sub-path": "posix",
    "result": "posix",
}
STEP_ORDER: tuple[str, ...] = tuple(STEP_LAYERS)
# Steps only some chains have: a static volume is never provisioned, so it has no such step.
OPTIONAL_STEPS = frozenset({"provisioning"})


@dataclass(frozen=True, slots=True)
class Step:
    """One check of the mount path. ``source`` is where the deciding input sits (``file:line``)
    or the section of efs-semantics.md that defines the behaviour."""

    step: str
    status: StepStatus
    evidence: tuple[str, ...]
    source: str
    layer: Layer
    # When failed (or indeterminate with one specific risk): the cause id and the text the
    # failing component prints, if known.
    cause: str | None = None
    error: str | None = None
    reason: str | None = None
    # Causes this step checks in general but could not this time (an input is missing):
    # a pass does not rule them out (causes.py).
    unchecked: frozenset[str] = frozenset()


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
    unchecked: Iterable[str] = (),
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
        unchecked=frozenset(unchecked),
    )


@cache
def skipped(name: str, why: str = "not reached: an earlier step failed") -> Step:
    return step(name, "skipped", (why,), "")


@dataclass(frozen=True, slots=True)
class Access:
    """Effective access of a mounted volume: read, write, act as root (efs-semantics.md §4.7)."""

    read: bool
    write: bool
    root: bool


@dataclass(frozen=True, slots=True)
class PosixIdentity:
    """Who files are read and written as. ``uid``/``gid`` None: not known from the inputs."""

    uid: int | None
    gid: int | None
    secondary_gids: tuple[int, ...] = ()
    source: str = ""
    squashed: bool = False  # uid 0 mapped to an unprivileged user (no ClientRootAccess)


@dataclass(frozen=True, slots=True)
class MountOutcome:
    pod: str | None
    pvc: str | None
    pv: str | None
    node_or_zone: str
    outcome: Outcome
    layer: Layer | None
    cause: str | None
    error: str | None
    reason: str
    mount_command: str | None
    principal: str | None
    principal_session: str | None
    access: Access | None
    posix: PosixIdentity | None
    steps: tuple[Step, ...]
    file_system_id: str | None = None
    access_point_id: str | None = None
    mount_target: str | None = None
    transport: str | None = None  # "tls" | "plaintext"
    csi_driver_version: str = ""
    efs_utils_version: str = ""
    notes: tuple[str, ...] = field(default=())
    # The uid/gid an access point (or the one a StorageClass will create) puts on every file
    # operation, whatever the pod runs as (efs-semantics.md §5); None: none, or not reached.
    enforced_user: PosixUser | None = None

    @property
    def failed_step(self) -> Step | None:
        return next((s for s in self.steps if s.status == "failed"), None)
