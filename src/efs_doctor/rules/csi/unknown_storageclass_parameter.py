"""A StorageClass parameter the EFS CSI driver does not know: it is silently ignored.

What it checks
--------------
Every parameter of a StorageClass with ``provisioner: efs.csi.aws.com`` against the keys
the driver's controller reads (``provisioningMode``, ``fileSystemId``,
``fileSystemIdConfigRef``, ``fileSystemIdSecretRef``, ``directoryPerms``, ``uid``, ``gid``,
``gidRangeStart``, ``gidRangeEnd``, ``basePath``, ``subPathPattern``,
``ensureUniqueDirectory``, ``reuseAccessPoint``, ``enableTagging``,
``enforceZoneAffinity``, ``az``) and the ``csi.storage.k8s.io/`` keys of the external
provisioner. Keys are compared exactly, as the driver does (a Go map lookup).

Why it breaks mounts
--------------------
The controller looks parameters up by name and never rejects an unknown one
(efs-semantics.md §3.7): a misspelt ``gidRangestart`` or a made-up ``accessPointId`` is
dropped without a word, and volumes are provisioned with defaults the author did not mean
(a GID from the default range, a new access point instead of an existing one), which
surfaces later as permission errors inside the pod.

Example
-------
::

    parameters:
      provisioningMode: efs-ap
      fileSystemId: fs-0123456789abcdef0
      accessPointId: fsap-0123456789abcdef0   # ignored: the driver always creates one

Use instead
-----------
The documented parameter names (the finding suggests the one that differs only in case).
To mount an existing access point, use a static PV with the access point in its
``volumeHandle``.

Limits
------
Parameters known to newer drivers are accepted even when an older driver is deployed.

Fix safety
----------
Safe when offered (renaming a key that differs only in letter case); otherwise no fix.

References
----------
- efs-semantics.md §3.7 (StorageClass parameters)
- kubernetes-sigs/aws-efs-csi-driver ``pkg/driver/controller.go`` (parameter constants),
  ``docs/parameters.md``
- https://github.com/kubernetes-sigs/aws-efs-csi-driver/issues/1723
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.rules.base import Result, RuleMeta, at, object_key

META = RuleMeta(
    code="CSI008",
    slug="unknown-storageclass-parameter",
    summary="StorageClass parameter the EFS CSI driver ignores",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    needs=("manifests",),
)

KNOWN = (
    "provisioningMode",
    "fileSystemId",
    "fileSystemIdConfigRef",
    "fileSystemIdSecretRef",
    "directoryPerms",
    "uid",
    "gid",
    "gidRangeStart",
    "gidRangeEnd",
    "basePath",
    "subPathPattern",
    "ensureUniqueDirectory",
    "reuseAccessPoint",
    "enableTagging",
    "enforceZoneAffinity",
    "az",
)
PROVISIONER_PREFIX = "csi.storage.k8s.io/"


def check(context: Context) -> Iterator[Result]:
    by_lower = {key.lower(): key for key in KNOWN}
    for sc in context.efs_storage_classes():
        for key, value in sc.parameters.items():
            if key in KNOWN or key.startswith(PROVISIONER_PREFIX):
                continue
            suggestion = by_lower.get(key.lower())
            hint = f"; did you mean {suggestion}?" if suggestion else ""
            if key.lower() in ("accesspointid", "accesspoint"):
                hint = (
                    "; the driver always creates a new access point: mount an existing one "
                    "with a static PV whose volumeHandle names it"
                )
            yield META.finding(
                f"StorageClass {sc.name}: parameter {key}={value!r} is not one the EFS CSI "
                f"driver reads, so it is ignored{hint}",
                at(sc, "parameters", key),
                chain=f"StorageClass {sc.name}",
                subjects=[object_key(sc)],
            )
