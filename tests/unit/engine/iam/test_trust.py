"""Role trust policies evaluated by the IAM engine (engine/iam/trust.py).

IRSA: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html and
the web identity keys of
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif;
EKS Pod Identity: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html. IAM
wildcards (``*``, ``?``, no character classes; actions ignore case, values do not):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String.
"""

from __future__ import annotations

from typing import Any

import pytest

from efs_doctor.engine.iam.trust import issuer_path, pod_identity_trust, web_identity_trust

ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
OTHER_ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/0THER0000000000000000000000000000"
ROLE = "arn:aws:iam::111122223333:role/efs-node"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"
NODE_SA = "system:serviceaccount:kube-system:efs-csi-node-sa"
NODE = {"namespace": "kube-system", "service_account": "efs-csi-node-sa"}


def _statement(
    conditions: dict[str, Any] | None = None,
    *,
    action: Any = "sts:AssumeRoleWithWebIdentity",
    principal: Any = None,
    effect: str = "Allow",
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": effect,
        "Principal": principal or {"Federated": PROVIDER},
        "Action": action,
    }
    if conditions is not None:
        statement["Condition"] = conditions
    return statement


def _trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _sub(operator: str, value: str) -> dict[str, Any]:
    return {operator: {f"{ISSUER}:sub": value, f"{ISSUER}:aud": "sts.amazonaws.com"}}


def _irsa(trust: dict[str, Any] | None, issuer: str | None = ISSUER, **extra: Any) -> Any:
    return web_identity_trust(trust, ROLE, issuer=issuer, **NODE, **extra)


def test_exact_subject_and_audience_are_trusted() -> None:
    decision = _irsa(_trust(_statement(_sub("StringEquals", NODE_SA))))
    assert decision.verdict == "ok"
    assert "statement #0 allows sts:AssumeRoleWithWebIdentity" in decision.summary
    assert decision.requester == NODE_SA


@pytest.mark.parametrize(
    "action",
    ["sts:AssumeRoleWith*", "STS:assumerolewithwebidentity", "sts:*", "*", "sts:AssumeRole?ith*"],
)
def test_action_wildcards_match_assume_role_with_web_identity(action: str) -> None:
    """Issue 14 case 4: sts:AssumeRoleWith* is sts:AssumeRoleWithWebIdentity to IAM."""
    decision = _irsa(_trust(_statement(_sub("StringEquals", NODE_SA), action=action)))
    assert decision.verdict == "ok", decision.summary


def test_other_actions_do_not_match() -> None:
    decision = _irsa(_trust(_statement(_sub("StringEquals", NODE_SA), action="sts:AssumeRole")))
    assert decision.verdict == "fails"
    assert decision.summary == (
        "no statement allows sts:AssumeRoleWithWebIdentity to the cluster's OIDC provider"
    )


@pytest.mark.parametrize(
    ("sub", "trusted"),
    [
        ("system:serviceaccount:kube-system:efs-csi-*", True),
        ("system:serviceaccount:kube-system:efs-csi-????-sa", True),
        ("system:serviceaccount:kube-system:efs-csi-[a-z]*", False),  # no classes in IAM
        ("system:serviceaccount:kube-system:efs-csi-[n]ode-sa", False),
        ("system:serviceaccount:kube-system:EFS-CSI-*", False),  # values are case-sensitive
    ],
)
def test_subject_patterns_use_iam_wildcards(sub: str, trusted: bool) -> None:
    decision = _irsa(_trust(_statement(_sub("StringLike", sub))))
    assert decision.verdict == ("ok" if trusted else "fails")


def test_another_service_account_fails_with_the_condition_that_does_not_hold() -> None:
    controller = "system:serviceaccount:kube-system:efs-csi-controller-sa"
    decision = _irsa(_trust(_statement(_sub("StringEquals", controller))))
    assert decision.verdict == "fails"
    assert f'[{controller}] with request value "{NODE_SA}": does not hold' in decision.summary


def test_wrong_audience_fails() -> None:
    conditions = {"StringEquals": {f"{ISSUER}:sub": NODE_SA, f"{ISSUER}:aud": "other"}}
    decision = _irsa(_trust(_statement(conditions)))
    assert decision.verdict == "fails"
    assert 'with request value "sts.amazonaws.com": does not hold' in decision.summary


