"""Which file systems a policy names: literal file system ARNs in Resource, nothing else."""

from __future__ import annotations

from efs_doctor.engine.iam import parse_policy
from efs_doctor.engine.iam.file_systems import (
    UNKNOWN_ACCOUNT,
    UNKNOWN_REGION,
    SymbolicArn,
    file_systems_named,
    is_file_system_arn,
    this_file_system_arn,
)

FS = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0"
OTHER = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0fedcba9876543210"


def _named(*statements: dict[str, object]) -> tuple[str, ...]:
    policy = parse_policy({"Version": "2012-10-17", "Statement": list(statements)}).policy
    return file_systems_named(policy)


def _allow(**element: object) -> dict[str, object]:
    return {"Effect": "Allow", "Principal": "*", "Action": "elasticfilesystem:*", **element}


def test_literal_arns_in_order_once() -> None:
    assert _named(_allow(Resource=[OTHER, FS]), _allow(Resource=FS)) == (OTHER, FS)


def test_patterns_not_resource_and_other_types_name_nothing() -> None:
    assert _named(_allow(Resource=FS.replace("fs-0123456789abcdef0", "fs-*"))) == ()
    assert _named(_allow(Resource="*")) == ()
    assert _named(_allow(NotResource=FS)) == ()
    access_point = FS.replace("file-system/fs-", "access-point/fsap-")
    assert _named(_allow(Resource=access_point)) == ()


def test_the_arn_shape() -> None:
    assert is_file_system_arn(FS)
    assert not is_file_system_arn(FS.removeprefix("arn:"))
    assert not is_file_system_arn("arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/")
    assert not is_file_system_arn("arn:aws:s3:::file-system/fs-0123456789abcdef0")


# ---- the symbolic "this file system" ARN (issue 18, item 1) ------------------------------
FS_ID = "fs-0123456789abcdef0"


def _this(*statements: dict[str, object], **known: str | None) -> SymbolicArn:
    policy = parse_policy({"Version": "2012-10-17", "Statement": list(statements)}).policy
    region = known.get("region")
    account = known.get("account")
    return this_file_system_arn(
        FS_ID, policy, region=region, account=account, principal_account=known.get("principal")
    )


def test_region_and_account_come_from_the_policy_pattern_covering_this_file_system() -> None:
    # A policy attached to the file system applies to it: a literal region and account in a
    # Resource pattern that covers file-system/<id> are the file system's own.
    found = _this(_allow(Resource="arn:aws:elasticfilesystem:eu-west-1:444455556666:file-system/*"))
    assert found.arn == f"arn:aws:elasticfilesystem:eu-west-1:444455556666:file-system/{FS_ID}"
    assert len(found.assumed) == 2


def test_known_parts_win_and_patterns_for_other_file_systems_say_nothing() -> None:
    other = "arn:aws:elasticfilesystem:eu-west-1:444455556666:file-system/fs-0fedcba9876543210"
    found = _this(_allow(Resource=other), region="us-west-2", account="111122223333")
    assert found.arn == f"arn:aws:elasticfilesystem:us-west-2:111122223333:file-system/{FS_ID}"
    assert found.assumed == ()


def test_without_resource_the_principal_account_or_stand_ins() -> None:
    found = _this(_allow(), principal="111122223333")
    assert found.arn.split(":")[3:5] == [UNKNOWN_REGION, "111122223333"]
    assert "taken to be the principal's" in found.assumed[0]
    anonymous = _this(_allow())  # anonymous evaluation needs no account
    assert anonymous.arn.split(":")[3:5] == [UNKNOWN_REGION, UNKNOWN_ACCOUNT]
    assert is_file_system_arn(anonymous.arn)


def test_two_different_literal_regions_settle_nothing() -> None:
    found = _this(
        _allow(Resource="arn:aws:elasticfilesystem:eu-west-1:*:file-system/*"),
        _allow(Resource="arn:aws:elasticfilesystem:us-east-1:*:file-system/*"),
    )
    assert found.arn.split(":")[3] == UNKNOWN_REGION
