"""The StorageClass lists ``mountOptions`` the PV does not have: they never reach a PV that
was not provisioned from the class after they were added.

What it checks
--------------
Every EFS PersistentVolume whose ``storageClassName`` names a class with ``mountOptions``
that are missing from the PV's own ``mountOptions``.

Why it breaks mounts
--------------------
Kubernetes copies a class's ``mountOptions`` into a PV only when it provisions that PV
dynamically, at creation time (efs-semantics.md §1; the StorageClass API reference: "Dynamically
provisioned PersistentVolumes of this storage class are created with these mountOptions").
A static PV, or a dynamic PV created before the options were added, mounts without them.
The usual casualty is ``iam`` added to the class to satisfy a file system policy: the static PV
still mounts anonymously and is denied.

Example
-------
::

    kind: StorageClass            kind: PersistentVolume
    mountOptions: [iam]           spec:
                                    storageClassName: efs-sc
                                    csi: {volumeHandle: fs-0123456789abcdef0}

Use instead
-----------
Put the options on the PV itself (``spec.mountOptions``). For dynamically provisioned PVs,
edit the existing PVs too; only new ones inherit the class's options.

Limits
------
Compares option names and values as written (lower-cased, as the driver passes them).

Fix safety
----------
Safe when the options added are ``iam`` or TLS/transport options, which grant nothing;
other options are what the class already asks for, so the fix is still marked safe.

References
----------
- efs-semantics.md §1 (how options reach a PV), §8 point 8
- https://kubernetes.io/docs/concepts/storage/storage-classes/#mount-options
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Fix, FixSafety, Related, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import volume_chain_label, volume_subjects, yaml_edit

META = RuleMeta(
    code="CSI005",
    slug="storageclass-mount-options-not-applied",
    summary="StorageClass mountOptions missing from a PV (they reach only new dynamic PVs)",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    needs=("manifests",),
)

DYNAMIC_ANNOTATION_VALUE = "efs.csi.aws.com"


def check(context: Context) -> Iterator[Result]:
    for pv in context.efs_volumes():
        sc = context.inventory.storage_classes.get(pv.storage_class or "")
        if sc is None or not sc.mount_options:
            continue
        have = {o.strip().lower() for o in pv.mount_options}
        missing = [o for o in sc.mount_options if o.strip().lower() not in have]
        if not missing:
            continue
        dynamic = pv.provisioned_by == DYNAMIC_ANNOTATION_VALUE
        why = (
            "it was provisioned before the class had them"
            if dynamic
            else "it is a static PV, and a class's mountOptions reach only PVs it provisions"
        )
        names = ", ".join(f"`{o}`" for o in missing)
        severity = Severity.HIGH if "iam" in {o.strip().lower() for o in missing} else None
        edits = [yaml_edit(pv, "append", ("spec", "mountOptions"), o) for o in missing]
        location = at(pv, "spec", "mountOptions") if pv.mount_options else at(pv, "spec", "csi")
        yield META.finding(
            f"PV {pv.name} does not mount with {names} from StorageClass {sc.name}: {why}",
            location,
            related=[Related(at(sc, "mountOptions"), f"StorageClass {sc.name} lists {names}")],
            severity=severity,
            fix=Fix(
                f"add {names} to the PV's mountOptions",
                FixSafety.SAFE,
                tuple(e for e in edits if e is not None),
            ),
            chain=volume_chain_label(context, pv),
            subjects=volume_subjects(context, pv),
        )
