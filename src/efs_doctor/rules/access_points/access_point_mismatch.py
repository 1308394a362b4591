"""The access point in the volume handle does not exist, is not available, or belongs to
another file system: the mount fails.

What it checks
--------------
For EFS volumes whose ``volumeHandle`` names an access point, when
``describe-access-points`` is among the inputs: that the access point is listed, that its
``FileSystemId`` is the handle's file system, and that its ``LifeCycleState`` is
``available``.

Why it breaks mounts
--------------------
efs-utils puts the access point id in the TLS client certificate for the file system in the
handle (efs-semantics.md §2.9); EFS refuses an access point of another file system, a
deleted one, or one not yet ``available`` (§5; causes.md ``access-point-not-found``). The
exact client error is not documented (§9 question 3); for an access point still being
created efs-utils >= 2.4.2 retries ``access denied`` (§2.10).

Example
-------
::

    volumeHandle: fs-0123456789abcdef0::fsap-0fedcba9876543210   # belongs to fs-0aaa...

Use instead
-----------
The access point's own file system in the handle (``aws efs describe-access-points
--access-point-id fsap-...`` shows it), or an existing access point of this file system.

Limits
------
Only when access points were loaded; an access point of another account or region is not
visible and is reported as missing with medium confidence.

Fix safety
----------
No automatic fix.

References
----------
- efs-semantics.md §2.9, §5, §9 question 3
- https://docs.aws.amazon.com/efs/latest/ug/API_AccessPointDescription.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects
from efs_doctor.rules.policy_kit import access_denied_error

META = RuleMeta(
    code="AP002",
    slug="access-point-mismatch",
    summary="access point missing, not available, or of another file system",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests", "access-points"),
    cause="access-point-not-found",
)


def check(context: Context) -> Iterator[Result]:
    inv = context.inventory
    for chain in context.chains_with_volume():
        ap_id, pv = chain.access_point_id, chain.volume
        if not ap_id or pv is None:
            continue
        where = at(pv, "spec", "csi", "volumeHandle")
        ap = chain.access_point
        if ap is None:
            if not inv.has("access-points"):
                yield META.inconclusive(ap_id, "access points not among the inputs")
            else:
                yield META.finding(
                    f"PV {pv.name} mounts through access point {ap_id}, which is not among the "
                    "loaded access points (deleted, mistyped, or in another account/region)",
                    where,
                    confidence=Confidence.MEDIUM,
                    expected_error=access_denied_error(chain),
                    chain=chain.label,
                    subjects=chain_subjects(chain),
                )
            continue
        related = [Related(ap.source.location(object_name=ap.id), f"access point {ap.id}")]
        if ap.file_system_id and ap.file_system_id != chain.file_system_id:
            yield META.finding(
                f"PV {pv.name} mounts {chain.file_system_id} through access point {ap.id}, which "
                f"belongs to {ap.file_system_id}",
                where,
                related=related,
                expected_error=access_denied_error(chain),
                chain=chain.label,
                subjects=chain_subjects(chain),
            )
        elif (ap.lifecycle_state or "available") != "available":
            yield META.finding(
                f"PV {pv.name} mounts through access point {ap.id}, which is "
                f"{ap.lifecycle_state}, not available",
                where,
                related=related,
                severity=Severity.HIGH if ap.lifecycle_state in ("creating", "updating") else None,
                expected_error=access_denied_error(chain),
                chain=chain.label,
                subjects=chain_subjects(chain),
            )
