"""The access point's root directory is not ``/`` and has no ``CreationInfo``: if that
directory is missing, every mount through the access point fails.

What it checks
--------------
Access points used by EFS volumes (the access point in the PV's ``volumeHandle``, from
``describe-access-points``) whose ``RootDirectory.Path`` is not ``/`` and whose
``RootDirectory.CreationInfo`` is absent.

Why it breaks mounts
--------------------
EFS creates an access point's root directory on first mount only when ``CreationInfo``
(owner uid/gid and permissions) is set; without it a missing directory -- never created, or
deleted later, e.g. by the driver's ``delete-access-point-root-dir`` clean-up of another
volume -- makes mounts through the access point fail (efs-semantics.md §5; causes.md
``access-point-root-dir-missing``), while mounting the file system root still works.

Example
-------
::

    "RootDirectory": {"Path": "/shared/uploads"}

Use instead
-----------
Create access points with ``CreationInfo`` (``OwnerUid``, ``OwnerGid``, ``Permissions``);
access points cannot be changed, so create a new one and point the PV's handle at it. Or make
sure the directory exists before the first mount.

Limits
------
Whether the directory exists cannot be seen from AWS state, so the finding is a risk (medium
confidence), not a certain failure. The exact client error is not documented (§9 question 3).

Fix safety
----------
No automatic fix.

References
----------
- efs-semantics.md §5, §9 question 3
- https://docs.aws.amazon.com/efs/latest/ug/API_CreationInfo.html
- https://repost.aws/knowledge-center/efs-access-point-configurations
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects

META = RuleMeta(
    code="AP001",
    slug="root-directory-without-creation-info",
    summary="access point root directory without CreationInfo (not recreated if missing)",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    needs=("access-points",),
    cause="access-point-root-dir-missing",
)


def check(context: Context) -> Iterator[Result]:
    for chain in context.chains_with_volume():
        ap = chain.access_point
        if ap is None and chain.access_point_id and not context.inventory.has("access-points"):
            yield META.inconclusive(chain.access_point_id, "access points not among the inputs")
        if ap is None or ap.root_path in ("", "/") or ap.creation_info is not None:
            continue
        pv = chain.volume
        related = (
            [Related(at(pv, "spec", "csi", "volumeHandle"), f"PV {pv.name} mounts it")]
            if pv
            else []
        )
        yield META.finding(
            f"Access point {ap.id} roots at {ap.root_path} without CreationInfo: if that "
            f"directory does not exist on {ap.file_system_id}, mounts through it fail and EFS "
            "does not create it",
            ap.source.location("RootDirectory", object_name=ap.id),
            related=related,
            chain=chain.label,
            subjects=[*chain_subjects(chain), ap.id],
        )
