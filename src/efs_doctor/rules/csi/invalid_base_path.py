"""``basePath``/``subPathPattern`` that produce an access point path EFS or the driver
refuses: claims of the class stay Pending.

What it checks
--------------
For StorageClasses that provision EFS access points, the root directory the controller
will ask for: ``path.Join("/", basePath, <pattern or PV name>)`` plus ``-<36-character
UUID>`` unless ``ensureUniqueDirectory`` is false. It must be at most 100 characters with at
most 4 sub-directories (the driver's own check), use only ``${.PV.name}``,
``${.PVC.name}`` and ``${.PVC.namespace}`` in the pattern, and avoid the characters EFS
refuses in a root directory path. For drivers before v1.7.0 (``basePath + "/" + name``)
a ``basePath`` of ``/`` or one without a leading ``/`` is reported as well.

Why it breaks mounts
--------------------
The controller refuses the path with ``InvalidArgument`` (``Proposed path '...' exceeds file
system limit of 100 characters``, ``... file system limit of 4 subdirectories``, ``Path
specified "..." contains invalid elements``), or EFS rejects ``CreateAccessPoint`` with a
validation error, so no volume is ever provisioned (efs-semantics.md §3.7, §5).

Example
-------
::

    parameters:
      basePath: /teams/data/shared/volumes
      subPathPattern: ${.PVC.namespace}/${.PVC.name}   # 6 levels deep with the UUID suffix

Use instead
-----------
A shallow ``basePath`` (``/dynamic``) and a pattern of at most two levels, or
``ensureUniqueDirectory: "false"`` when the pattern is already unique.

Limits
------
Path length depends on claim names; the rule uses the claims of the class among the inputs,
else 20 characters per placeholder.

Fix safety
----------
No automatic fix: the directory layout is a choice.

References
----------
- efs-semantics.md §3.7 (root path check), §5 (RootDirectory path pattern)
- kubernetes-sigs/aws-efs-csi-driver ``pkg/driver/controller.go`` ``validatePathRequirements``,
  ``interpolateRootDirectoryName``; commit ef5ee5d9 (v1.7.0) introduced ``path.Join``
- https://docs.aws.amazon.com/efs/latest/ug/API_RootDirectory.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.provisioning_parameters import root_directory_refusal
from efs_doctor.findings import Confidence, Severity
from efs_doctor.model.chain import is_efs_access_point_class
from efs_doctor.model.kubernetes import StorageClass
from efs_doctor.rules.base import Result, RuleMeta, at, object_key

META = RuleMeta(
    code="CSI011",
    slug="invalid-base-path",
    summary="basePath/subPathPattern giving an access point path that is refused",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="storageclass-basepath-invalid",
)


def problem(context: Context, sc: StorageClass) -> tuple[str, str] | None:
    """(parameter at fault, the driver's error) for the longest of the class's claims: the
    engine's answer."""
    claims = [
        (c.namespace, c.name)
        for c in context.inventory.claims.values()
        if c.storage_class == sc.name
    ]
    refusal = root_directory_refusal(
        sc.parameters, claims, old_join=context.driver_at_least(1, 7, 0) is False
    )
    return None if refusal is None else (refusal.parameter, refusal.message)


def check(context: Context) -> Iterator[Result]:
    for sc in context.efs_storage_classes():
        if not is_efs_access_point_class(sc) or "provisioningMode" not in sc.parameters:
            continue
        found = problem(context, sc)
        if found is None:
            continue
        name, error = found
        key = name if name in sc.parameters else "parameters"
        location = at(sc, "parameters", key) if key != "parameters" else at(sc, "parameters")
        yield META.finding(
            f"StorageClass {sc.name}: the access point root directory will be refused: {error}",
            location,
            expected_error=(
                f'failed to provision volume with StorageClass "{sc.name}": rpc error: '
                f"code = InvalidArgument desc = {error}"
            ),
            chain=f"StorageClass {sc.name}",
            subjects=[object_key(sc)],
        )
