"""CloudFormation and CDK templates read into the inventory: intrinsics resolved to logical
ids, the CDK's embedded manifests, locations at the logical id and its template line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.model.problems import ProblemLevel
from efs_doctor.sources.iac.cfn_resolve import UNKNOWN, BadIntrinsic, Resolver
from efs_doctor.sources.iac.cfn_yaml import looks_like_yaml_template

IAC = Path(__file__).resolve().parents[3] / "fixtures" / "iac"
CDK = IAC / "cdk" / "seed" / "cdk.out"


def test_cdk_file_system_policy_without_client_mount_is_read() -> None:
    inventory = load_inventory([str(CDK)])
    (fs_id,) = inventory.file_systems
    policy = inventory.policies[fs_id]
    assert policy.document is not None
    (statement,) = policy.document["Statement"]
    assert statement["Action"] == [
        "elasticfilesystem:ClientWrite",
        "elasticfilesystem:ClientRootAccess",
    ]
    where = policy.source.location("Statement", 0)
    assert where.object == "SharedFs4FA368F7"
    assert where.path == str(CDK / "SharedStorage.template.json")
    text = (CDK / "SharedStorage.template.json").read_text().splitlines()
    assert where.line is not None
    assert '"Action"' in text[where.line]  # the statement's first member follows its brace


def test_cdk_manifest_volume_handle_links_to_the_file_system() -> None:
    inventory = load_inventory([str(CDK)])
    (chain,) = mount_chains(inventory)
    (fs_id,) = inventory.file_systems
    assert chain.volume_name == "efs-pv"
    assert chain.claim_key == "web/shared-data"
    assert chain.file_system_id == fs_id
    where = chain.volume.source.location("spec", "csi") if chain.volume else None
    assert where is not None
    assert where.object == "SharedVolume62BA02CB"


def test_cdk_environment_gives_account_region_and_arn() -> None:
    inventory = load_inventory([str(CDK)])
    (fs,) = inventory.file_systems.values()
    assert fs.arn == f"arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/{fs.id}"
    targets = inventory.mount_targets_of(fs.id)
    assert len(targets) == 2
    (group,) = inventory.security_groups.values()
    assert {inventory.security_groups_of_mount_target(t) for t in targets} == {(group.id,)}
    (rule,) = group.ingress
    assert rule.cidrs == ("10.0.0.0/16",)  # Fn::GetAtt Vpc.CidrBlock
    assert inventory.vpc_dns_value(next(iter(inventory.vpcs)), "enableDnsSupport") is True
    messages = [p for p in inventory.problems if p.level is not ProblemLevel.DEBUG]
    assert messages == []


def test_yaml_template_with_short_form_intrinsics() -> None:
    path = IAC / "cloudformation" / "seed.yaml"
    inventory = load_inventory([str(path)])
    (chain,) = mount_chains(inventory)
    (fs_id,) = inventory.file_systems
    assert chain.file_system_id == fs_id  # !Sub with a !Ref variable in the manifest
    policy = inventory.policies[fs_id]
    assert policy.document is not None
    condition = policy.document["Statement"][0]["Condition"]
    assert condition == {
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/eks-node-group-role"}
    }
    (target,) = inventory.mount_targets.values()
    assert target.subnet_id == "subnet-0aaaaaaaaaaaaaaa1"  # parameter default
    (group,) = inventory.security_groups.values()
    assert group.ingress[0].group_ids == ("sg-0fedcba9876543210",)
    where = policy.source.location("Statement", 0, "Condition")
    assert (where.path, where.line, where.object) == (str(path), 31, "SharedFileSystem")


def test_template_without_policy_is_a_known_absence(write: Any) -> None:
    path = write(
        "t.json",
        json.dumps({"Resources": {"Fs": {"Type": "AWS::EFS::FileSystem", "Properties": {}}}}),
    )
    inventory = load_inventory([str(path)])
    (policy,) = inventory.policies.values()
    assert policy.absent


def test_kubernetes_yaml_still_refuses_cloudformation_tags(write: Any) -> None:
    path = write("pv.yaml", "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: !Ref X\n")
    inventory = load_inventory([str(path)])
    assert inventory.persistent_volumes == {}
    assert any("!Ref" in p.message for p in inventory.errors)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A:\n    Type: X\n", True),
        ("Resources:\n  A:\n    Type: AWS::EFS::FileSystem\n", True),
        ("Resources:\n  A:\n    Type: 'Custom::Thing'\n", True),
        ("apiVersion: v1\nkind: List\nitems: []\n", False),
        ('{"Resources": {}}', False),
        ("Resources: {}\n", False),
    ],
)
def test_yaml_template_recognition(text: str, expected: bool) -> None:
    assert looks_like_yaml_template(text) is expected


RESOURCES = {
    "Fs": {"Type": "AWS::EFS::FileSystem", "Properties": {}},
    "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {}},
    "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "app"}},
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}},
}


def resolver(**kwargs: Any) -> Resolver:
    return Resolver(
        "t.yaml",
        RESOURCES,
        {"Env": {"Type": "String", "Default": "prod"}, "Free": {"Type": "String"}},
        {"Zones": {"prod": {"Subnet": "subnet-1"}}},
        **kwargs,
    )


def test_resolver_links_refs_and_attributes() -> None:
    r = resolver()
    fs_id = r.resolve({"Ref": "Fs"})
    assert fs_id == r.resolve({"Fn::GetAtt": ["Fs", "FileSystemId"]})
    assert fs_id.startswith("fs-00000000")
    assert (
        r.resolve({"Fn::GetAtt": "Fs.Arn"}) == f"arn:aws:elasticfilesystem:*:*:file-system/{fs_id}"
    )
    assert r.resolve({"Fn::GetAtt": ["Sg", "GroupId"]}).startswith("sg-00000000")
    assert r.resolve({"Ref": "Role"}) == "app"
    assert r.resolve({"Fn::GetAtt": ["Role", "Arn"]}) == "arn:aws:iam:::role/app"
    assert resolver(account="111122223333").resolve({"Fn::GetAtt": ["Role", "Arn"]}) == (
        "arn:aws:iam::111122223333:role/app"
    )


def test_resolver_functions() -> None:
    r = resolver()
    assert r.resolve({"Fn::Join": ["-", ["a", {"Ref": "Env"}]]}) == "a-prod"
    assert r.resolve({"Fn::Sub": "arn:${AWS::Partition}:x:${Env}"}) == "arn:aws:x:prod"
    assert r.resolve({"Fn::Sub": ["${A}/${!Literal}", {"A": "x"}]}) == "x/${Literal}"
    assert r.resolve({"Fn::Sub": "${Vpc.CidrBlock}"}) == "10.1.0.0/16"
    assert r.resolve({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}) == "b"
    assert r.resolve({"Fn::FindInMap": ["Zones", {"Ref": "Env"}, "Subnet"]}) == "subnet-1"
    assert r.resolve({"Fn::Base64": "hi"}) == "aGk="
    assert r.resolve({"Ref": "AWS::NoValue"}) is not None
    assert r.resolve({"A": {"Ref": "AWS::NoValue"}, "B": 1}) == {"B": 1}


def test_resolver_unknowns() -> None:
    r = resolver()
    assert r.resolve({"Ref": "Free"}) is UNKNOWN
    assert r.resolve({"Ref": "AWS::AccountId"}) is UNKNOWN
    assert resolver(account="1").resolve({"Ref": "AWS::AccountId"}) == "1"
    assert r.resolve({"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]}) is UNKNOWN
    assert r.resolve({"Fn::If": ["C", "a", "b"]}) is UNKNOWN
    assert r.resolve({"Fn::ImportValue": "x"}) is UNKNOWN


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ({"Ref": "Nope"}, "Ref to Nope, which is not a resource or parameter"),
        ({"Ref": ["Fs"]}, "Ref takes a logical id or parameter name"),
        ({"Fn::GetAtt": ["Fs"]}, "Fn::GetAtt takes [LogicalId, Attribute]"),
        ({"Fn::Join": ["", {"a": 1}]}, "Fn::Join takes a list of values"),
        ({"Fn::Join": "x"}, "Fn::Join takes [delimiter, [values]]"),
        ({"Fn::Select": [9, ["a"]]}, "Fn::Select index out of range"),
        ({"Fn::FindInMap": ["Zones", "dev", "Subnet"]}, "Fn::FindInMap: no dev"),
        ({"Fn::Nope": []}, "unknown intrinsic function Fn::Nope"),
        ({"Fn::Sub": 3}, "Fn::Sub takes a string"),
    ],
)
def test_resolver_rejects_malformed_intrinsics(expression: Any, message: str) -> None:
    with pytest.raises(BadIntrinsic, match=message.replace("[", r"\[").replace("]", r"\]")):
        resolver().resolve(expression)


def test_resolver_depth_is_bounded() -> None:
    expression: Any = "x"
    for _ in range(200):
        expression = {"Fn::Join": ["", [expression]]}
    with pytest.raises(BadIntrinsic, match="nested too deeply"):
        resolver().resolve(expression)


def test_template_group_with_a_deploy_time_rule_is_left_out(write: Any) -> None:
    path = write(
        "t.yaml",
        "Resources:\n"
        "  Sg:\n"
        "    Type: AWS::EC2::SecurityGroup\n"
        "    Properties:\n"
        "      GroupDescription: efs\n"
        "      SecurityGroupIngress:\n"
        "        - {IpProtocol: tcp, FromPort: 2049, ToPort: 2049, CidrIp: !ImportValue cidr}\n"
        "  Ap:\n"
        "    Type: AWS::EFS::AccessPoint\n"
        "    Properties:\n"
        "      FileSystemId: fs-0123456789abcdef0\n"
        "      PosixUser: {Uid: !Ref AWS::AccountId, Gid: '1000'}\n",
    )
    inventory = load_inventory([str(path)])
    assert inventory.security_groups == {}
    assert inventory.access_points == {}
    messages = [p.message for p in inventory.problems if p.level is ProblemLevel.WARNING]
    assert any("not checked: Sg: its rules are known only at deploy time" in m for m in messages)


def test_cdk_helm_chart_values_annotate_the_driver_service_accounts(write: Any) -> None:
    template = {
        "Resources": {
            "NodeRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": "efs-node",
                    "AssumeRolePolicyDocument": {"Statement": []},
                    "ManagedPolicyArns": [
                        {
                            "Fn::Join": [
                                "",
                                [
                                    "arn:",
                                    {"Ref": "AWS::Partition"},
                                    ":iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess",
                                ],
                            ]
                        }
                    ],
                },
            },
            "EfsCsi": {
                "Type": "Custom::AWSCDK-EKS-HelmChart",
                "Properties": {
                    "Chart": "aws-efs-csi-driver",
                    "Namespace": "kube-system",
                    "Values": {
                        "Fn::Join": [
                            "",
                            [
                                '{"node":{"serviceAccount":{"annotations":'
                                '{"eks.amazonaws.com/role-arn":"',
                                {"Fn::GetAtt": ["NodeRole", "Arn"]},
                                '"}}}}',
                            ],
                        ]
                    },
                },
            },
        }
    }
    path = write("stack.template.json", json.dumps(template, indent=1))
    inventory = load_inventory([str(path)])
    node = inventory.service_account("kube-system", "efs-csi-node-sa")
    assert node is not None
    assert node.irsa_role_arn == "arn:aws:iam:::role/efs-node"
    assert node.source.location().object == "EfsCsi"
    role = inventory.roles["arn:aws:iam:::role/efs-node"]
    (attached,) = role.attached_policy_arns
    assert inventory.managed_policies[attached].document is not None  # vendored
