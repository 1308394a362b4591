"""The EFS CSI controller cannot provision volumes of a StorageClass: every claim of it stays
Pending with a ProvisioningFailed event.

What it checks
--------------
For each StorageClass that provisions EFS access points (``provisioningMode: efs-ap``), the
provisioning step of the mount simulation: the controller's CreateVolume for a claim of the
class, in the driver's order — the boolean parameters, the file system ID (``fileSystemId``,
or the ConfigMap a ``fileSystemIdConfigRef`` names), uid/gid and the GID range, the
controller's role and its permissions, a file system ID that is not one (a documentation
placeholder) or that the described file systems do not hold, a GID range every access point
of the file system already uses, the access point quota. It reports the failure no other
StorageClass rule reports (parameters: CSI009-CSI011; permissions: IDN003).

Why it breaks mounts
--------------------
Nothing is mounted because nothing is made: the external-provisioner records
``failed to provision volume with StorageClass "<class>": rpc error: code = … desc = …``
on the claim, retries, and the claim stays Pending, so pods using it are never scheduled
(efs-semantics.md §3.7, §3.8). A placeholder ``fileSystemId`` fails here, at the controller,
long before a node could report a malformed volume ID.

Example
-------
Kubeflow's StorageClass as its guide ships it, before the placeholder is replaced::

    parameters:
      provisioningMode: efs-ap
      fileSystemId: <YOUR_FILE_SYSTEM_ID>
      directoryPerms: '700'
      uid: '1000'
      gid: '100'

Use instead
-----------
The ID of the file system (``aws efs describe-file-systems``), or a ConfigMap reference::

    parameters:
      provisioningMode: efs-ap
      fileSystemIdConfigRef: kube-system/efs-config/fileSystemId
      directoryPerms: '700'

Limits
------
A ConfigMap or Secret that is not among the inputs, a controller role that cannot be told,
and file systems or access points that were not described leave the step undetermined,
never a finding. A cross-account class (provisioner secret) is not checked.

Fix safety
----------
No automatic fix.

References
----------
- efs-semantics.md §3.7 (parameters, GID allocation), §3.8 (controller errors)
- https://github.com/kubernetes-sigs/aws-efs-csi-driver/blob/v3.4.1/pkg/driver/controller.go
- https://docs.aws.amazon.com/efs/latest/ug/create-access-point.html (10,000 access points)
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.model.chain import FILE_SYSTEM_ID_KEYS, is_efs_access_point_class
from efs_doctor.rules.base import Result, RuleMeta, at, object_key

META = RuleMeta(
    code="MNT002",
    slug="provisioning-fails",
    summary="the EFS CSI controller cannot provision volumes of this StorageClass",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
)

# The parameter a failing step's cause points at, for the finding's location.
_PARAMETER = {
    "file-system-not-found": FILE_SYSTEM_ID_KEYS,
    "gid-range-exhausted": ("gidRangeStart", "gidRangeEnd"),
    "access-point-limit": FILE_SYSTEM_ID_KEYS,
}


def check(context: Context) -> Iterator[Result]:
    reported = {
        (finding.chain, finding.cause)
        for finding in context.reported
        if finding.severity in (Severity.CRITICAL, Severity.HIGH)
    }
    simulator = context.simulator
    for sc in context.efs_storage_classes():
        if not is_efs_access_point_class(sc):
            continue
        step = simulator.provisioning(simulator.class_chain(sc)).step
        chain = f"StorageClass {sc.name}"
        if step.status != "failed" or (chain, step.cause) in reported:
            continue
        keys = _PARAMETER.get(step.cause or "", FILE_SYSTEM_ID_KEYS)
        key = next((k for k in keys if k in sc.parameters), None)
        location = at(sc, "parameters", key) if key else at(sc, "parameters")
        yield META.finding(
            f"StorageClass {sc.name}: {step.reason}",
            location,
            expected_error=step.error,
            chain=chain,
            subjects=[object_key(sc)],
            cause=step.cause,
        )
