"""``tls`` in ``mountOptions`` while ``encryptInTransit`` is ``"false"``: the CSI driver
refuses the mount.

What it checks
--------------
EFS PersistentVolumes (and StorageClasses for the volumes they will provision) whose
``mountOptions`` contain ``tls`` while the PV's ``volumeAttributes`` set
``encryptInTransit`` to false.

Why it breaks mounts
--------------------
The driver adds ``tls`` itself unless ``encryptInTransit`` is false (on by default since
v1.0.0). When it walks the PV's mount flags and meets ``tls`` while encryption in transit is
off, it fails NodePublishVolume with ``Found tls in mountOptions but encryptInTransit is
false`` (efs-semantics.md §3.4 step 8).

Example
-------
::

    mountOptions: [tls]
    csi:
      volumeAttributes:
        encryptInTransit: "false"

Use instead
-----------
Drop ``tls`` from ``mountOptions``: the driver adds it whenever ``encryptInTransit`` is
true, which is the default. Remove the ``encryptInTransit: "false"`` attribute if the
intent was an encrypted mount.

Limits
------
A StorageClass cannot set ``encryptInTransit`` (it is a PV attribute), so only PVs are
checked.

Fix safety
----------
Safe: removing ``tls`` keeps the mount as the PV asks (unencrypted) and grants nothing; a
policy can only admit fewer clients without TLS.

References
----------
- efs-semantics.md §3.3 (``encryptInTransit``), §3.4 (option building), §7 row 31
- kubernetes-sigs/aws-efs-csi-driver ``pkg/driver/node.go`` NodePublishVolume
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.options import TLS_WITHOUT_ENCRYPTION
from efs_doctor.findings import Confidence, Fix, FixSafety, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import volume_chain_label, volume_subjects, yaml_edit

META = RuleMeta(
    code="CSI003",
    slug="tls-with-encryption-disabled",
    summary='`tls` in mountOptions with encryptInTransit "false"',
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="invalid-mount-option",
)


def check(context: Context) -> Iterator[Result]:
    for pv in context.efs_volumes():
        chain = context.chain_of_volume(pv.name)
        refused = context.admission_failure(chain) if chain is not None else None
        if refused is None or TLS_WITHOUT_ENCRYPTION not in (refused.error or ""):
            continue
        options = [o for o in pv.mount_options if o.strip().lower() == "tls"]
        if not options:
            continue
        index = list(pv.mount_options).index(options[0])
        edits = [yaml_edit(pv, "remove", ("spec", "mountOptions"), o) for o in options]
        fix = Fix(
            "remove `tls` from mountOptions (the driver adds it when encryptInTransit is true)",
            FixSafety.SAFE,
            tuple(e for e in edits if e is not None),
        )
        yield META.finding(
            f"PV {pv.name} lists `tls` in mountOptions but sets encryptInTransit to false; "
            "the CSI driver refuses such a volume",
            at(pv, "spec", "mountOptions", index),
            expected_error=refused.error,
            fix=fix,
            chain=volume_chain_label(context, pv),
            subjects=volume_subjects(context, pv),
        )
