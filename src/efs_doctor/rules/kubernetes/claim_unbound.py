"""A claim that no PersistentVolume satisfies and nothing provisions: it stays Pending.

What it checks
--------------
Every claim of an EFS mount chain as the PV controller binds it (model/binding.py): a
``volumeName`` that names a volume, a volume pre-bound to the claim by ``claimRef``, or the
smallest free volume of the claim's storage class ("" and unset differ when a default class
exists) that offers every access mode the claim asks for, has at least the requested
capacity, the same volumeMode and labels matching the claim's selector. When none does and
no provisioner creates one, the mount simulation stops at the kubernetes layer and this rule
reports it, naming the volume closest to satisfying the claim and what does not match.

Why it breaks mounts
--------------------
A Pending claim is never bound, so a pod that uses it is never scheduled
(``pod has unbound immediate PersistentVolumeClaims``) and nothing is mounted. The PV
controller records why on the claim: ``no persistent volumes available for this claim and no
storage class is set`` or ``Cannot bind to requested volume "<pv>": requested PV is too
small``.

Example
-------
::

    # PersistentVolume: capacity 10Gi, storageClassName ""
    kind: PersistentVolumeClaim
    spec:
      storageClassName: ""
      resources: {requests: {storage: 11Gi}}

Use instead
-----------
::

    kind: PersistentVolumeClaim
    spec:
      storageClassName: ""
      resources: {requests: {storage: 10Gi}}

Limits
------
Volumes in the inputs are taken as Available (files carry no status), claims are bound in
input order, and node affinity (the scheduler's part of binding) is not checked. A claim
with a storage class that no volume satisfies goes to dynamic provisioning, which this rule
does not judge.

Fix safety
----------
No fix is offered: which side is wrong (the claim's request or the volume's capacity, class
or modes) is the author's choice.

References
----------
- https://kubernetes.io/docs/concepts/storage/persistent-volumes/#binding
- https://github.com/kubernetes/kubernetes/blob/109698ca78298c4d29da70cfde7bed802d28738a/pkg/controller/volume/persistentvolume/pv_controller.go
- https://github.com/kubernetes/kubernetes/blob/109698ca78298c4d29da70cfde7bed802d28738a/staging/src/k8s.io/component-helpers/storage/volume/pv_helpers.go
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Location, Related, Severity
from efs_doctor.model.chain import MountChain
from efs_doctor.model.kubernetes import PersistentVolumeClaim
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects

META = RuleMeta(
    code="K8S001",
    slug="claim-unbound",
    summary="no PersistentVolume satisfies the claim and nothing provisions one",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="claim-unbound",
)

# The claim field each of the controller's checks reads (model/binding.py's problem texts).
_FIELDS = (
    ("requested PV is too small", ("spec", "resources", "requests", "storage")),
    ("storageClassName", ("spec", "storageClassName")),
    ("volumeMode", ("spec", "volumeMode")),
    ("accessMode", ("spec", "accessModes")),
    ("selector", ("spec", "selector")),
    ("claimRef", ("spec", "volumeName")),
)


def _where(claim: PersistentVolumeClaim, problems: tuple[str, ...]) -> Location:
    for marker, path in _FIELDS:
        if problems and marker in problems[0]:
            return at(claim, *path)
    return at(claim, "spec")


def check(context: Context) -> Iterator[Result]:
    seen: set[str] = set()
    for chain in context.chains:
        binding, claim = chain.binding, chain.claim
        if binding is None or claim is None or claim.key in seen:
            continue
        for outcome in context.outcomes(chain):
            if outcome.outcome != "failed" or outcome.cause != META.cause:
                continue
            seen.add(claim.key)
            yield _finding(chain, claim, outcome.reason, outcome.error)
            break


def _finding(
    chain: MountChain, claim: PersistentVolumeClaim, reason: str, error: str | None
) -> Result:
    binding = chain.binding
    assert binding is not None
    related = []
    if binding.closest is not None:
        related.append(
            Related(
                at(binding.closest, "spec"),
                f"PV {binding.closest.name}: " + "; ".join(binding.problems),
            )
        )
    return META.finding(
        f"{reason}; pods using it are never scheduled",
        _where(claim, binding.problems),
        related=related,
        expected_error=error,
        chain=chain.label,
        subjects=chain_subjects(chain),
    )
