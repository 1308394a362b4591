"""Mount simulation: for a mount chain, what the EFS CSI driver, efs-utils and EFS will do, in
the order they do it, and what the pod gets (``../shared/docs/efs-semantics.md`` §10).

The stable API (everything else in this package is internal):

``simulate_chain(chain, inventory, options=None) -> list[MountOutcome]``
    One outcome per node group or zone whose answer differs (usually one).

``simulate_all(inventory, chains, options=None) -> list[MountOutcome]``
    Every chain, sharing policy evaluations, target selection and network checks.

``Simulator(inventory, options=None)``
    Build once, call ``.simulate(chain)`` many times (what the two functions above do).

``SimulationOptions(csi_driver_version=None, efs_utils_version=None)``
    Versions to simulate; by default the efs-csi DaemonSet image tag, else the pinned ones.

``MountOutcome``: ``pod``, ``pvc``, ``pv``, ``node_or_zone``, ``outcome``
(``mounted|failed|indeterminate``), ``layer``, ``cause`` (causes.md id), ``error`` (the
``FailedMount`` text kubelet shows, including mount.efs's output), ``reason``,
``mount_command``, ``principal``, ``principal_session``, ``access`` (``Access(read, write,
root)`` or None), ``posix`` (``PosixIdentity``), ``steps`` (``Step(step, status, evidence,
source, layer, cause, error, reason)``). All frozen; no I/O.
"""

from __future__ import annotations

from efs_doctor.engine.mount.model import (
    STEP_ORDER,
    Access,
    Layer,
    MountOutcome,
    Outcome,
    PosixIdentity,
    Step,
    StepStatus,
)
from efs_doctor.engine.mount.simulate import (
    SimulationOptions,
    Simulator,
    simulate_all,
    simulate_chain,
)
from efs_doctor.engine.mount.versions import (
    DEFAULT_CSI_DRIVER_VERSION,
    DEFAULT_EFS_UTILS_VERSION,
)

__all__ = [
    "DEFAULT_CSI_DRIVER_VERSION",
    "DEFAULT_EFS_UTILS_VERSION",
    "STEP_ORDER",
    "Access",
    "Layer",
    "MountOutcome",
    "Outcome",
    "PosixIdentity",
    "SimulationOptions",
    "Simulator",
    "Step",
    "StepStatus",
    "simulate_all",
    "simulate_chain",
]
