"""Two PersistentVolumes name the same EFS volume: Kubernetes treats them as one volume and
only one of them mounts as meant.

What it checks
--------------
EFS PersistentVolumes whose handles resolve to the same file system, sub-path and access
point, counting an access point given as ``accesspoint=`` in ``mountOptions`` (the old way)
as part of the handle.

Why it breaks mounts
--------------------
kubelet and the CSI node plugin identify a volume by driver and ``volumeHandle``. Two PVs
with the same handle are the same volume to them: a pod using the second PV can be handed
the first one's mount, and when two PVs differ only in an ``accesspoint=`` mount option
(same ``fs-...`` handle) only one of them mounts with the access point it names
(causes.md ``volume-handle-format``).

Example
-------
::

    # pv-a                                  # pv-b
    volumeHandle: fs-0123abcd               volumeHandle: fs-0123abcd
    mountOptions: [accesspoint=fsap-aaa...] mountOptions: [accesspoint=fsap-bbb...]

Use instead
-----------
Put the access point (or sub-path) in the handle, which makes each unique:
``fs-0123abcd::fsap-0aaa...`` and ``fs-0123abcd::fsap-0bbb...``; to mount one directory
twice, give each PV its own sub-path or access point.

Limits
------
Only PVs among the inputs are compared.

Fix safety
----------
No automatic fix: which PV should change is a choice.

References
----------
- efs-semantics.md §3.2 (handle grammar), §3.4 step 8 (``accesspoint=`` in mountOptions)
- https://github.com/kubernetes-sigs/aws-efs-csi-driver/tree/v3.4.1/examples/kubernetes/efs/access_points
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.model.kubernetes import PersistentVolume
from efs_doctor.model.volume_handle import VolumeHandleError, parse_volume_handle
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import volume_chain_label, volume_subjects

META = RuleMeta(
    code="CSI002",
    slug="duplicate-volume-handle",
    summary="several PersistentVolumes resolve to the same EFS volume",
    severity=Severity.HIGH,
    # Which of the PVs fails depends on which pods land on the same node first: the mount
    # simulator does not model it, so the claim is not certain.
    confidence=Confidence.MEDIUM,
    needs=("manifests",),
    cause="volume-handle-format",
)


def _identity(pv: PersistentVolume) -> tuple[str, str, str | None] | None:
    assert pv.csi is not None
    try:
        handle = parse_volume_handle(pv.csi.volume_handle)
    except VolumeHandleError:
        return None
    access_point = handle.access_point_id
    for option in pv.mount_options:
        name, _, value = option.strip().partition("=")
        if name.lower() == "accesspoint" and value and access_point is None:
            access_point = value.strip().lower()
    return handle.file_system_id, handle.subpath, access_point


def check(context: Context) -> Iterator[Result]:
    first: dict[tuple[str, str, str | None], PersistentVolume] = {}
    for pv in sorted(context.efs_volumes(), key=lambda p: p.name):
        identity = _identity(pv)
        if identity is None:
            continue
        if identity not in first:
            first[identity] = pv
            continue
        other = first[identity]
        assert pv.csi is not None
        assert other.csi is not None
        same_text = pv.csi.volume_handle == other.csi.volume_handle
        how = "the same volumeHandle" if same_text else "handles that name the same volume"
        yield META.finding(
            f"PV {pv.name} and PV {other.name} have {how} "
            f"({pv.csi.volume_handle!r}); Kubernetes treats them as one volume",
            at(pv, "spec", "csi", "volumeHandle"),
            related=[
                Related(at(other, "spec", "csi", "volumeHandle"), f"PV {other.name} uses it first")
            ],
            chain=volume_chain_label(context, pv),
            subjects=[*volume_subjects(context, pv), *volume_subjects(context, other)],
        )
