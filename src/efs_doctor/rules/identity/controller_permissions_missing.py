"""The EFS CSI controller's role lacks what dynamic provisioning needs (``CreateAccessPoint``,
``TagResource`` under the managed policy's tag conditions, ...): claims stay Pending.

What it checks
--------------
When a StorageClass provisions EFS access points, the controller's principal (IRSA role or
Pod Identity association of ``efs-csi-controller-sa``, else the node instance role) and its
identity policies (inline, attached managed — loaded, or the vendored AWS managed policies —
and its permissions boundary) are evaluated by the IAM engine for each call the driver makes
(``pkg/driver/provisioner_ap.go``): ``elasticfilesystem:DescribeAccessPoints`` (or
``DescribeFileSystems`` when the class sets both ``uid`` and ``gid``),
``elasticfilesystem:CreateAccessPoint`` and, when it tags, ``elasticfilesystem:TagResource``
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
from efs_doctor.engine.iam.context_value import ContextValue
from efs_doctor.engine.iam.permissions import (
    Permission,
    RolePolicies,
    permission,
)
from efs_doctor.engine.mount.golang import parse_go_bool
from efs_doctor.findings import Confidence, Location, Related, Severity
from efs_doctor.model.chain import CONTROLLER_SERVICE_ACCOUNT, is_efs_access_point_class
from efs_doctor.model.kubernetes import StorageClass
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

# The tag the driver puts on the access points it creates (efs-semantics.md §3.7,
# enableTagging; DefaultTagKey/DefaultTagValue in pkg/driver).
TAG_KEY = "efs.csi.aws.com/cluster"
TAG_VALUE = "true"
DESCRIBE_FILE_SYSTEMS = "elasticfilesystem:DescribeFileSystems"
DESCRIBE_ACCESS_POINTS = "elasticfilesystem:DescribeAccessPoints"
CREATE_ACCESS_POINT = "elasticfilesystem:CreateAccessPoint"
TAG_RESOURCE = "elasticfilesystem:TagResource"
DELETE_ACCESS_POINT = "elasticfilesystem:DeleteAccessPoint"
_REQUEST_TAG = "aws:requesttag/"
_RESOURCE_TAG = "aws:resourcetag/"
_DENIED = (
    "rpc error: code = Unauthenticated desc = Access Denied. Please ensure you have the right "
    "AWS permissions: Access denied"
)


def _controller_role(context: Context) -> tuple[str | None, Location | None, str]:
    inv = context.inventory
    sa = next(
        (s for s in inv.service_accounts.values() if s.name == CONTROLLER_SERVICE_ACCOUNT), None
    )
    if sa is not None:
        association = inv.pod_identity_role(sa.namespace, sa.name)
        if association:
            return association, at(sa), "Pod Identity association"
        if sa.irsa_role_arn:
            return (
                sa.irsa_role_arn,
                at(sa, "metadata", "annotations", "eks.amazonaws.com/role-arn"),
                "IRSA annotation",
            )
    roles = {p.arn for chain in context.chains for p in context.node_principals(chain) if p.arn}
    if len(roles) == 1:
        return roles.pop(), None, "node instance role (no role on efs-csi-controller-sa)"
    return None, None, "the controller's role cannot be told from the inputs"


def _calls(sc: StorageClass, tagging: bool) -> list[tuple[str, dict[str, ContextValue]]]:
    """The EFS calls CreateVolume and DeleteVolume make for ``sc``, each with the request
    values known for it (pkg/driver/provisioner_ap.go)."""
    both_ids = "uid" in sc.parameters and "gid" in sc.parameters
    tags: dict[str, ContextValue] = (
        {f"{_REQUEST_TAG}{TAG_KEY}": TAG_VALUE, "aws:tagkeys": (TAG_KEY,)} if tagging else {}
    )
    calls: list[tuple[str, dict[str, ContextValue]]] = [
        (DESCRIBE_FILE_SYSTEMS if both_ids else DESCRIBE_ACCESS_POINTS, {}),
        (CREATE_ACCESS_POINT, dict(tags)),
    ]
    if tagging:
        calls.append(
            (TAG_RESOURCE, {**tags, "elasticfilesystem:createaction": "CreateAccessPoint"})
        )
    calls.append((DELETE_ACCESS_POINT, {f"{_RESOURCE_TAG}{TAG_KEY}": TAG_VALUE} if tagging else {}))
    return calls


def _absent(key: str) -> bool:
    # The driver sends no other tag and its access points carry no other tag; without tags
    # the request has no aws:TagKeys.
    return key.startswith((_REQUEST_TAG, _RESOURCE_TAG)) or key == "aws:tagkeys"


def _decide(
    policies: RolePolicies, role_arn: str, sc: StorageClass, tagging: bool
) -> list[Permission]:
    return [
        permission(policies, role_arn, action, resource=None, context=known, absent=_absent)
        for action, known in _calls(sc, tagging)
    ]


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
    if not classes:
        return
    role_arn, evidence, how = _controller_role(context)
    if role_arn is None:
        yield META.inconclusive(CONTROLLER_SERVICE_ACCOUNT, how)
        return
    role = context.inventory.role_by_name_or_arn(role_arn)
    if role is None:
        yield META.inconclusive(role_arn, "the role is not among the inputs")
        return
    policies = context.role_policies(role.arn)
    related = [Related(at(role), f"identity policies of {role.name}")]
    if evidence is not None:
        related.append(Related(evidence, f"the controller runs as {role_arn} ({how})"))
    for sc in classes:
        written = sc.parameters.get("enableTagging")
        tagging = True if written is None else parse_go_bool(written)
        if tagging is None:
            yield META.inconclusive(
                object_key(sc), f"enableTagging {written!r} is not a boolean the driver reads"
            )
            continue
        answers = _decide(policies, role.arn, sc, tagging)
        denied = [a for a in answers if a.verdict == "deny"]
        unknown = [a for a in answers if a.verdict == "unknown"]
        if not denied:
            if unknown:
                yield META.inconclusive(
                    role_arn,
                    f"whether {role_arn} may provision for StorageClass {sc.name} cannot be "
                    f"told: {_because(unknown)}",
                )
            continue
        expected = f'failed to provision volume with StorageClass "{sc.name}": {_DENIED}'
        tagged = [] if tagging else _decide(policies, role.arn, sc, True)
        if tagged and all(a.verdict == "allow" for a in tagged):
            yield META.finding(
                f"StorageClass {sc.name} sets enableTagging to false, but {role_arn} is "
                f"allowed {', '.join(_short(a.action) for a in denied)} only with the "
                f"{TAG_KEY} tag, which the driver then neither sends nor sets: "
                f"{_because(denied)}",
                at(sc, "parameters", "enableTagging"),
                related=related,
                expected_error=expected,
                chain=f"StorageClass {sc.name}",
                subjects=[object_key(sc)],
            )
            continue
        yield META.finding(
            f"The EFS CSI controller runs as {role_arn} ({how}), whose policies do not allow "
            f"what StorageClass {sc.name} needs to provision volumes: {_because(denied)}",
            at(sc, "parameters", "provisioningMode"),
            related=related,
            confidence=Confidence.HIGH,
            expected_error=expected,
            chain=f"StorageClass {sc.name}",
            subjects=[object_key(sc)],
        )
