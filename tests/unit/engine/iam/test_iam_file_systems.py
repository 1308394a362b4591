"""Which file systems a policy names: literal file system ARNs in Resource, nothing else."""

from __future__ import annotations

from efs_doctor.engine.iam import parse_policy
from efs_doctor.engine.iam.file_systems import file_systems_named, is_file_system_arn

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
