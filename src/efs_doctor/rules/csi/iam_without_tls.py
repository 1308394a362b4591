"""``iam`` without TLS: efs-utils refuses to mount.

What it checks
--------------
EFS volumes whose ``mountOptions`` contain ``iam`` while the mount will not use TLS:
``encryptInTransit`` is false and the handle has no access point (an access point makes the
driver add ``tls`` regardless).

Why it breaks mounts
--------------------
IAM authorization travels in the TLS client certificate efs-utils creates (efs-semantics.md
§2.9), so ``mount.efs`` validates that ``iam`` comes with ``tls`` and exits 1 with ``The
"tls" option is required when mounting via "iam"`` (§2.4). The driver adds ``tls`` only when
``encryptInTransit`` is true or an access point is used (§3.4).

Example
-------
::

    mountOptions: [iam]
    csi:
      volumeHandle: fs-0123456789abcdef0
      volumeAttributes:
        encryptInTransit: "false"

Use instead
-----------
Set ``encryptInTransit: "true"`` (or remove the attribute; true is the default).

Limits
------
None known.

Fix safety
----------
Safe: encryption in transit grants nothing by itself; a policy may only deny unencrypted
clients, never require them.

References
----------
- efs-semantics.md §2.4 (validation order), §2.9, §3.4, §7 row 3
- aws/efs-utils ``src/efs_utils_common/mount_options.py`` ``check_options_validity``
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.options import IAM_WITHOUT_TLS
from efs_doctor.findings import Confidence, Fix, FixSafety, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects, mount_options_location, yaml_edit

META = RuleMeta(
    code="CSI004",
    slug="iam-without-tls",
    summary="`iam` mount option without TLS",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="iam-without-tls",
)


def check(context: Context) -> Iterator[Result]:
    for chain in context.chains_with_volume():
        refused = context.admission_failure(chain)
        if refused is None or refused.cause != META.cause:
            continue
        pv = chain.volume
        location = mount_options_location(chain)
        fix = None
        if pv is not None:
            attributes = pv.csi.volume_attributes if pv.csi else {}
            key = next((k for k in attributes if k.lower() == "encryptintransit"), None)
            if key is not None:
                location = at(pv, "spec", "csi", "volumeAttributes", key)
            edit = yaml_edit(
                pv, "set", ("spec", "csi", "volumeAttributes", key or "encryptInTransit"), "true"
            )
            fix = Fix('set encryptInTransit to "true"', FixSafety.SAFE, (edit,) if edit else ())
        name = pv.name if pv is not None else chain.label
        yield META.finding(
            f"PV {name} mounts with `iam` but without TLS (encryptInTransit is false and no "
            "access point); efs-utils requires TLS for IAM authorization",
            location,
            expected_error=refused.error or IAM_WITHOUT_TLS,
            fix=fix,
            chain=chain.label,
            subjects=chain_subjects(chain),
        )
