"""Terraform plans read into the inventory and mount chains: mapping, linking of values known
only after apply through the plan's configuration, and locations at the resource address
(and the .tf line when the configuration is beside the plan)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import ProblemLevel
from efs_doctor.sources.iac.common import is_placeholder

TERRAFORM = Path(__file__).resolve().parents[3] / "fixtures" / "iac" / "terraform"


def load(name: str) -> Inventory:
    return load_inventory([str(TERRAFORM / name / "plan.json")])


def only_chain(inventory: Inventory) -> MountChain:
    chains = mount_chains(inventory)
    assert len(chains) == 1, [c.label for c in chains]
    return chains[0]


def warnings(inventory: Inventory) -> list[str]:
    return [str(p) for p in inventory.problems if p.level is not ProblemLevel.DEBUG]


# ---- the seed incident ----------------------------------------------------------------
def test_seed_volume_handle_is_linked_to_the_file_system_created_by_the_plan() -> None:
    inventory = load("seed")
    chain = only_chain(inventory)
    (fs_id,) = inventory.file_systems
    assert is_placeholder(fs_id)
    assert chain.file_system_id == fs_id
    assert chain.handle is not None
    assert chain.handle.raw == fs_id
    assert chain.claim_key == "web/shared-data"
    assert chain.volume_name == "efs-pv"
    assert chain.mount_options == ()
    assert chain.pod_key == "web/deployment/web"  # kubernetes_deployment_v1.web
    assert chain.workload is not None
    mount = chain.workload.source.location("spec", "template", "spec", "volumes", 0)
    assert mount.object == "kubernetes_deployment_v1.web"
    assert chain.policy is not None
    assert chain.policy.document is not None
    assert warnings(inventory) == []


def test_seed_policy_is_rendered_from_the_deferred_policy_document() -> None:
    inventory = load("seed")
    (policy,) = inventory.policies.values()
    assert policy.document is not None
    (statement,) = policy.document["Statement"]
    assert statement["Principal"] == {"AWS": "*"}
    assert statement["Condition"]["ArnLike"]["aws:PrincipalArn"] == [
        "arn:aws:iam::111122223333:role/eks-node-group-role",
        "arn:aws:iam::111122223333:role/app-efs-access",
    ]
    # resources = [aws_efs_file_system.shared.arn]: linked, with the account the provider
    # is restricted to (allowed_account_ids) and the provider's region
    fs_id = policy.file_system_id
    assert statement["Resource"] == (
        f"arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/{fs_id}"
    )
    assert inventory.file_systems[fs_id].arn == statement["Resource"]


def test_seed_locations_name_the_address_and_the_tf_line() -> None:
    inventory = load("seed")
    pv = inventory.persistent_volumes["efs-pv"]
    handle = pv.source.location("spec", "csi", "volumeHandle")
    assert handle.path is not None
    assert handle.path.endswith("seed/kubernetes.tf")
    assert (handle.line, handle.object) == (17, "kubernetes_persistent_volume_v1.efs")
    csi = pv.source.location("spec", "csi")
    assert csi.line == 15  # the csi block: where mountOptions' absence is reported
    (policy,) = inventory.policies.values()
    where = policy.source.location("Policy", object_name="ignored")
    assert where.path is not None
    assert where.path.endswith("seed/main.tf")
    assert (where.line, where.object) == (44, "aws_efs_file_system_policy.shared")


def test_seed_mount_targets_and_security_group() -> None:
    inventory = load("seed")
    (fs_id,) = inventory.file_systems
    targets = inventory.mount_targets_of(fs_id)
    assert sorted(t.subnet_id or "" for t in targets) == [
        "subnet-0aaaaaaaaaaaaaaa1",
        "subnet-0bbbbbbbbbbbbbbb2",
    ]
    (group,) = inventory.security_groups.values()
    assert {inventory.security_groups_of_mount_target(t) for t in targets} == {(group.id,)}
    (rule,) = group.ingress
    assert (rule.protocol, rule.from_port, rule.to_port) == ("tcp", 2049, 2049)
    assert rule.group_ids == ("sg-0fedcba9876543210",)
    # no inline egress and no rule resources: Terraform removes the default egress rule
    assert group.egress == ()


def test_plan_without_its_configuration_points_into_the_plan_and_says_what_it_assumed(
    tmp_path: Path,
) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(TERRAFORM / "seed" / "plan.json", plan)
    inventory = load_inventory([str(plan)])
    chain = only_chain(inventory)
    assert chain.handle is not None
    assert chain.handle.raw == chain.file_system_id
    pv = inventory.persistent_volumes["efs-pv"]
    where = pv.source.location("spec", "csi", "volumeHandle")
    assert where.path == str(plan)
    assert where.line is not None
    assert where.object == "kubernetes_persistent_volume_v1.efs"
    text = plan.read_text()
    assert text.splitlines()[where.line - 1].strip().startswith('"volume_handle"')
    (assumption,) = warnings(inventory)
    assert "kubernetes_persistent_volume_v1.efs: volume_handle is known only after apply" in (
        assumption
    )
    assert "aws_efs_file_system.shared.id" in assumption


# ---- terraform-aws-efs module ------------------------------------------------------------
def test_module_resources_keep_their_child_module_addresses() -> None:
    inventory = load("module-efs")
    (fs,) = inventory.file_systems.values()
    assert fs.source.location().object == "module.efs.aws_efs_file_system.this[0]"
    assert fs.name == "shared-data"
    objects = {t.source.location().object for t in inventory.mount_targets.values()}
    assert objects == {
        'module.efs.aws_efs_mount_target.this["eu-west-1a"]',
        'module.efs.aws_efs_mount_target.this["eu-west-1b"]',
    }
    where = fs.source.location()
    assert where.path is not None
    assert where.path.endswith(".terraform/modules/efs/main.tf")


def test_module_output_links_the_volume_handle_and_dynamic_statements_render() -> None:
    inventory = load("module-efs")
    chain = only_chain(inventory)
    (fs_id,) = inventory.file_systems
    assert chain.file_system_id == fs_id  # volume_handle = module.efs.id
    assert chain.policy is not None
    assert chain.policy.document is not None
    (statement,) = chain.policy.document["Statement"]
    # deny_nonsecure_transport: the policy is Deny-only (efs-semantics.md §4.2)
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"].endswith(f":222233334444:file-system/{fs_id}")
    assert warnings(inventory) == []


def test_module_security_group_gets_its_separate_rule_resources() -> None:
    inventory = load("module-efs")
    (group,) = inventory.security_groups.values()
    (rule,) = group.ingress
    assert rule.cidrs == ("10.20.0.0/16",)
    assert rule.covers_tcp_port(2049)


def test_dynamic_statement_without_source_is_linked_to_its_file_system_with_a_warning(
    tmp_path: Path,
) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(TERRAFORM / "module-efs" / "plan.json", plan)
    inventory = load_inventory([str(plan)])
    (fs_id,) = inventory.file_systems
    policy = inventory.policies[fs_id]
    assert policy.document is not None
    assert policy.document["Statement"][0]["Resource"].endswith(fs_id)
    messages = warnings(inventory)
    assert any(
        "module.efs.data.aws_iam_policy_document.policy[0]: statement 1 Resource" in m
        and f"taken as the file system the policy is attached to ({fs_id})" in m
        for m in messages
    ), messages


# ---- blueprints-style storage class ----------------------------------------------------------
def test_storage_class_file_system_is_linked_and_plans_a_volume() -> None:
    inventory = load("blueprints-sc")
    chain = only_chain(inventory)
    (fs_id,) = inventory.file_systems
    assert chain.planned is not None
    assert chain.planned.storage_class.name == "efs"
    assert chain.file_system_id == fs_id
    assert chain.mount_options == ()
    where = chain.planned.storage_class.source.location("parameters")
    assert where.object == "kubernetes_storage_class_v1.efs"
    assert where.path is not None
    assert where.path.endswith("blueprints-sc/kubernetes.tf")


def test_helm_release_service_accounts_and_irsa_role_are_linked() -> None:
    inventory = load("blueprints-sc")
    controller = inventory.service_account("kube-system", "efs-csi-controller-sa")
    node = inventory.service_account("kube-system", "efs-csi-node-sa")
    assert controller is not None
    assert node is not None
    role_arn = "arn:aws:iam::444455556666:role/platform-efs-csi"
    assert controller.irsa_role_arn == role_arn
    assert node.irsa_role_arn is None
    role = inventory.roles[role_arn]
    assert role.attached_policy_arns == (
        "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy",
    )
    assert role.trust_policy is not None
    assert role.trust_policy["Statement"][0]["Action"] == "sts:AssumeRoleWithWebIdentity"
    managed = inventory.managed_policies[role.attached_policy_arns[0]]
    assert managed.document is not None  # vendored copy, verified
    assert inventory.caller is not None
    assert inventory.caller.account == "444455556666"


def test_policy_principal_set_with_an_unknown_role_arn_is_linked() -> None:
    inventory = load("blueprints-sc")
    (policy,) = inventory.policies.values()
    assert policy.document is not None
    allow, deny = policy.document["Statement"]
    assert sorted(allow["Principal"]["AWS"]) == [
        "arn:aws:iam::444455556666:role/platform-efs-csi",
        "arn:aws:iam::444455556666:role/platform-nodes",
    ]
    assert deny["Principal"] == "*"


# ---- a handle made of two unknown ids -----------------------------------------------------------
def test_handle_template_is_composed_from_the_tf_expression() -> None:
    inventory = load("access-point-handle")
    chain = only_chain(inventory)
    (fs_id,) = inventory.file_systems
    (ap_id,) = inventory.access_points
    assert chain.handle is not None
    assert chain.handle.raw == f"{fs_id}::{ap_id}"
    assert chain.access_point is not None
    assert chain.access_point.root_path == "/app"
    assert chain.access_point.posix_user is not None
    assert chain.access_point.posix_user.uid == 1000
    assert chain.mount_options == ("iam",)
    # created by the plan with no aws_efs_file_system_policy: the default policy (§4.2)
    assert chain.policy is not None
    assert chain.policy.absent


def test_handle_of_two_unknown_ids_without_the_tf_is_not_guessed(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(TERRAFORM / "access-point-handle" / "plan.json", plan)
    inventory = load_inventory([str(plan)])
    assert inventory.persistent_volumes == {}
    assert mount_chains(inventory) == []
    (problem,) = warnings(inventory)
    assert (
        "kubernetes_persistent_volume_v1.app: "
        "spec[0].persistent_volume_source[0].csi[0].volume_handle known only after apply" in problem
    )
    assert "not checked" in problem


# ---- state -------------------------------------------------------------------------------
def test_state_json_is_read_with_its_known_values(tmp_path: Path) -> None:
    state = {
        "format_version": "1.0",
        "terraform_version": "1.11.4",
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_efs_file_system.shared",
                        "mode": "managed",
                        "type": "aws_efs_file_system",
                        "name": "shared",
                        "values": {
                            "id": "fs-0123456789abcdef0",
                            "arn": "arn:aws:elasticfilesystem:us-east-1:111122223333:"
                            "file-system/fs-0123456789abcdef0",
                            "encrypted": True,
                            "tags": {"Name": "prod-shared"},
                        },
                    },
                    {
                        "address": "aws_efs_file_system_policy.shared",
                        "mode": "managed",
                        "type": "aws_efs_file_system_policy",
                        "name": "shared",
                        "values": {
                            "file_system_id": "fs-0123456789abcdef0",
                            "policy": json.dumps(
                                {
                                    "Version": "2012-10-17",
                                    "Statement": [
                                        {
                                            "Effect": "Allow",
                                            "Principal": {"AWS": "*"},
                                            "Action": "elasticfilesystem:ClientMount",
                                        }
                                    ],
                                }
                            ),
                        },
                    },
                ],
                "child_modules": [],
            }
        },
    }
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state, indent=2))
    inventory = load_inventory([str(path)])
    fs = inventory.file_systems["fs-0123456789abcdef0"]
    assert fs.region == "us-east-1"
    assert fs.name == "prod-shared"
    policy = inventory.policies["fs-0123456789abcdef0"]
    assert policy.document is not None
    assert policy.source.location().object == "aws_efs_file_system_policy.shared"
    assert warnings(inventory) == []


@pytest.mark.parametrize("name", ["seed", "module-efs", "blueprints-sc", "access-point-handle"])
def test_fixture_plans_are_in_the_documented_format(name: str) -> None:
    plan = json.loads((TERRAFORM / name / "plan.json").read_text())
    assert plan["format_version"] == "1.2"
    assert plan["terraform_version"] == "1.11.4"
    for change in plan["resource_changes"]:
        assert set(change["change"]) >= {"actions", "after", "after_unknown"}
    assert "root_module" in plan["configuration"]
