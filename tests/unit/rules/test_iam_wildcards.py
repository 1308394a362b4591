"""Rules and the explain context match IAM patterns with IAM's wildcards only.

IAM patterns know ``*`` (any run) and ``?`` (one character) and nothing else: ``[...]`` is
literal text, not a character class, and actions compare case-insensitively
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
A shell-style matcher (``fnmatch``) reads ``[a-z]`` as a class and so would call a trust
policy good that STS refuses.
"""

from __future__ import annotations

from typing import Any

import pytest

from efs_doctor.engine.explain.policy_view import Client, Condition, allows_action, condition_holds
from efs_doctor.rules.identity.controller_permissions_missing import _allows
from efs_doctor.rules.identity.irsa_trust_mismatch import trusts

ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
NODE_SA = "system:serviceaccount:kube-system:efs-csi-node-sa"


def _trust(operator: str, sub: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    operator: {f"{ISSUER}:sub": sub, f"{ISSUER}:aud": "sts.amazonaws.com"}
                },
            }
        ],
    }


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
def test_trust_conditions_use_iam_wildcards(sub: str, trusted: bool) -> None:
    assert trusts(_trust("StringLike", sub), NODE_SA, ISSUER) is trusted


@pytest.mark.parametrize(
    ("pattern", "allowed"),
    [
        ("elasticfilesystem:Create*", True),
        ("ELASTICFILESYSTEM:createaccesspoint", True),  # actions ignore case
        ("elasticfilesystem:Create?ccessPoint", True),
        ("elasticfilesystem:[C]reateAccessPoint", False),
        ("elasticfilesystem:[A-Z]*", False),
    ],
)
def test_action_patterns_use_iam_wildcards(pattern: str, allowed: bool) -> None:
    statement = {"Effect": "Allow", "Action": [pattern], "Resource": "*"}
    assert _allows(statement, "elasticfilesystem:CreateAccessPoint") is allowed
    assert allows_action({"Statement": [statement]}, "elasticfilesystem:CreateAccessPoint") is (
        allowed
    )


@pytest.mark.parametrize(
    ("pattern", "holds"),
    [
        ("arn:aws:elasticfilesystem:*:111122223333:access-point/fsap-*", True),
        ("arn:aws:elasticfilesystem:*:111122223333:access-point/fsap-[0-9]*", False),
    ],
)
def test_explain_string_like_uses_iam_wildcards(pattern: str, holds: bool) -> None:
    client = Client(
        principal="arn:aws:iam::111122223333:role/app",
        tls=True,
        access_point_arn="arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-0123",
    )
    condition = Condition("StringLike", "elasticfilesystem:AccessPointArn", (pattern,))
    assert condition_holds(condition, client) is holds
