"""The IAM role annotated on an EFS CSI service account does not trust that service account:
the driver silently runs with other credentials (node) or cannot call AWS (controller).

What it checks
--------------
For ``efs-csi-node-sa`` and ``efs-csi-controller-sa`` with an ``eks.amazonaws.com/role-arn``
annotation, the role's trust policy (``get-account-authorization-details``) is evaluated by
the IAM engine for ``sts:AssumeRoleWithWebIdentity`` by the cluster's OIDC provider
(``Federated`` principal) with the token's ``<issuer>:sub`` =
``system:serviceaccount:<namespace>:<name>`` and ``<issuer>:aud`` = ``sts.amazonaws.com``:
every condition operator, IAM wildcard (``sts:AssumeRoleWith*`` matches) and Deny counts.
For an EKS Pod Identity association of either service account
(``describe-pod-identity-association``), the associated role's trust policy must allow the
``pods.eks.amazonaws.com`` service both ``sts:AssumeRole`` and ``sts:TagSession`` with the
session tags EKS sends (``aws:RequestTag/kubernetes-namespace``,
``kubernetes-service-account``, ``eks-cluster-name``, ``eks-cluster-arn``, ``aws:TagKeys``).
The mount simulator's credential chain asks the same evaluation, so both always agree.

Why it breaks mounts
--------------------
When the web identity (or Pod Identity) exchange fails, efs-utils in the node plugin falls
through to the instance role without a word (efs-semantics.md §2.8), so ``iam`` mounts
authenticate as a principal the file system policy may not admit; the controller cannot
provision at all: ``WebIdentityErr ... Not authorized to perform
sts:AssumeRoleWithWebIdentity`` (causes.md ``irsa-trust-policy``).

Example
-------
The role annotated on ``efs-csi-node-sa`` trusts only the controller's service account::

    "Principal": {"Federated":
      "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {
      "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub":
        "system:serviceaccount:kube-system:efs-csi-controller-sa"}}

Use instead
-----------
A trust statement per service account (or ``StringLike`` on
``system:serviceaccount:kube-system:efs-csi-*``), with the cluster's OIDC provider as
``Federated`` principal; for Pod Identity, the trust policy of the EKS pod-id-role page::

    "Condition": {"StringEquals": {
      "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub":
        "system:serviceaccount:kube-system:efs-csi-node-sa",
      "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"}}

Limits
------
What the inputs do not tell stays inconclusive, never "trusted": the role or its trust policy
not loaded, the cluster's OIDC issuer unknown (``aws eks describe-cluster``) when the answer
depends on it, or a condition on a key whose request value is not documented (such as
``aws:SourceAccount``, ``aws:SourceIp``, the pod name and UID tags). An association with
``disableSessionTags`` is evaluated as if EKS sent its tags.

Fix safety
----------
No automatic fix: trust policies grant role assumption.

References
----------
- efs-semantics.md §2.8, §3.5; causes.md ``irsa-trust-policy``
- https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
- https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html (the Pod Identity trust
  policy: ``pods.eks.amazonaws.com``, ``sts:AssumeRole`` and ``sts:TagSession``, session tags)
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.iam.trust import TrustDecision
from efs_doctor.engine.mount.irsa import association_trust, irsa_trust
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.model.aws import Role
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
        trust = irsa_trust(inv, sa.irsa_role_arn, sa.namespace, sa.name)
        if trust.verdict == "unknown":
            yield _undecided(role, trust)
            continue
        if trust.verdict == "ok":
            continue
        node = sa.name == NODE_SERVICE_ACCOUNT
        yield META.finding(
            f"ServiceAccount {sa.key} is annotated with {role.arn}, whose trust policy does not "
            f"admit {trust.requester}: {trust.summary}; {_effect(node)}",
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
        trust = association_trust(inv, association)
        if role is None or trust.verdict == "unknown":
            yield META.inconclusive(
                association.role_arn,
                f"cannot tell whether the role of the Pod Identity association of {key} "
                f"trusts {trust.requester}: {trust.summary}",
            )
            continue
        if trust.verdict == "ok":
            continue
        node = association.service_account == NODE_SERVICE_ACCOUNT
        yield META.finding(
            f"The Pod Identity association of {key} names {role.arn}, whose trust policy does "
            f"not let {trust.requester} assume it: {trust.summary}; {_effect(node)}",
            at(association),
            related=[Related(at(role), f"trust policy of {role.name}")],
            severity=_severity(node, dynamic),
            chain=f"ServiceAccount {key}",
            subjects=[f"ServiceAccount/{key}", association.role_arn],
        )


def _undecided(role: Role, trust: TrustDecision) -> Result:
    return META.inconclusive(
        role.arn, f"cannot tell whether it trusts {trust.requester}: {trust.summary}"
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
