"""An object the API server rejects: it is never created, so nothing that needs it works.

What it checks
--------------
Every EFS PersistentVolume and StorageClass and every claim of an EFS mount chain as the API
server would decode and validate it (engine/api_server.py): field types from the Kubernetes
OpenAPI schema (StorageClass ``parameters`` values are strings), the schema's required fields
(``csi.driver``, ``csi.volumeHandle``, ``nfs.server``, ``provisioner``) and enum values
(access modes, volumeMode, reclaim policies, volumeBindingMode). The message is the one the
API server returns.

Why it breaks mounts
--------------------
``kubectl apply`` (or ``helm install``) fails for that object, so it does not exist: a
missing PersistentVolume leaves its claim Pending, a missing StorageClass makes provisioning
fail with ``storageclass.storage.k8s.io "..." not found``, a missing claim keeps its pods
from starting. The EFS CSI driver chart's own StorageClass example sets
``ensureUniqueDirectory: true`` unquoted and is refused this way.

Example
-------
::

    kind: StorageClass
    apiVersion: storage.k8s.io/v1
    provisioner: efs.csi.aws.com
    parameters:
      provisioningMode: efs-ap
      ensureUniqueDirectory: true

Use instead
-----------
::

    parameters:
      provisioningMode: efs-ap
      ensureUniqueDirectory: "true"

Limits
------
Only the kinds above are checked, against the Kubernetes 1.37 schema. Unknown fields
(refused only under strict field validation), name formats and what the validation code
requires beyond the schema (a PV's capacity and access modes, a claim's access modes and
storage request) are not checked. A decoding
error stops the API server at the first wrong type, so only that one is reported.

Fix safety
----------
No fix is offered: quoting a value is safe, but a missing required value has to come from
the author.

References
----------
- https://github.com/kubernetes/website/pull/31219
- https://github.com/kubernetes-sigs/aws-efs-csi-driver/pull/1220
- https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
- https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/storage/validation/validation.go
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.model.kubernetes import PersistentVolume, PersistentVolumeClaim, StorageClass
from efs_doctor.rules.base import Result, RuleMeta, at, object_key

META = RuleMeta(
    code="K8S002",
    slug="api-object-invalid",
    summary="the API server rejects the object, so it is never created",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="api-object-invalid",
)

Checked = PersistentVolume | PersistentVolumeClaim | StorageClass


def _objects(context: Context) -> dict[int, tuple[Checked, str | None]]:
    """Each object once, with the label of the first chain it is part of."""
    found: dict[int, tuple[Checked, str | None]] = {}
    for chain in context.chains:
        members: list[Checked | None] = [
            chain.claim if chain.claim is not None and not chain.claim.is_template else None,
            chain.volume,
            chain.planned.storage_class if chain.planned is not None else None,
        ]
        for member in members:
            if member is not None and id(member) not in found:
                found[id(member)] = (member, chain.label)
    unchained: list[Checked] = [*context.efs_volumes(), *context.efs_storage_classes()]
    for obj in unchained:
        found.setdefault(id(obj), (obj, None))
    return found


def check(context: Context) -> Iterator[Result]:
    for obj, chain in _objects(context).values():
        rejection = context.simulator.rejection_of(obj)
        if rejection is None:
            continue
        yield META.finding(
            f"the API server rejects {obj.kind} {obj.name}, so it is never created: "
            f"{rejection.message}",
            at(obj, *rejection.path),
            expected_error=rejection.message,
            chain=chain,
            subjects=[object_key(obj)],
        )
