"""The EFS CSI controller's role lacks what dynamic provisioning needs (``CreateAccessPoint``,
``TagResource`` under the managed policy's tag conditions, ...): claims stay Pending.

What it checks
--------------
When a StorageClass provisions EFS access points, the controller's principal (IRSA role or
Pod Identity association of ``efs-csi-controller-sa``, else the node instance role) and its
identity policies (inline, loaded managed, and the vendored AWS managed policies): Allow
statements must cover ``elasticfilesystem:DescribeFileSystems``,
``elasticfilesystem:DescribeAccessPoints``, ``elasticfilesystem:CreateAccessPoint``,
``elasticfilesystem:TagResource`` and ``elasticfilesystem:DeleteAccessPoint``. A class with
``enableTagging: "false"`` is reported when ``CreateAccessPoint`` is only allowed under the
``efs.csi.aws.com/cluster`` request-tag condition of ``AmazonEFSCSIDriverPolicy``.

Why it breaks mounts
--------------------
The controller maps any AccessDenied to ``Access Denied. Please ensure you have the right AWS
permissions: Access denied`` without naming the action (efs-semantics.md §3.8), and the
claim is never bound. With the managed policy, ``CreateAccessPoint`` needs the request tag
that ``enableTagging: "false"`` removes (§3.8 [INF]).

Example
-------
``efs-csi-controller-sa`` annotated with a role that has only ``AmazonEKSWorkerNodePolicy``.

Use instead
-----------
Attach ``arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy`` to the controller's
role, and keep tagging on (the default).

Limits
------
Conditions of other statements are not evaluated (an Allow is taken as granting); explicit
Denies, permission boundaries and SCPs are not considered. Managed policies not among the
inputs and not vendored make the check inconclusive.

Fix safety
----------
No automatic fix.

References
----------
- efs-semantics.md §3.7, §3.8; causes.md ``csi-controller-permissions``
- https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEFSCSIDriverPolicy.html
- https://github.com/kubernetes-sigs/aws-efs-csi-driver/issues/876
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.iam.wildcard import glob_match
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

REQUIRED = (
    "elasticfilesystem:DescribeFileSystems",
    "elasticfilesystem:DescribeAccessPoints",
    "elasticfilesystem:CreateAccessPoint",
    "elasticfilesystem:TagResource",
    "elasticfilesystem:DeleteAccessPoint",
)
TAG_KEY = "aws:RequestTag/efs.csi.aws.com/cluster"


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value] if value is not None else []


def _allows(statement: Mapping[str, Any], action: str) -> bool:
    if statement.get("Effect") != "Allow" or "Action" not in statement:
        return False
    return any(
        isinstance(p, str) and glob_match(p, action, ignore_case=True)
        for p in _list(statement.get("Action"))
    )


def _needs_tag(statement: Mapping[str, Any]) -> bool:
    text = str(statement.get("Condition") or "")
    return TAG_KEY.lower() in text.lower()


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
    documents = list(context.role_policies(role_arn).documents)
    known = {name for name, _ in documents}
    unknown = [a for a in role.attached_policy_arns if a not in known]
    statements = [
        s
        for _, document in documents
        for s in _list(document.get("Statement"))
        if isinstance(s, Mapping)
    ]
    missing = [a for a in REQUIRED if not any(_allows(s, a) for s in statements)]
    related = [Related(at(role), f"identity policies of {role.name}")]
    if evidence is not None:
        related.append(Related(evidence, f"the controller runs as {role_arn} ({how})"))
    sc = classes[0]
    if missing:
        if unknown:
            yield META.inconclusive(
                role_arn,
                f"{', '.join(missing)} not found, but attached policies {', '.join(unknown)} are "
                "not among the inputs",
            )
            return
        yield META.finding(
            f"The EFS CSI controller runs as {role_arn} ({how}), whose policies do not allow "
            f"{', '.join(a.split(':')[1] for a in missing)}; StorageClass {sc.name} cannot "
            "provision volumes",
            at(sc, "parameters", "provisioningMode"),
            related=related,
            confidence=Confidence.HIGH if not unknown else None,
            expected_error=(
                f'failed to provision volume with StorageClass "{sc.name}": rpc error: code = '
                "Unauthenticated desc = Access Denied. Please ensure you have the right AWS "
                "permissions: Access denied"
            ),
            chain=f"StorageClass {sc.name}",
            subjects=[object_key(c) for c in classes],
        )
        return
    creators = [s for s in statements if _allows(s, "elasticfilesystem:CreateAccessPoint")]
    if all(_needs_tag(s) for s in creators):
        for untagged in classes:
            if untagged.parameters.get("enableTagging", "true").lower() != "false":
                continue
            yield META.finding(
                f"StorageClass {untagged.name} sets enableTagging to false, but {role_arn} may "
                "call CreateAccessPoint only with the efs.csi.aws.com/cluster request tag",
                at(untagged, "parameters", "enableTagging"),
                related=related,
                expected_error=(
                    f'failed to provision volume with StorageClass "{untagged.name}": rpc '
                    "error: code = Unauthenticated desc = Access Denied. Please ensure you have "
                    "the right AWS permissions: Access denied"
                ),
                chain=f"StorageClass {untagged.name}",
                subjects=[object_key(untagged)],
            )
