"""The explain context matches IAM patterns with IAM's wildcards only (the identity rules ask
the IAM engine: tests/unit/engine/iam/test_trust.py, test_permissions.py).

IAM patterns know ``*`` (any run) and ``?`` (one character) and nothing else: ``[...]`` is
literal text, not a character class, and actions compare case-insensitively
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
A shell-style matcher (``fnmatch``) reads ``[a-z]`` as a class and so would call a trust
policy good that STS refuses.
"""

from __future__ import annotations

import pytest

from efs_doctor.engine.explain.policy_view import Client, Condition, allows_action, condition_holds


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
