"""``directoryPerms`` missing or not an octal mode: access point creation fails and claims
stay Pending.

What it checks
--------------
StorageClasses that provision EFS access points (``provisioningMode: efs-ap``): the
``directoryPerms`` parameter must be present and match ``^[0-7]{3,4}$``.

Why it breaks mounts
--------------------
The driver passes ``directoryPerms`` unchecked into the access point's
``RootDirectory.CreationInfo.Permissions``, sending an empty string when the parameter is
absent; the EFS API requires three or four octal digits, so ``CreateAccessPoint`` fails and
the claim is never bound: ``Failed to create Access point in File System fs-... : ...``
(efs-semantics.md §3.7; EFS API ``CreationInfo``). Nothing mounts because nothing is created.

Example
-------
::

    parameters:
      provisioningMode: efs-ap
      fileSystemId: fs-0123456789abcdef0
      directoryPerms: 777o        # not octal digits

Use instead
-----------
An octal mode as a quoted string: ``directoryPerms: "700"`` (owner only), ``"750"`` or
``"770"`` for a group.

Limits
------
The exact EFS error text for an empty permission string is not documented, so a missing
parameter is reported with medium confidence.

Fix safety
----------
No automatic fix: the mode is a security decision.

References
----------
- efs-semantics.md §3.7, §9 question 8
- https://docs.aws.amazon.com/efs/latest/ug/API_CreationInfo.html
- kubernetes-sigs/aws-efs-csi-driver ``docs/parameters.md``
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.provisioning_parameters import directory_perms_problem
from efs_doctor.findings import Confidence, Severity
from efs_doctor.model.chain import is_efs_access_point_class
from efs_doctor.rules.base import Result, RuleMeta, at, object_key

META = RuleMeta(
    code="CSI009",
    slug="invalid-directory-perms",
    summary="directoryPerms missing or not an octal mode in an access point StorageClass",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="storageclass-parameters-invalid",
)


def check(context: Context) -> Iterator[Result]:
    for sc in context.efs_storage_classes():
        if not is_efs_access_point_class(sc) or "provisioningMode" not in sc.parameters:
            continue
        value = sc.parameters.get("directoryPerms")
        if directory_perms_problem(sc.parameters) is None:  # the provisioning engine's answer
            continue
        fs_id = sc.parameters.get("fileSystemId", "fs-...")
        if value is None:
            message = (
                f"StorageClass {sc.name} has no directoryPerms; the driver sends an empty "
                "mode to CreateAccessPoint, which EFS rejects"
            )
            location, confidence = at(sc, "parameters"), Confidence.MEDIUM
        else:
            message = (
                f"StorageClass {sc.name}: directoryPerms {value!r} is not an octal mode of "
                "3-4 digits; EFS rejects the access point"
            )
            location, confidence = at(sc, "parameters", "directoryPerms"), None
        yield META.finding(
            message,
            location,
            confidence=confidence,
            expected_error=f"Failed to create Access point in File System {fs_id} : ...",
            chain=f"StorageClass {sc.name}",
            subjects=[object_key(sc)],
        )