def test_provider_of_another_cluster_fails() -> None:
    decision = _irsa(_trust(_statement(_sub("StringEquals", NODE_SA))), issuer=OTHER_ISSUER)
    assert decision.verdict == "fails"
    assert "its Principal does not name the cluster's OIDC provider" in decision.summary


def test_provider_of_another_account_fails() -> None:
    other = {"Federated": f"arn:aws:iam::444455556666:oidc-provider/{ISSUER}"}
    decision = _irsa(_trust(_statement(_sub("StringEquals", NODE_SA), principal=other)))
    assert decision.verdict == "fails"


def test_explicit_deny_wins() -> None:
    deny = _statement(
        {"StringEquals": {f"{ISSUER}:sub": NODE_SA}}, principal="*", effect="Deny", action="sts:*"
    )
    decision = _irsa(_trust(_statement(_sub("StringLike", "system:serviceaccount:*")), deny))
    assert decision.verdict == "fails"
    assert (
        decision.summary == "sts:AssumeRoleWithWebIdentity is denied by trust policy statement #1"
    )


def test_not_principal_deny_spares_the_provider_it_names() -> None:
    deny = {
        "Effect": "Deny",
        "NotPrincipal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    decision = _irsa(_trust(_statement(_sub("StringEquals", NODE_SA)), deny))
    assert decision.verdict == "ok"


def test_key_of_another_provider_is_absent() -> None:
    conditions = {"StringEquals": {f"{OTHER_ISSUER}:sub": NODE_SA}}
    decision = _irsa(_trust(_statement(conditions)))
    assert decision.verdict == "fails"
    assert "with request value absent" in decision.summary


def test_unknown_request_value_is_unknown_not_trusted() -> None:
    conditions = {**_sub("StringEquals", NODE_SA), "StringLike": {"aws:SourceIdentity": "x*"}}
    decision = _irsa(_trust(_statement(conditions)))
    assert decision.verdict == "unknown"
    assert decision.unknown == ("aws:SourceIdentity",)


def test_unknown_value_in_a_deny_is_unknown_not_trusted() -> None:
    deny = _statement({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, effect="Deny")
    decision = _irsa(_trust(_statement(_sub("StringEquals", NODE_SA)), deny))
    assert decision.verdict == "unknown"


def test_unknown_value_behind_a_failing_condition_does_not_matter() -> None:
    conditions = {
        "StringEquals": {f"{ISSUER}:sub": "system:serviceaccount:default:other"},
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
    }
    assert _irsa(_trust(_statement(conditions))).verdict == "fails"


def test_session_name_is_known_when_given() -> None:
    conditions = {
        **_sub("StringEquals", NODE_SA),
        "StringLike": {"sts:RoleSessionName": "efs-mount-*"},
    }
    trust = _trust(_statement(conditions))
    assert _irsa(trust, session_name="efs-mount-helper").verdict == "ok"
    assert _irsa(trust, session_name="botocore-session-1").verdict == "fails"
    assert _irsa(trust).verdict == "unknown"


class TestIssuerUnknown:
    """Without describe-cluster the issuer could be any: each the policy names, or another."""

    def test_trust_of_this_sa_is_unknown(self) -> None:
        decision = _irsa(_trust(_statement(_sub("StringEquals", NODE_SA))), issuer=None)
        assert decision.verdict == "unknown"
        assert "OIDC issuer is not among the inputs" in decision.summary
        assert f"only if the issuer is {ISSUER}" in decision.summary

    def test_trust_of_another_sa_fails_whatever_the_issuer(self) -> None:
        controller = "system:serviceaccount:kube-system:efs-csi-controller-sa"
        decision = _irsa(_trust(_statement(_sub("StringEquals", controller))), issuer=None)
        assert decision.verdict == "fails"
        assert decision.summary.startswith("whatever the cluster's OIDC issuer: ")

    def test_principal_star_without_conditions_is_trusted_whatever_the_issuer(self) -> None:
        decision = _irsa(_trust(_statement(principal="*")), issuer=None)
        assert decision.verdict == "ok"


def test_inputs_not_loaded_are_unknown() -> None:
    assert _irsa(None).verdict == "unknown"
    assert "not among the inputs" in _irsa(None).summary
    assert web_identity_trust({}, "not-an-arn", issuer=ISSUER, **NODE).verdict == "unknown"
    broken = _irsa({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]})
    assert broken.verdict == "unknown"
    assert "cannot be read" in broken.summary


def test_issuer_path() -> None:
    assert issuer_path(f"https://{ISSUER}/") == ISSUER
    assert issuer_path(None) is None
    assert issuer_path("") is None


# ---- EKS Pod Identity ------------------------------------------------------------------------

CLUSTER_ARN = "arn:aws:eks:us-east-1:111122223333:cluster/prod"
SERVICE = {"Service": "pods.eks.amazonaws.com"}


def _pod(trust: dict[str, Any] | None, cluster_arn: str | None = CLUSTER_ARN) -> Any:
    return pod_identity_trust(trust, ROLE, **NODE, cluster_name="prod", cluster_arn=cluster_arn)


def _pod_statement(conditions: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    kw.setdefault("action", ["sts:AssumeRole", "sts:TagSession"])
    return _statement(conditions, principal=SERVICE, **kw)


def test_pod_identity_role_of_the_eks_page_is_trusted() -> None:
    decision = _pod(_trust(_pod_statement()))
    assert decision.verdict == "ok"
    assert decision.requester == "EKS Pod Identity for kube-system/efs-csi-node-sa"


def test_pod_identity_needs_tag_session() -> None:
    decision = _pod(_trust(_pod_statement(action="sts:AssumeRole")))
    assert decision.verdict == "fails"
    assert decision.summary == "no statement allows sts:TagSession to pods.eks.amazonaws.com"


def test_pod_identity_session_tags() -> None:
    tags = {
        "StringEquals": {
            "aws:RequestTag/kubernetes-namespace": "kube-system",
            "aws:RequestTag/eks-cluster-name": "prod",
        },
        "StringLike": {"aws:RequestTag/kubernetes-service-account": "efs-csi-*"},
        "ArnEquals": {"aws:RequestTag/eks-cluster-arn": CLUSTER_ARN},
        "ForAllValues:StringEquals": {
            "aws:TagKeys": [
                "eks-cluster-arn",
                "eks-cluster-name",
                "kubernetes-namespace",
                "kubernetes-service-account",
                "kubernetes-pod-name",
                "kubernetes-pod-uid",
            ]
        },
    }
    assert _pod(_trust(_pod_statement(tags))).verdict == "ok"
    # The cluster ARN is only known when describe-cluster is loaded.
    assert _pod(_trust(_pod_statement(tags)), cluster_arn=None).verdict == "unknown"


def test_pod_identity_tag_of_another_service_account_fails() -> None:
    tags = {"StringEquals": {"aws:RequestTag/kubernetes-service-account": "efs-csi-controller-sa"}}
    decision = _pod(_trust(_pod_statement(tags)))
    assert decision.verdict == "fails"
    assert 'with request value "efs-csi-node-sa": does not hold' in decision.summary


def test_pod_identity_tags_eks_does_not_send_are_absent() -> None:
    tags = {"StringEquals": {"aws:RequestTag/team": "storage"}}
    assert _pod(_trust(_pod_statement(tags))).verdict == "fails"


def test_pod_identity_pod_name_and_undocumented_keys_are_unknown() -> None:
    by_pod = {"StringLike": {"aws:RequestTag/kubernetes-pod-name": "efs-csi-node-*"}}
    assert _pod(_trust(_pod_statement(by_pod))).verdict == "unknown"
    by_account = {"StringEquals": {"aws:SourceAccount": "111122223333"}}
    decision = _pod(_trust(_pod_statement(by_account)))
    assert decision.verdict == "unknown"
    assert decision.unknown == ("aws:SourceAccount",)


def test_pod_identity_web_identity_trust_does_not_count() -> None:
    decision = _pod(_trust(_statement(_sub("StringEquals", NODE_SA))))
    assert decision.verdict == "fails"
