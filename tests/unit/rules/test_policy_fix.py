"""The corrected file system policy: only corrections that grant nothing new."""

from __future__ import annotations

from efs_doctor.rules.policy_fix import corrected_document
from efs_doctor.sources.file_system_policies import corrected_path

ROLE = "arn:aws:iam::111122223333:role/node"


def statement(**extra: object) -> dict[str, object]:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["elasticfilesystem:ClientMount"],
        **extra,
    }


def test_principal_arn_condition_becomes_the_principal() -> None:
    policy = {"Statement": [statement(Condition={"ArnLike": {"aws:PrincipalArn": [ROLE]}})]}
    fixed = corrected_document(policy)
    assert fixed is not None
    assert fixed["Statement"][0]["Principal"] == {"AWS": ROLE}
    assert "Condition" not in fixed["Statement"][0]
    assert policy["Statement"][0]["Principal"] == {"AWS": "*"}  # the input is not modified


def test_other_conditions_are_kept() -> None:
    condition = {
        "ArnLike": {"aws:PrincipalArn": ROLE},
        "Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"},
    }
    fixed = corrected_document({"Statement": [statement(Condition=condition)]})
    assert fixed is not None
    assert fixed["Statement"][0]["Condition"] == {
        "Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}
    }


def test_wildcards_and_unenforced_restrictions_are_not_translated() -> None:
    wildcard = {
        "Statement": [
            statement(Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::1:role/*"}})
        ]
    }
    vpc = {"Statement": [statement(Condition={"StringEquals": {"aws:SourceVpc": "vpc-1"}})]}
    assert corrected_document(wildcard) is None
    assert corrected_document(vpc) is None


def test_client_mount_added_where_write_is_granted() -> None:
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ROLE},
                "Action": "elasticfilesystem:ClientWrite",
            }
        ]
    }
    fixed = corrected_document(policy)
    assert fixed is not None
    assert fixed["Statement"][0]["Action"] == [
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
    ]


def test_corrected_path_is_the_original_with_the_suffix() -> None:
    # The name, not the load order, makes a re-scan use it (sources/file_system_policies.py).
    assert corrected_path("aws/policy.json") == "aws/policy_corrected.json"
    assert corrected_path("aws/policy") == "aws/policy_corrected.json"
