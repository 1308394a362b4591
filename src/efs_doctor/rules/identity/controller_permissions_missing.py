"""The EFS CSI controller's role lacks what dynamic provisioning needs (``CreateAccessPoint``,
``TagResource`` under the managed policy's tag conditions, ...): claims stay Pending.

What it checks
--------------
When a StorageClass provisions EFS access points, the provisioning step of the mount
simulation names the controller's principal (IRSA role or Pod Identity association of
``efs-csi-controller-sa``, else the node instance role) and has its identity policies
(inline, attached managed — loaded, or the vendored AWS managed policies — and its
permissions boundary) evaluated by the IAM engine for each call the driver makes
(``pkg/driver/controller.go``): ``elasticfilesystem:DescribeAccessPoints`` when a GID is
allocated (uid or gid unset; with both set, drivers before v2.3.1 call
``DescribeFileSystems`` instead, later ones neither), ``DescribeFileSystems`` with
``enforceZoneAffinity``, ``elasticfilesystem:CreateAccessPoint`` and, when it tags,
``elasticfilesystem:TagResource``
with the request tag ``efs.csi.aws.com/cluster=true`` (``aws:RequestTag``, ``aws:TagKeys``,
``elasticfilesystem:CreateAction``), and ``elasticfilesystem:DeleteAccessPoint`` on an access
point carrying that tag (``aws:ResourceTag``). A class with ``enableTagging: "false"`` sends
no tag, which ``AmazonEFSCSIDriverPolicy``'s conditions require.

Why it breaks mounts
--------------------
The controller maps any AccessDenied to ``Access Denied. Please ensure you have the right AWS
permissions: Access denied`` without naming the action (efs-semantics.md §3.8), and the
claim is never bound. With the managed policy, ``CreateAccessPoint`` needs the request tag
that ``enableTagging: "false"`` removes (§3.8 [INF]).

Example
-------
A StorageClass that provisions access points, and a controller role without the EFS
permissions::

    # StorageClass
    parameters:
      provisioningMode: efs-ap
      fileSystemId: fs-0123456789abcdef0
    # ServiceAccount kube-system/efs-csi-controller-sa
    annotations:
      eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/efs-csi-controller
    # aws iam list-attached-role-policies --role-name efs-csi-controller
    AmazonEKSWorkerNodePolicy

Use instead
-----------
Attach ``arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy`` to the controller's
role, and keep tagging on (the default)::

    aws iam attach-role-policy --role-name efs-csi-controller \\
        --policy-arn arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy

Limits
------
A policy or permissions boundary that is not among the inputs, a condition on a key whose
request value is not known (such as ``aws:SourceIp``), or a Resource naming specific ARNs
(the access point does not exist yet) makes the check inconclusive, never a finding. Extra
``--tags`` of the controller are not modelled; SCPs and session policies are not considered.

Fix safety
----------
No automatic fix.

References
----------
- efs-semantics.md §3.7, §3.8; causes.md ``csi-controller-permissions``
- https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEFSCSIDriverPolicy.html
- https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticfilesystem.html
  (``CreateAccessPoint`` with tags also authorizes ``TagResource``)
- https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
- https://github.com/kubernetes-sigs/aws-efs-csi-driver/issues/876
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.iam.permissions import Permission
from efs_doctor.engine.mount import controller as ctl
from efs_doctor.findings import Confidence, Location, Related, Severity
from efs_doctor.model.chain import CONTROLLER_SERVICE_ACCOUNT, is_efs_access_point_class
from efs_doctor.rules.base import Result, RuleMeta, at, object_key

META = RuleMeta(
    code="IDN003",
    slug="controller-permissions-missing",
    summary="CSI controller role lacks the permissions dynamic provisioning needs",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    needs=("manifests", "iam"),
    cause="csi-controller-permissions",
)


def _short(action: str) -> str:
    return action.split(":", 1)[1]


def _because(answers: list[Permission]) -> str:
    """``Action, Action: why; Action: why`` (actions with the same reason share it)."""
    by_reason: dict[str, list[str]] = {}
    for answer in answers:
        by_reason.setdefault(answer.summary, []).append(_short(answer.action))
    return "; ".join(f"{', '.join(actions)}: {why}" for why, actions in by_reason.items())


def check(context: Context) -> Iterator[Result]:
    classes = [
        sc
        for sc in context.efs_storage_classes()
        if is_efs_access_point_class(sc) and "provisioningMode" in sc.parameters
    ]
    simulator = context.simulator
    for sc in classes:
        # The provisioning engine's answer for a claim of this class.
        provisioning = simulator.provisioning(simulator.class_chain(sc))
        role = provisioning.role
        if role is None:
            continue  # the class is refused before the controller calls AWS, or cross-account
        if role.role_arn is None:
            yield META.inconclusive(CONTROLLER_SERVICE_ACCOUNT, role.why)
            continue
        known = context.inventory.role_by_name_or_arn(role.role_arn)
        if known is None:
            yield META.inconclusive(role.role_arn, "the role is not among the inputs")
            continue
        related = [Related(at(known), f"identity policies of {known.name}")]
        evidence: Location | None = None
        if role.service_account is not None and role.how == "IRSA annotation":
            evidence = at(
                role.service_account, "metadata", "annotations", "eks.amazonaws.com/role-arn"
            )
        elif role.service_account is not None:
            evidence = at(role.service_account)
        if evidence is not None:
            related.append(
                Related(evidence, f"the controller runs as {role.role_arn} ({role.how})")
            )
        answers = list(provisioning.permissions)
        denied = [a for a in answers if a.verdict == "deny"]
        unknown = [a for a in answers if a.verdict == "unknown"]
        if not denied:
            if unknown:
                yield META.inconclusive(
                    role.role_arn,
                    f"whether {role.role_arn} may provision for StorageClass {sc.name} cannot be "
                    f"told: {_because(unknown)}",
                )
            continue
        expected = f'failed to provision volume with StorageClass "{sc.name}": {_DENIED}'
        tagging = ctl.tagging(sc.parameters)
        tagged = (
            []
            if tagging
            else ctl.decide_calls(
                simulator.view,
                role.role_arn,
                ctl.controller_calls(sc.parameters, True, context.versions),
            )
        )
        if tagged and all(a.verdict == "allow" for a in tagged):
            yield META.finding(
                f"StorageClass {sc.name} sets enableTagging to false, but {role.role_arn} is "
                f"allowed {', '.join(_short(a.action) for a in denied)} only with the "
                f"{ctl.TAG_KEY} tag, which the driver then neither sends nor sets: "
                f"{_because(denied)}",
                at(sc, "parameters", "enableTagging"),
                related=related,
                expected_error=expected,
                chain=f"StorageClass {sc.name}",
                subjects=[object_key(sc)],
            )
            continue
        yield META.finding(
            f"The EFS CSI controller runs as {role.role_arn} ({role.how}), whose policies do "
            f"not allow what StorageClass {sc.name} needs to provision volumes: "
            f"{_because(denied)}",
            at(sc, "parameters", "provisioningMode"),
            related=related,
            confidence=Confidence.HIGH,
            expected_error=expected,
            chain=f"StorageClass {sc.name}",
            subjects=[object_key(sc)],
        )


_DENIED = f"rpc error: code = Unauthenticated desc = {ctl.ACCESS_DENIED}"
