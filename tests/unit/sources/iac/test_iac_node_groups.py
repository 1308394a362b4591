"""Node groups before any node exists (issue 18, items 4 and 5): eksctl ``nodeGroups`` /
``managedNodeGroups`` and Terraform ``aws_eks_node_group`` become NodeGroups (their security
groups and subnets), and the node-independent network check counts a TCP 2049 rule whose
source is a node group's group, or a range covering all its subnets, as admitting its nodes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest

from efs_doctor.api import load_inventory
from efs_doctor.engine.network import NetworkIndex
from efs_doctor.model.aws import NodeGroup, SecurityGroup, Subnet
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.source import SourceMap

REPO = Path(__file__).resolve().parents[4]
EKSCTL = REPO / "tests/fixtures/iac/eksctl/node-groups"
PLAN = REPO / "tests/fixtures/iac/terraform/node-group"
Cli = Callable[..., CompletedProcess[str]]


def net002_inconclusive(cli: Cli, path: Path) -> list[dict[str, Any]]:
    result = cli("scan", "--format", "json", "--min-severity", "info", str(path), cwd=REPO)
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    assert not [f for f in document["findings"] if f["code"] == "NET002"]
    return [i for i in document["inconclusive"] if i["code"] == "NET002"]


def eksctl_copy(
    tmp_path: Path, config: str | None = None, rule: dict[str, Any] | None = None
) -> Path:
    folder = tmp_path / "node-groups"
    shutil.copytree(EKSCTL, folder)
    if config is not None:
        (folder / "cluster.yaml").write_text(config)
    if rule is not None:
        groups_file = folder / "aws/ec2-describe-security-groups.json"
        groups = json.loads(groups_file.read_text())
        groups["SecurityGroups"][0]["IpPermissions"] = [rule]
        groups_file.write_text(json.dumps(groups))
    return folder


def nfs_from(cidr: str) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "IpRanges": [{"CidrIp": cidr}]}


# ---- eksctl ------------------------------------------------------------------------------
def test_eksctl_node_groups_are_mapped_at_their_entries() -> None:
    inventory = load_inventory([str(EKSCTL)])
    workers = inventory.node_groups["prod/workers"]
    # attachIDs; withLocal/withShared groups are created at deploy time and have no id yet
    assert workers.security_group_ids == ("sg-0a11aa22bb33cc44d",)
    assert workers.subnet_ids == ("subnet-0aaa1111bbbb2222c",)  # subnets: [private-a]
    assert str(workers.source.location()).endswith("cluster.yaml:25:5")
    general = inventory.node_groups["prod/general"]
    # privateNetworking without subnets: every private subnet (eksctl SelectNodeGroupSubnets)
    assert general.subnet_ids == ("subnet-0aaa1111bbbb2222c", "subnet-0bbb2222cccc3333d")
    assert general.security_group_ids == ()
    assert str(general.source.location()).endswith("cluster.yaml:35:5")
    assert inventory.subnets["subnet-0bbb2222cccc3333d"].cidr == "10.0.32.0/19"


def test_eksctl_attached_group_admits_the_nodes(cli: Cli, tmp_path: Path) -> None:
    assert net002_inconclusive(cli, EKSCTL) == []
    # Without the attachIDs entry nothing says which nodes have sg-0a11aa22bb33cc44d.
    config = (EKSCTL / "cluster.yaml").read_text().replace("[sg-0a11aa22bb33cc44d]", "[]")
    unknown = net002_inconclusive(cli, eksctl_copy(tmp_path, config=config))
    assert {i["object"] for i in unknown} == {"fsmt-0123456789abcdef0", "fsmt-0223456789abcdef0"}
    assert "tcp 2049 from sg-0a11aa22bb33cc44d" in unknown[0]["reason"]


@pytest.mark.parametrize(
    ("cidr", "admitted"),
    [
        ("10.0.0.0/19", True),  # private-a, the workers' only subnet
        ("10.0.0.0/16", True),  # every subnet of both groups
        ("10.0.32.0/19", False),  # private-b: part of general's subnets, none of the workers'
        ("10.0.0.0/20", False),  # half of private-a
    ],
)
def test_eksctl_range_covering_a_node_groups_subnets_admits_its_nodes(
    cli: Cli, tmp_path: Path, cidr: str, admitted: bool
) -> None:
    folder = eksctl_copy(tmp_path, rule=nfs_from(cidr))
    assert (net002_inconclusive(cli, folder) == []) is admitted


def test_eksctl_subnet_of_unknown_range_does_not_count(tmp_path: Path) -> None:
    # An entry without cidr, and no AWS answer for it: the range is unknown, so a rule
    # covering the other subnet must not pass for the whole group.
    config = (EKSCTL / "cluster.yaml").read_text().replace("        cidr: 10.0.32.0/19\n", "")
    inventory = load_inventory([str(eksctl_copy(tmp_path, config=config))])
    assert "subnet-0bbb2222cccc3333d" not in inventory.subnets
    index = NetworkIndex(inventory)
    general = inventory.node_groups["prod/general"]
    hop = index.inbound_from_any_node(("sg-0e1f2a3b4c5d6e7f8",), (), [general])
    assert hop.verdict == "unknown"


# ---- Terraform ---------------------------------------------------------------------------
def test_terraform_node_group_at_its_address() -> None:
    inventory = load_inventory([str(PLAN / "plan.json")])
    (group,) = inventory.node_groups.values()
    assert group.id == "prod/general"
    assert group.source.address == "aws_eks_node_group.general"  # type: ignore[attr-defined]
    assert str(group.source.location()).endswith("main.tf:52:1")
    assert str(group.source.location("subnet_ids")).endswith("main.tf:56:3")
    # the launch template's vpc_security_group_ids, linked to aws_security_group.nodes
    nodes = next(g for g in inventory.security_groups.values() if not g.ingress)
    assert group.security_group_ids == (nodes.id,)
    cidrs = sorted(str(inventory.subnets[s].cidr) for s in group.subnet_ids)
    assert cidrs == ["10.0.0.0/19", "10.0.32.0/19"]


def test_terraform_launch_template_group_admits_the_nodes(cli: Cli, tmp_path: Path) -> None:
    assert net002_inconclusive(cli, PLAN / "plan.json") == []
    # The same plan without the launch template: EKS would attach the cluster security
    # group, which the plan does not name, so the nodes' groups are not known.
    plan = json.loads((PLAN / "plan.json").read_text())
    for change in plan["resource_changes"]:
        if change["type"] == "aws_eks_node_group":
            change["change"]["after"]["launch_template"] = []
            del change["change"]["after_unknown"]["launch_template"]
    for resource in plan["configuration"]["root_module"]["resources"]:
        if resource["type"] == "aws_eks_node_group":
            del resource["expressions"]["launch_template"]
    copy = tmp_path / "plan.json"
    copy.write_text(json.dumps(plan))
    unknown = net002_inconclusive(cli, copy)
    assert len(unknown) == 2
    assert "no node is known to pair with" in unknown[0]["reason"]


def test_terraform_remote_access_group_once_known(tmp_path: Path) -> None:
    # Once applied, EKS names the remote access group it attached to the nodes
    # (resources[0].remote_access_security_group_id).
    plan = json.loads((PLAN / "plan.json").read_text())
    for change in plan["resource_changes"]:
        if change["type"] == "aws_eks_node_group":
            change["change"]["after"]["resources"] = [
                {"autoscaling_groups": [], "remote_access_security_group_id": "sg-0remote000000001"}
            ]
            del change["change"]["after_unknown"]["resources"]
    copy = tmp_path / "plan.json"
    copy.write_text(json.dumps(plan))
    (group,) = load_inventory([str(copy)]).node_groups.values()
    assert group.security_group_ids[1:] == ("sg-0remote000000001",)


# ---- the engine ---------------------------------------------------------------------------
SOURCE = SourceMap("inputs.json", 1)


def _index(subnets: dict[str, str | None]) -> NetworkIndex:
    raw = {
        "GroupId": "sg-efs",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 2049,
                "ToPort": 2049,
                "UserIdGroupPairs": [{"GroupId": "sg-nodes"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 2049,
                "ToPort": 2049,
                "IpRanges": [{"CidrIp": "10.1.0.0/16"}],
            },
        ],
        "IpPermissionsEgress": [],
    }
    group, problems = SecurityGroup.from_raw(raw, SOURCE)
    assert not problems
    inventory = Inventory(security_groups={"sg-efs": group})
    inventory.aws_sections.add("security-groups")
    for subnet_id, cidr in subnets.items():
        inventory.subnets[subnet_id] = Subnet(subnet_id, "vpc-1", None, None, cidr, SOURCE)
    return NetworkIndex(inventory)


@pytest.mark.parametrize(
    ("groups", "subnets", "verdict"),
    [
        (("sg-nodes",), (), "allow"),  # the rule's source group is attached
        (("sg-other",), (), "unknown"),
        ((), ("subnet-a", "subnet-b"), "allow"),  # both inside 10.1.0.0/16
        ((), ("subnet-a", "subnet-c"), "unknown"),  # subnet-c is outside
        ((), ("subnet-a", "subnet-x"), "unknown"),  # subnet-x's range is not known
    ],
)
def test_any_node_counts_a_node_group(
    groups: tuple[str, ...], subnets: tuple[str, ...], verdict: str
) -> None:
    index = _index(
        {
            "subnet-a": "10.1.0.0/20",
            "subnet-b": "10.1.16.0/20",
            "subnet-c": "10.2.0.0/20",
            "subnet-x": None,
        }
    )
    node_group = NodeGroup("ng", "prod", groups, subnets, SOURCE)
    hop = index.inbound_from_any_node(("sg-efs",), (), [node_group])
    assert hop.verdict == verdict
    if verdict == "allow":
        assert "a node of node group ng" in hop.detail


def test_eksctl_subnet_alias_is_not_a_zone(tmp_path: Path) -> None:
    # A vpc.subnets key is the zone only when it names one (eksctl AZSubnetMappingFromMap);
    # an alias such as private-one with just a cidr gets a stand-in id and no zone.
    config = tmp_path / "cluster.yaml"
    config.write_text(
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n"
        "metadata: {name: c24, region: us-west-2}\n"
        "vpc:\n  subnets:\n    private:\n"
        "      private-one: {cidr: 192.168.160.0/19}\n"
        "      us-west-2b: {id: subnet-0b, cidr: 192.168.192.0/19}\n"
        "nodeGroups:\n  - name: ng-2\n    privateNetworking: true\n"
        "    subnets: [private-one, subnet-0b]\n"
    )
    inventory = load_inventory([str(config)])
    stand_in, given = inventory.node_groups["c24/ng-2"].subnet_ids
    assert given == "subnet-0b"
    assert inventory.subnets[given].availability_zone == "us-west-2b"
    assert inventory.subnets[stand_in].availability_zone is None
    assert inventory.subnets[stand_in].cidr == "192.168.160.0/19"
