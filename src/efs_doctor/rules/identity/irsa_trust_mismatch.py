"""The IAM role annotated on an EFS CSI service account does not trust that service account:
the driver silently runs with other credentials (node) or cannot call AWS (controller).

What it checks
--------------
For ``efs-csi-node-sa`` and ``efs-csi-controller-sa`` with an ``eks.amazonaws.com/role-arn``
annotation, the role's trust policy (``get-account-authorization-details``): an Allow for
``sts:AssumeRoleWithWebIdentity`` whose ``Federated`` principal is the cluster's OIDC provider
(when ``describe-cluster`` is among the inputs) and whose ``<issuer>:sub`` condition admits
``system:serviceaccount:<namespace>:<name>`` (``StringEquals`` or ``StringLike``) and
``<issuer>:aud`` admits ``sts.amazonaws.com``.

Why it breaks mounts
--------------------
When the web identity exchange fails, efs-utils in the node plugin falls through to the
instance role without a word (efs-semantics.md §2.8), so ``iam`` mounts authenticate as a
principal the file system policy may not admit; the controller cannot provision at all:
``WebIdentityErr ... Not authorized to perform sts:AssumeRoleWithWebIdentity`` (causes.md
``irsa-trust-policy``).

Example
-------
Trust policy condition ``...:sub: system:serviceaccount:kube-system:efs-csi-controller-sa``
on the role annotated on ``efs-csi-node-sa``.

Use instead
-----------
A trust statement per service account (or ``StringLike`` on
``system:serviceaccount:kube-system:efs-csi-*``), with the cluster's OIDC provider as
``Federated`` principal.

For an EKS Pod Identity association of either service account
(``describe-pod-identity-association``), the associated role's trust policy must allow the
``pods.eks.amazonaws.com`` service both ``sts:AssumeRole`` and ``sts:TagSession``, under
conditions on the session tags (``aws:RequestTag/kubernetes-namespace``,
``kubernetes-service-account``, ``eks-cluster-name``) that admit the association.

Limits
------
Only ``StringEquals``/``StringLike`` conditions are understood (on ``sub``/``aud`` for IRSA,
on the session tags above for Pod Identity); other conditions are assumed to hold.

Fix safety
----------
No automatic fix: trust policies grant role assumption.

References
----------
- efs-semantics.md §2.8, §3.5; causes.md ``irsa-trust-policy``
- https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
- https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html (the Pod Identity trust
  policy: ``pods.eks.amazonaws.com``, ``sts:AssumeRole`` and ``sts:TagSession``, session tags)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.iam.wildcard import glob_match
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.model.aws import PodIdentityAssociation
from efs_doctor.model.chain import CONTROLLER_SERVICE_ACCOUNT, NODE_SERVICE_ACCOUNT
from efs_doctor.model.kubernetes import ServiceAccount
from efs_doctor.rules.base import Result, RuleMeta, at, object_key

META = RuleMeta(
    code="IDN002",
    slug="irsa-trust-mismatch",
    summary="IRSA or Pod Identity role of an EFS CSI service account does not trust it",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    needs=("service-accounts", "iam", "pod-identity-associations"),
    cause="irsa-trust-policy",
)

ACTIONS = {"sts:assumerolewithwebidentity", "sts:*", "*"}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value] if value is not None else []


def _admits(values: list[Any], operator: str, wanted: str) -> bool:
    if operator.lower().startswith("stringlike"):
        return any(isinstance(v, str) and glob_match(v, wanted) for v in values)
    return wanted in values


def trusts(trust: Mapping[str, Any], subject: str, issuer: str | None) -> bool:
    """Whether the trust policy lets ``subject`` assume the role with a web identity."""
    for statement in _list(trust.get("Statement")):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        if not {str(a).lower() for a in _list(statement.get("Action"))} & ACTIONS:
            continue
        principal = statement.get("Principal")
        federated = _list(principal.get("Federated")) if isinstance(principal, Mapping) else []
        if not federated:
            continue
        if issuer and not any(str(f).endswith(f"oidc-provider/{issuer}") for f in federated):
            continue
        ok = True
        conditions = statement.get("Condition")
        for operator, block in (conditions if isinstance(conditions, Mapping) else {}).items():
            if not isinstance(block, Mapping):
                continue
            for key, values in block.items():
                if key.endswith(":sub") and not _admits(_list(values), operator, subject):
                    ok = False
                if key.endswith(":aud") and not _admits(
                    _list(values), operator, "sts.amazonaws.com"
                ):
                    ok = False
        if ok:
            return True
    return False


POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")


def trusts_pod_identity(trust: Mapping[str, Any], association: PodIdentityAssociation) -> bool:
    """Whether the trust policy lets EKS Pod Identity assume the role for ``association``:
    each of ``sts:AssumeRole`` and ``sts:TagSession`` allowed to the service principal under
    conditions its session tags meet (tags whose value is unknown are assumed to match)."""
    tags = {
        "aws:requesttag/kubernetes-namespace": association.namespace,
        "aws:requesttag/kubernetes-service-account": association.service_account,
        "aws:requesttag/eks-cluster-name": association.cluster_name,
    }
    return all(
        any(
            _allows_pod_identity(statement, action, tags)
            for statement in _list(trust.get("Statement"))
        )
        for action in POD_IDENTITY_ACTIONS
    )


def _allows_pod_identity(statement: Any, action: str, tags: Mapping[str, str | None]) -> bool:
    if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
        return False
    principal = statement.get("Principal")
    services = _list(principal.get("Service")) if isinstance(principal, Mapping) else []
    if POD_IDENTITY_SERVICE not in services:
        return False
    actions = _list(statement.get("Action"))
    if not any(isinstance(a, str) and glob_match(a, action, ignore_case=True) for a in actions):
        return False
    conditions = statement.get("Condition")
    for operator, block in (conditions if isinstance(conditions, Mapping) else {}).items():
        if not isinstance(block, Mapping):
            continue
        for key, values in block.items():
            wanted = tags.get(str(key).lower())
            if wanted and not _admits(_list(values), str(operator), wanted):
                return False
    return True


def _issuer(context: Context) -> str | None:
    for cluster in context.inventory.clusters.values():
        if cluster.oidc_issuer:
            return cluster.oidc_issuer.removeprefix("https://")
    return None


def check(context: Context) -> Iterator[Result]:
    inv = context.inventory
    dynamic = any(c.planned is not None for c in context.chains)
    for sa in inv.service_accounts.values():
        if (
            sa.name not in (NODE_SERVICE_ACCOUNT, CONTROLLER_SERVICE_ACCOUNT)
            or not sa.irsa_role_arn
        ):
            continue
        role = inv.role_by_name_or_arn(sa.irsa_role_arn)
        if role is None:
            if inv.has("iam"):
                yield from _missing_role(sa)
            else:
                yield META.inconclusive(sa.irsa_role_arn, "the role is not among the inputs")
            continue
        if role.trust_policy is None:
            yield META.inconclusive(role.arn, "the role's trust policy is not among the inputs")
            continue
        subject = f"system:serviceaccount:{sa.namespace}:{sa.name}"
        if trusts(role.trust_policy, subject, _issuer(context)):
            continue
        node = sa.name == NODE_SERVICE_ACCOUNT
        yield META.finding(
            f"ServiceAccount {sa.key} is annotated with {role.arn}, whose trust policy does not "
            f"admit {subject}: {_effect(node)}",
            at(sa, "metadata", "annotations", "eks.amazonaws.com/role-arn"),
            related=[Related(at(role), f"trust policy of {role.name}")],
            severity=_severity(node, dynamic),
            expected_error=None
            if node
            else "WebIdentityErr: failed to retrieve credentials ... Not authorized to perform "
            "sts:AssumeRoleWithWebIdentity",
            chain=f"ServiceAccount {sa.key}",
            subjects=[object_key(sa)],
        )
    yield from _pod_identity(context, dynamic)


def _pod_identity(context: Context, dynamic: bool) -> Iterator[Result]:
    inv = context.inventory
    for association in inv.pod_identity_associations:
        if association.service_account not in (NODE_SERVICE_ACCOUNT, CONTROLLER_SERVICE_ACCOUNT):
            continue
        key = f"{association.namespace}/{association.service_account}"
        role = inv.role_by_name_or_arn(association.role_arn)
        if role is None or role.trust_policy is None:
            yield META.inconclusive(
                association.role_arn,
                f"the role of the Pod Identity association of {key} or its trust policy is not "
                "among the inputs",
            )
            continue
        if trusts_pod_identity(role.trust_policy, association):
            continue
        node = association.service_account == NODE_SERVICE_ACCOUNT
        yield META.finding(
            f"The Pod Identity association of {key} names {role.arn}, whose trust policy does "
            f"not allow {POD_IDENTITY_SERVICE} both sts:AssumeRole and sts:TagSession for "
            f"{key}: {_effect(node)}",
            at(association),
            related=[Related(at(role), f"trust policy of {role.name}")],
            severity=_severity(node, dynamic),
            chain=f"ServiceAccount {key}",
            subjects=[f"ServiceAccount/{key}", association.role_arn],
        )


def _effect(node: bool) -> str:
    """What an untrusted role does to mounts (§2.8: efs-utils falls back silently)."""
    if node:
        return "efs-utils falls back to the node instance role for `iam` mounts"
    return "the controller cannot call EFS, so dynamic provisioning fails"


def _severity(node: bool, dynamic: bool) -> Severity | None:
    """Medium unless the controller's role breaks a provisioning the inputs use."""
    return Severity.MEDIUM if node or not dynamic else None


def _missing_role(sa: ServiceAccount) -> Iterator[Result]:
    yield META.finding(
        f"ServiceAccount {sa.key} is annotated with {sa.irsa_role_arn}, which is not among the "
        "roles of the loaded IAM answer (wrong account or name?)",
        at(sa, "metadata", "annotations", "eks.amazonaws.com/role-arn"),
        confidence=Confidence.MEDIUM,
        chain=f"ServiceAccount {sa.key}",
        subjects=[object_key(sa)],
    )
