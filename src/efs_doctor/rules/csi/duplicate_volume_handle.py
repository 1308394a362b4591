"""Two PersistentVolumes have the same volumeHandle: Kubernetes treats them as one volume and
only one of them mounts as meant.

What it checks
--------------
EFS PersistentVolumes with the same CSI driver and the same ``volumeHandle`` text. Mount
options do not count: two PVs whose handles are equal but whose ``mountOptions`` name
different access points (``accesspoint=``, the old way) are still one volume.

Why it breaks mounts
--------------------
kubelet identifies a CSI volume by its driver and the text of its ``volumeHandle`` (the
unique volume name ``<driver>^<volumeHandle>``, Kubernetes ``pkg/volume/csi/csi_plugin.go``
``GetVolumeName``). Two PVs with the same handle are the same volume to it: a pod using the
second PV can be handed the first one's mount, so when two PVs differ only in an
``accesspoint=`` mount option only one of them mounts with the access point it names
(causes.md ``volume-handle-format``). Handles written differently (``fs-1`` and ``fs-1::``)
are different volumes to kubelet and mount separately.

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
Only PVs among the inputs are compared. Handles that name the same directory in different
text are not reported: kubelet mounts them separately, and EFS serves the same directory to
both.

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
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import volume_chain_label, volume_subjects

META = RuleMeta(
    code="CSI002",
    slug="duplicate-volume-handle",
    summary="several PersistentVolumes have the same volumeHandle",
    severity=Severity.HIGH,
    # Which of the PVs fails depends on which pods land on the same node first: the mount
    # simulator does not model it, so the claim is not certain.
    confidence=Confidence.MEDIUM,
    needs=("manifests",),
    cause="volume-handle-format",
)


def _identity(pv: PersistentVolume) -> tuple[str, str]:
    """The volume as kubelet names it: driver and handle text (module docstring)."""
    assert pv.csi is not None
    return pv.csi.driver, pv.csi.volume_handle


def check(context: Context) -> Iterator[Result]:
    first: dict[tuple[str, str], PersistentVolume] = {}
    for pv in sorted(context.efs_volumes(), key=lambda p: p.name):
        identity = _identity(pv)
        if not identity[1]:
            continue  # no handle: the API server refuses the PV; nothing to compare
        if identity not in first:
            first[identity] = pv
            continue
        other = first[identity]
        assert pv.csi is not None
        yield META.finding(
            f"PV {pv.name} and PV {other.name} have the same volumeHandle "
            f"({pv.csi.volume_handle!r}); Kubernetes treats them as one volume",
            at(pv, "spec", "csi", "volumeHandle"),
            related=[
                Related(at(other, "spec", "csi", "volumeHandle"), f"PV {other.name} uses it first")
            ],
            chain=volume_chain_label(context, pv),
            subjects=[*volume_subjects(context, pv), *volume_subjects(context, other)],
        )
