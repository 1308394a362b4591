"""Terraform resource types not in the scenario fixtures, from small plans written in the
documented JSON format: kubernetes_manifest, security group rule resources, subnets and VPCs,
IAM role policies and attachments, EKS Pod Identity associations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.model.problems import ProblemLevel

FS = "aws_efs_file_system.data"


def change(
    address: str,
    after: dict[str, Any],
    unknown: dict[str, Any] | None = None,
    mode: str = "managed",
) -> dict[str, Any]:
    kind, name = address.removeprefix("data.").split(".")[:2]
    return {
        "address": address,
        "mode": mode,
        "type": kind,
        "name": name,
        "change": {"actions": ["create"], "after": after, "after_unknown": unknown or {}},
    }


def config(address: str, expressions: dict[str, Any]) -> dict[str, Any]:
    kind, name = address.split(".")[:2]
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": name,
        "expressions": expressions,
    }


def refs(*references: str) -> dict[str, Any]:
    return {"references": list(references)}


def write_plan(
    tmp_path: Path, changes: list[dict[str, Any]], configs: list[dict[str, Any]]
) -> Path:
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "expressions": {
                        "region": {"constant_value": "eu-central-1"},
                        "allowed_account_ids": {"constant_value": ["123456789012"]},
                    },
                }
            },
            "root_module": {"resources": configs},
        },
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    return path


def test_network_resources_and_rule_resources(tmp_path: Path) -> None:
    changes = [
        change(
            "aws_vpc.main",
            {
                "cidr_block": "10.0.0.0/16",
                "enable_dns_support": True,
                "enable_dns_hostnames": False,
            },
            {"id": True},
        ),
        change(
            "aws_subnet.a",
            {"vpc_id": None, "availability_zone": "eu-central-1a", "cidr_block": "10.0.1.0/24"},
            {"id": True, "vpc_id": True},
        ),
        change(FS, {"encrypted": True}, {"id": True, "arn": True}),
        change(
            "aws_security_group.efs",
            {"name": "efs", "vpc_id": None, "ingress": None, "egress": None},
            {"id": True, "vpc_id": True, "ingress": True, "egress": True},
        ),
        change(
            "aws_security_group.nodes",
            {"name": "nodes", "vpc_id": None},
            {"id": True, "vpc_id": True, "ingress": True, "egress": True},
        ),
        change(
            "aws_security_group_rule.nfs",
            {
                "type": "ingress",
                "protocol": "tcp",
                "from_port": 2049,
                "to_port": 2049,
                "security_group_id": None,
                "source_security_group_id": None,
            },
            {"security_group_id": True, "source_security_group_id": True},
        ),
        change(
            "aws_vpc_security_group_egress_rule.all",
            {"ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0", "security_group_id": None},
            {"security_group_id": True},
        ),
        change(
            "aws_efs_mount_target.a",
            {"file_system_id": None, "subnet_id": None, "security_groups": None},
            {
                "id": True,
                "file_system_id": True,
                "subnet_id": True,
                "security_groups": True,
                "availability_zone_name": True,
            },
        ),
    ]
    configs = [
        config("aws_subnet.a", {"vpc_id": refs("aws_vpc.main.id", "aws_vpc.main")}),
        config("aws_security_group.efs", {"vpc_id": refs("aws_vpc.main.id", "aws_vpc.main")}),
        config("aws_security_group.nodes", {"vpc_id": refs("aws_vpc.main.id", "aws_vpc.main")}),
        config(
            "aws_security_group_rule.nfs",
            {
                "security_group_id": refs("aws_security_group.efs.id", "aws_security_group.efs"),
                "source_security_group_id": refs(
                    "aws_security_group.nodes.id", "aws_security_group.nodes"
                ),
            },
        ),
        config(
            "aws_vpc_security_group_egress_rule.all",
            {
                "security_group_id": refs(
                    "aws_security_group.nodes.id", "aws_security_group.nodes"
                ),
            },
        ),
        config(
            "aws_efs_mount_target.a",
            {
                "file_system_id": refs(f"{FS}.id", FS),
                "subnet_id": refs("aws_subnet.a.id", "aws_subnet.a"),
                "security_groups": refs("aws_security_group.efs.id", "aws_security_group.efs"),
            },
        ),
    ]
    inventory = load_inventory([str(write_plan(tmp_path, changes, configs))])
    (vpc_id,) = inventory.vpcs
    (subnet,) = inventory.subnets.values()
    assert subnet.vpc_id == vpc_id
    assert inventory.vpc_dns_value(vpc_id, "enableDnsSupport") is True
    assert inventory.vpc_dns_value(vpc_id, "enableDnsHostnames") is False
    groups = {g.name: g for g in inventory.security_groups.values()}
    efs, nodes = groups["efs"], groups["nodes"]
    (ingress,) = efs.ingress
    assert ingress.group_ids == (nodes.id,)
    assert efs.egress == ()
    (egress,) = nodes.egress
    assert (egress.protocol, egress.cidrs) == ("-1", ("0.0.0.0/0",))
    (target,) = inventory.mount_targets.values()
    assert target.subnet_id == subnet.id
    assert target.availability_zone_name == "eu-central-1a"  # its subnet's zone
    assert inventory.security_groups_of_mount_target(target) == (efs.id,)
    problems = [p for p in inventory.problems if p.level is not ProblemLevel.DEBUG]
    assert problems == []


def test_manifest_roles_and_pod_identity(tmp_path: Path) -> None:
    trust = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "pods.eks.amazonaws.com"},
                }
            ]
        }
    )
    inline = json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "elasticfilesystem:Client*", "Resource": "*"}]}
    )
    manifest = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "data"},
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "mountOptions": ["iam"],
            "csi": {"driver": "efs.csi.aws.com", "volumeHandle": None},
        },
    }
    changes = [
        change(FS, {"encrypted": True}, {"id": True, "arn": True}),
        change(
            "kubernetes_manifest.pv",
            {"manifest": manifest},
            {"manifest": {"spec": {"csi": {"volumeHandle": True}}}, "object": True},
        ),
        change(
            "aws_iam_role.node",
            {"name": "efs-node", "assume_role_policy": trust},
            {"arn": True, "id": True},
        ),
        change(
            "aws_iam_role_policy.efs",
            {"name": "efs", "role": None, "policy": inline},
            {"role": True},
        ),
        change(
            "aws_iam_role_policy_attachment.ro",
            {
                "role": "efs-node",
                "policy_arn": "arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadOnlyAccess",
            },
        ),
        change(
            "aws_eks_pod_identity_association.node",
            {
                "cluster_name": "prod",
                "namespace": "kube-system",
                "service_account": "efs-csi-node-sa",
                "role_arn": None,
            },
            {"role_arn": True, "association_id": True},
        ),
    ]
    configs = [
        config("kubernetes_manifest.pv", {"manifest": refs(f"{FS}.id", FS)}),
        config(
            "aws_iam_role_policy.efs", {"role": refs("aws_iam_role.node.name", "aws_iam_role.node")}
        ),
        config(
            "aws_eks_pod_identity_association.node",
            {
                "role_arn": refs("aws_iam_role.node.arn", "aws_iam_role.node"),
            },
        ),
    ]
    inventory = load_inventory([str(write_plan(tmp_path, changes, configs))])
    (fs_id,) = inventory.file_systems
    (chain,) = mount_chains(inventory)
    assert chain.file_system_id == fs_id
    assert chain.mount_options == ("iam",)
    where = chain.volume.source.location("spec") if chain.volume else None
    assert where is not None
    assert where.object == "kubernetes_manifest.pv"
    role = inventory.roles["arn:aws:iam::123456789012:role/efs-node"]
    assert set(role.inline_policies) == {"efs"}
    assert role.attached_policy_arns == (
        "arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadOnlyAccess",
    )
    assert inventory.pod_identity_role("kube-system", "efs-csi-node-sa") == role.arn
    problems = [p for p in inventory.problems if p.level is not ProblemLevel.DEBUG]
    assert problems == []


def test_unlinkable_values_are_problems_naming_the_address(tmp_path: Path) -> None:
    changes = [
        change(
            "aws_efs_file_system_policy.p",
            {"file_system_id": None, "policy": None},
            {"file_system_id": True, "policy": True},
        ),
        change(
            "kubernetes_storage_class_v1.sc",
            {
                "metadata": [{"name": "efs"}],
                "storage_provisioner": "efs.csi.aws.com",
                "parameters": {"provisioningMode": "efs-ap", "fileSystemId": None},
            },
            {"parameters": {"fileSystemId": True}},
        ),
    ]
    configs = [
        config(
            "aws_efs_file_system_policy.p",
            {"file_system_id": refs("var.fs_id"), "policy": refs("local.policy")},
        ),
        config("kubernetes_storage_class_v1.sc", {"parameters": refs("local.fs")}),
    ]
    inventory = load_inventory([str(write_plan(tmp_path, changes, configs))])
    messages = sorted(p.message for p in inventory.problems if p.level is not ProblemLevel.DEBUG)
    assert messages == [
        "aws_efs_file_system_policy.p: file_system_id is known only after apply and the plan's "
        "configuration does not link it to a resource; the aws_efs_file_system_policy is not "
        "checked",
        "kubernetes_storage_class_v1.sc: parameters.fileSystemId known only after apply and not "
        "linked by the plan's configuration; this StorageClass is not checked",
    ]
    assert inventory.policies == {}
    assert inventory.storage_classes == {}  # not half-read: no fileSystemId is no finding


def test_a_group_with_an_unlinked_rule_is_left_out_not_narrowed(tmp_path: Path) -> None:
    changes = [
        change(
            "aws_security_group.efs",
            {"name": "efs", "vpc_id": "vpc-1"},
            {"id": True, "ingress": True, "egress": True},
        ),
        change(
            "aws_security_group_rule.nfs",
            {
                "type": "ingress",
                "protocol": "tcp",
                "from_port": 2049,
                "to_port": 2049,
                "security_group_id": None,
                "cidr_blocks": None,
            },
            {"security_group_id": True, "cidr_blocks": True},
        ),
        change("aws_iam_role.r", {"name": "r", "assume_role_policy": "{}"}, {"arn": True}),
        change(
            "aws_iam_role_policy_attachment.a",
            {"role": "r", "policy_arn": None},
            {"policy_arn": True},
        ),
    ]
    configs = [
        config("aws_security_group.efs", {"name": {"constant_value": "efs"}}),
        config(
            "aws_security_group_rule.nfs",
            {
                "security_group_id": refs("aws_security_group.efs.id", "aws_security_group.efs"),
                "cidr_blocks": refs("var.cidrs"),
            },
        ),
        config("aws_iam_role_policy_attachment.a", {"policy_arn": refs("var.policy")}),
    ]
    inventory = load_inventory([str(write_plan(tmp_path, changes, configs))])
    assert inventory.security_groups == {}
    assert inventory.roles == {}
    messages = [p.message for p in inventory.problems if p.level is ProblemLevel.WARNING]
    assert any(
        m.startswith("security group sg-00000000")
        and "not checked: aws_security_group_rule.nfs: cidr_blocks is known only after apply" in m
        for m in messages
    ), messages
    assert any(
        m.startswith("IAM role r not checked: aws_iam_role_policy_attachment.a") for m in messages
    )
