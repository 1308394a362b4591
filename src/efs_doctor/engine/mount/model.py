"""What a mount simulation returns: steps with evidence, and one outcome per node or zone.

Vocabulary (``../shared/docs/contracts.md``):
- ``layer``: ``kubernetes | csi | efs-utils | dns | credentials | network | access-point |
  authorization | posix`` — where a mount fails, in the order the mount path runs;
- ``cause``: an id from ``../shared/docs/causes.md`` (``None`` when the mount succeeds);
- ``outcome``: ``mounted | failed | indeterminate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

StepStatus = Literal["ok", "failed", "indeterminate", "skipped"]
Outcome = Literal["mounted", "failed", "indeterminate"]
Layer = Literal[
    "kubernetes",
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
    "kubernetes": "kubernetes",
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

    @property
    def failed_step(self) -> Step | None:
        return next((s for s in self.steps if s.status == "failed"), None)
