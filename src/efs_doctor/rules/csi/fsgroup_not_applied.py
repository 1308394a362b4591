"""A pod relies on ``fsGroup`` for write access to an EFS volume: Kubernetes never applies
it there, so the non-root process may not be able to write.

What it checks
--------------
Workloads that set ``securityContext.fsGroup`` and run as a non-root user
(``runAsUser`` > 0) on an EFS volume mounted without an access point, while the
``efs.csi.aws.com`` CSIDriver object among the inputs does not declare
``fsGroupPolicy: File``.

Why it breaks mounts
--------------------
kubelet changes volume ownership to ``fsGroup`` only when the CSI driver asks for it. The EFS
driver's CSIDriver object sets no ``fsGroupPolicy``, so the default
``ReadWriteOnceWithFSType`` applies, which needs an ``fsType`` that EFS PVs never have
(efs-semantics.md §3.6). The mount succeeds; the directory keeps its owner and mode, and a
process running as uid 1000 with ``fsGroup: 1000`` gets ``Permission denied`` on write
(causes.md ``fsgroup-not-applied``).

Example
-------
::

    securityContext:
      runAsUser: 1000
      fsGroup: 1000          # not applied to the EFS volume

Use instead
-----------
Dynamic provisioning (the access point enforces ``uid``/``gid`` and creates the directory
with ``directoryPerms``), or a static PV through an access point whose ``PosixUser`` and
``CreationInfo`` match the pod, or set the directory's owner on the file system once.

Limits
------
The directory's actual owner and mode on EFS are not visible in the inputs; a directory
already owned by the pod's user works. Hence medium confidence.

Fix safety
----------
No automatic fix.

References
----------
- efs-semantics.md §3.6 (fsGroup not applied)
- https://github.com/kubernetes-sigs/aws-efs-csi-driver/issues/125
- https://kubernetes-csi.github.io/docs/support-fsgroup.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.model.kubernetes import EFS_DRIVER
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects

META = RuleMeta(
    code="CSI013",
    slug="fsgroup-not-applied",
    summary="pod relies on fsGroup, which is never applied to EFS volumes",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    needs=("manifests",),
    cause="fsgroup-not-applied",
)


def check(context: Context) -> Iterator[Result]:
    driver = context.inventory.csi_drivers.get(EFS_DRIVER)
    if driver is not None and driver.fs_group_policy == "File":
        return
    seen: set[tuple[str, str]] = set()
    for chain in context.chains:
        workload = chain.workload
        if workload is None or chain.access_point_id or chain.planned is not None:
            continue
        security = workload.pod_security
        if security.fs_group is None or not security.run_as_user:
            continue
        key = (workload.key, chain.volume_name or "")
        if key in seen:
            continue
        seen.add(key)
        volume = chain.volume_name or "its EFS volume"
        yield META.finding(
            f"{workload.kind} {workload.namespace}/{workload.name} runs as uid "
            f"{security.run_as_user} with fsGroup {security.fs_group}, but fsGroup is not "
            f"applied to EFS volumes: writes to PV {volume} work only if the directory "
            "already lets that user or group write",
            at(workload, *workload.template_path, "securityContext", "fsGroup"),
            chain=chain.label,
            subjects=chain_subjects(chain),
        )
