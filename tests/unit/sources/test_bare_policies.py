"""A bare IAM policy document is a file system policy: of the file system its Resource names,
or else of the only file system known (issue 2, "File inputs")."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import ProblemLevel

Load = Callable[..., Inventory]
Write = Callable[[str, str], Path]
FS = "fs-0123456789abcdef0"
OTHER = "fs-0fedcba9876543210"


def _policy(resource: str | None = None, principal: Any = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal if principal is not None else {"AWS": "*"},
        "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
    }
    if resource is not None:
        statement["Resource"] = resource
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)


def _pv(write: Write, fs_id: str, name: str = "pv") -> Path:
    return write(
        f"{name}.yaml",
        f"apiVersion: v1\nkind: PersistentVolume\nmetadata: {{name: {name}}}\n"
        f"spec: {{csi: {{driver: efs.csi.aws.com, volumeHandle: 'efs:{fs_id}::fsap-0123abcd'}}}}\n",
    )


def test_resource_names_the_file_system(load: Load, write: Write) -> None:
    arn = f"arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/{FS}"
    inventory = load(write("policy.json", _policy(arn)))
    assert inventory.problems == []
    policy = inventory.policies[FS]
    assert policy.file_system_id == FS
    assert not policy.absent


def test_no_resource_and_one_file_system_known_from_a_pv(load: Load, write: Write) -> None:
    inventory = load(write("policy.json", _policy()), _pv(write, FS))
    assert inventory.problems == []
    assert set(inventory.policies) == {FS}


def test_no_resource_and_one_file_system_known_from_a_class(load: Load, write: Write) -> None:
    storage_class = write(
        "sc.yaml",
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: efs}\n"
        "provisioner: efs.csi.aws.com\n"
        f"parameters: {{provisioningMode: efs-ap, fileSystemId: {OTHER}}}\n",
    )
    inventory = load(write("policy.json", _policy("*")), storage_class)
    assert set(inventory.policies) == {OTHER}


def test_a_resource_pattern_names_no_file_system(load: Load, write: Write) -> None:
    # A pattern covers file systems but names none: the policy goes to the only one known.
    pattern = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-*"
    inventory = load(write("policy.json", _policy(pattern)), _pv(write, FS))
    assert inventory.problems == []
    assert set(inventory.policies) == {FS}


def test_no_resource_and_two_file_systems_known_is_a_warning(load: Load, write: Write) -> None:
    path = write("policy.json", _policy())
    inventory = load(path, _pv(write, FS, "a"), _pv(write, OTHER, "b"))
    assert inventory.policies == {}
    [problem] = inventory.problems
    assert problem.level is ProblemLevel.WARNING
    assert str(problem) == (
        f"{path}:1:1: IAM policy document names no file system in its Resource and 2 file "
        "systems are known; add the file system ARN to Resource; not checked (explain takes "
        "it as the policy of the file system its error text is about)"
    )
    # Kept aside for explain (issue 17 class 11), attached to neither file system.
    assert [p.source.path for p in inventory.unplaced_policies] == [str(path)]


def test_no_resource_and_no_file_system_known_is_a_warning(load: Load, write: Write) -> None:
    inventory = load(write("policy.json", _policy()))
    assert inventory.policies == {}
    [problem] = inventory.problems
    assert "and no file systems are known" in problem.message
    assert len(inventory.unplaced_policies) == 1
    assert not inventory.is_empty  # explain has a policy to use as context


def test_policies_without_principal_are_not_file_system_policies(load: Load, write: Write) -> None:
    identity = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "elasticfilesystem:ClientMount", "Resource": "*"}
            ],
        }
    )
    inventory = load(write("identity.json", identity), _pv(write, FS))
    assert inventory.policies == {}
    assert "not a file system policy" in inventory.problems[0].message


def test_trust_policies_are_not_file_system_policies(load: Load, write: Write) -> None:
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
        }
    )
    inventory = load(write("trust.json", trust), _pv(write, FS))
    assert inventory.policies == {}


def test_a_bare_policy_in_yaml_is_read_too(load: Load, write: Write) -> None:
    text = (
        'Version: "2012-10-17"\nStatement:\n  - Effect: Allow\n    Principal: "*"\n'
        f"    Action: elasticfilesystem:ClientMount\n"
        f"    Resource: arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/{FS}\n"
    )
    inventory = load(write("policy.yaml", text))
    policy = inventory.policies[FS]
    assert policy.document is not None
    assert policy.document["Statement"][0]["Principal"] == "*"
    assert policy.text_source is not None
    assert policy.text_source.location("Statement", 0, "Action").line == 5
