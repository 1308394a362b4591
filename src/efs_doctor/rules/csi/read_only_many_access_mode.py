"""``ReadOnlyMany`` on an EFS volume: the driver rejects the access mode at mount time.

What it checks
--------------
EFS PersistentVolumes whose first access mode is ``ReadOnlyMany`` (kubelet passes the first
one to the driver), and claims of EFS volumes that request ``ReadOnlyMany``.

Why it breaks mounts
--------------------
The node plugin accepts only ``SINGLE_NODE_WRITER`` (``ReadWriteOnce``) and
``MULTI_NODE_MULTI_WRITER`` (``ReadWriteMany``). ``ReadOnlyMany`` becomes
``MULTI_NODE_READER_ONLY`` and NodePublishVolume fails with ``Volume capability not
supported: invalid access mode: MULTI_NODE_READER_ONLY`` (efs-semantics.md §3.6).

Example
-------
::

    spec:
      accessModes: [ReadOnlyMany]
      csi: {driver: efs.csi.aws.com, volumeHandle: fs-0123456789abcdef0}

Use instead
-----------
``ReadWriteMany`` with ``spec.csi.readOnly: true`` on the PV (or ``readOnly: true`` on the
pod's volume): the driver then adds ``ro`` to the mount.

Limits
------
A bound claim's access modes cannot be changed in place; the claim has to be re-created.

Fix safety
----------
Safe: the fix replaces ``ReadOnlyMany`` with ``ReadWriteMany`` and sets ``csi.readOnly:
true`` in the same PV, so the mount stays read-only.

References
----------
- efs-semantics.md §3.6, §7 row 28
- https://github.com/kubernetes-sigs/aws-efs-csi-driver/issues/972
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Fix, FixSafety, Related, Severity, YamlEdit
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import kubelet_error, volume_chain_label, volume_subjects, yaml_edit

META = RuleMeta(
    code="CSI006",
    slug="read-only-many-access-mode",
    summary="ReadOnlyMany access mode, which the EFS CSI driver rejects",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="unsupported-access-mode",
)

MESSAGE = "Volume capability not supported: invalid access mode: MULTI_NODE_READER_ONLY"
ROX = "ReadOnlyMany"


def check(context: Context) -> Iterator[Result]:
    for pv in context.efs_volumes():
        if not pv.access_modes or pv.access_modes[0] != ROX:
            continue
        chain = context.chain_of_volume(pv.name)
        edits: list[YamlEdit | None] = [
            yaml_edit(pv, "replace", ("spec", "accessModes"), ROX, "ReadWriteMany"),
            yaml_edit(pv, "set", ("spec", "csi", "readOnly"), True),
        ]
        related = []
        if chain is not None and chain.claim is not None and ROX in chain.claim.access_modes:
            claim = chain.claim
            related.append(
                Related(at(claim, "spec", "accessModes"), f"PVC {claim.key} requests ReadOnlyMany")
            )
            edits += [
                yaml_edit(claim, "replace", ("spec", "accessModes"), ROX, "ReadWriteMany"),
            ]
        yield META.finding(
            f"PV {pv.name} is ReadOnlyMany; the EFS CSI driver accepts only ReadWriteOnce and "
            "ReadWriteMany, so every mount of it fails",
            at(pv, "spec", "accessModes", 0),
            related=related,
            expected_error=kubelet_error(pv.name, "InvalidArgument", MESSAGE),
            fix=Fix(
                "use ReadWriteMany with csi.readOnly: true (re-create a bound claim)",
                FixSafety.SAFE,
                tuple(e for e in edits if e is not None),
            ),
            chain=volume_chain_label(context, pv),
            subjects=volume_subjects(context, pv),
        )
