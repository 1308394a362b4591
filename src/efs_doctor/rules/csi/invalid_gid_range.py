"""``gidRangeStart``/``gidRangeEnd`` (or ``uid``/``gid``) the driver refuses: every claim of
the class stays Pending.

What it checks
--------------
The POSIX identity parameters of StorageClasses that provision EFS access points, in the
order the controller parses them: ``uid`` and ``gid`` must be integers >= 0;
``gidRangeStart`` an integer > 0; ``gidRangeEnd`` an integer greater than
``gidRangeStart``; and the two range bounds go together. A range wider than the per-file-
system access point limit is reported as informational: the driver caps it silently.

Why it breaks mounts
--------------------
CreateVolume fails with ``InvalidArgument`` before anything is created (efs-semantics.md
§3.7), e.g. ``Missing gidRangeEnd parameter`` or ``gidRangeEnd must be greater than
gidRangeStart``; the provisioner retries forever and pods wait for a volume that never comes.

Example
-------
::

    parameters:
      provisioningMode: efs-ap
      gidRangeStart: "2000"      # without gidRangeEnd

Use instead
-----------
Both bounds, end above start: ``gidRangeStart: "1000"``, ``gidRangeEnd: "2000"``.

Limits
------
Checks the class, not how many GIDs are already taken (the range can still run out).

Fix safety
----------
No automatic fix: the range is an identity decision.

References
----------
- efs-semantics.md §3.7 (parameters, GID allocation, default range)
- kubernetes-sigs/aws-efs-csi-driver ``pkg/driver/controller.go``
  ``parseAccessPointConstraints``
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.provisioning_parameters import (
    ACCESS_POINT_LIMIT,
    constraint_refusal,
    gid_range,
)
from efs_doctor.findings import Confidence, Severity
from efs_doctor.model.chain import is_efs_access_point_class
from efs_doctor.model.kubernetes import StorageClass
from efs_doctor.rules.base import Result, RuleMeta, at, object_key

META = RuleMeta(
    code="CSI010",
    slug="invalid-gid-range",
    summary="uid/gid/gidRangeStart/gidRangeEnd the driver refuses",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="storageclass-parameters-invalid",
)


def problem(sc: StorageClass) -> tuple[str, str] | None:
    """(parameter at fault, the driver's error): the engine's answer."""
    refusal = constraint_refusal(sc.parameters)
    return None if refusal is None else (refusal.parameter, refusal.message)


def check(context: Context) -> Iterator[Result]:
    for sc in context.efs_storage_classes():
        if not is_efs_access_point_class(sc) or "provisioningMode" not in sc.parameters:
            continue
        found = problem(sc)
        if found is not None:
            name, error = found
            yield META.finding(
                f"StorageClass {sc.name}: {name}={sc.parameters.get(name, '')!r} is refused by "
                f"the driver ({error}); no volume of this class can be provisioned",
                at(sc, "parameters", name),
                expected_error=(
                    f'failed to provision volume with StorageClass "{sc.name}": rpc error: '
                    f"code = InvalidArgument desc = {error}"
                ),
                chain=f"StorageClass {sc.name}",
                subjects=[object_key(sc)],
            )
            continue
        if "gidRangeEnd" not in sc.parameters:
            continue
        start, end = gid_range(sc.parameters)
        asked = int(sc.parameters["gidRangeEnd"].strip())
        if asked > end:
            yield META.finding(
                f"StorageClass {sc.name}: the GID range {start}-{asked} is wider than the "
                f"{ACCESS_POINT_LIMIT:,} access points a file system can have; the driver "
                f"caps it at {end}",
                at(sc, "parameters", "gidRangeEnd"),
                severity=Severity.INFO,
                chain=f"StorageClass {sc.name}",
                subjects=[object_key(sc)],
            )
