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

# Access points per file system (EFS quota, efs-semantics.md §5; driver constant from v3.0.0).
ACCESS_POINT_LIMIT = 10_000


def _int(value: str) -> int | None:
    try:
        return int(value.strip(), 10)
    except ValueError:
        return None


def _parse_error(name: str, value: str) -> str:
    return f'Failed to parse invalid {name}: strconv.ParseInt: parsing "{value}": invalid syntax'


def problem(sc: StorageClass) -> tuple[str, str] | None:
    """(parameter at fault, the driver's error), in the driver's order."""
    params = sc.parameters
    for name in ("uid", "gid"):
        if name in params:
            number = _int(params[name])
            if number is None:
                return name, _parse_error(name, params[name])
            if number < 0:
                return name, f"{name} must be greater or equal than 0"
    start = 0
    if "gidRangeStart" in params:
        parsed = _int(params["gidRangeStart"])
        if parsed is None:
            return "gidRangeStart", _parse_error("gidRangeStart", params["gidRangeStart"])
        if parsed <= 0:
            return "gidRangeStart", "gidRangeStart must be greater than 0"
        start = parsed
    if "gidRangeEnd" in params:
        if start == 0:
            return "gidRangeEnd", "Missing gidRangeStart parameter"
        end = _int(params["gidRangeEnd"])
        if end is None:
            return "gidRangeEnd", _parse_error("gidRangeEnd", params["gidRangeEnd"])
        if end <= start:
            return "gidRangeEnd", "gidRangeEnd must be greater than gidRangeStart"
    elif start != 0:
        return "gidRangeStart", "Missing gidRangeEnd parameter"
    return None


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
        start = _int(sc.parameters.get("gidRangeStart", "") or "x")
        end = _int(sc.parameters.get("gidRangeEnd", "") or "x")
        if start is not None and end is not None and end - start > ACCESS_POINT_LIMIT:
            yield META.finding(
                f"StorageClass {sc.name}: the GID range {start}-{end} is wider than the "
                f"{ACCESS_POINT_LIMIT:,} access points a file system can have; the driver "
                f"caps it at {start + ACCESS_POINT_LIMIT}",
                at(sc, "parameters", "gidRangeEnd"),
                severity=Severity.INFO,
                chain=f"StorageClass {sc.name}",
                subjects=[object_key(sc)],
            )
