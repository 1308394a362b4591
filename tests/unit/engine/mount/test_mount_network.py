"""TCP 2049 reachability through security groups and network ACLs (efs-semantics.md §6)."""

from __future__ import annotations

from typing import Any

from efs_doctor.engine.network import (
    MT_ACL_IN,
    MT_SG_IN,
    NODE_ACL_IN,
    NODE_SG_OUT,
    Endpoint,
    NetworkIndex,
    parse_networks,
)
from efs_doctor.model.aws import NetworkAcl, SecurityGroup
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.source import SourceMap

NODE = Endpoint("node", parse_networks(["10.0.0.10"]), ("sg-node",), "subnet-node", "vpc-1")
MT = Endpoint("mount target", parse_networks(["10.0.1.10"]), ("sg-efs",), "subnet-efs", "vpc-1")
SOURCE = SourceMap("sgs.json", 1)


def group(
    group_id: str, ingress: list[dict[str, Any]], egress: list[dict[str, Any]]
) -> SecurityGroup:
    raw = {"GroupId": group_id, "IpPermissions": ingress, "IpPermissionsEgress": egress}
    sg, problems = SecurityGroup.from_raw(raw, SOURCE)
    assert not problems
    return sg


def acl(
    acl_id: str, subnets: list[str], entries: list[dict[str, Any]], default: bool = False
) -> NetworkAcl:
    raw = {
        "NetworkAclId": acl_id,
        "VpcId": "vpc-1",
        "IsDefault": default,
        "Associations": [{"SubnetId": s} for s in subnets],
        "Entries": entries,
    }
    made, problems = NetworkAcl.from_raw(raw, SOURCE)
    assert not problems
    return made


def tcp_rule(port: int, *, cidr: str | None = None, group: str | None = None) -> dict[str, Any]:
    """A security group rule for TCP ``port`` from a CIDR range or from another group."""
    rule: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if cidr is not None:
        rule["IpRanges"] = [{"CidrIp": cidr}]
    if group is not None:
        rule["UserIdGroupPairs"] = [{"GroupId": group}]
    return rule


def acl_entry(
    number: int,
    action: str,
    *,
    egress: bool,
    protocol: str = "-1",
    cidr: str = "0.0.0.0/0",
    ports: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """A network ACL entry; ``ports`` only for TCP/UDP ones."""
    entry: dict[str, Any] = {
        "RuleNumber": number,
        "Protocol": protocol,
        "RuleAction": action,
        "Egress": egress,
        "CidrBlock": cidr,
    }
    if ports is not None:
        entry["PortRange"] = {"From": ports[0], "To": ports[1]}
    return entry


ALL_OUT = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
NFS_FROM_NODE_SG = [tcp_rule(2049, group="sg-node")]
OPEN_ACL = [acl_entry(100, "allow", egress=False), acl_entry(100, "allow", egress=True)]


def index(groups: list[SecurityGroup] | None, acls: list[NetworkAcl] | None) -> NetworkIndex:
    inventory = Inventory()
    if groups is not None:
        inventory.aws_sections.add("security-groups")
        inventory.security_groups = {g.id: g for g in groups}
    if acls is not None:
        inventory.aws_sections.add("network-acls")
        inventory.network_acls = {a.id: a for a in acls}
    return NetworkIndex(inventory)


def standard_groups(
    node_egress: list[dict[str, Any]] = ALL_OUT,
    efs_ingress: list[dict[str, Any]] = NFS_FROM_NODE_SG,
) -> list[SecurityGroup]:
    return [group("sg-node", [], node_egress), group("sg-efs", efs_ingress, [])]


def default_open_acls() -> list[NetworkAcl]:
    """vpc-1's default network ACL, open both ways; no subnet has one of its own."""
    return [acl("acl-1", [], OPEN_ACL, default=True)]


def test_reachable_with_the_usual_set_up() -> None:
    result = index(standard_groups(), default_open_acls()).tcp(NODE, MT)
    assert result.verdict == "reachable", result.hops
    sg_in = next(h for h in result.hops if h.check == MT_SG_IN)
    assert "sg-efs" in sg_in.detail
    assert "sg-node" in sg_in.detail


def test_security_groups_not_provided_is_unknown() -> None:
    result = index(None, default_open_acls()).tcp(NODE, MT)
    assert result.verdict == "unknown"
    assert any(h.detail == "security groups not provided" for h in result.unknown)


def test_network_acls_not_provided_is_unknown() -> None:
    result = index(standard_groups(), None).tcp(NODE, MT)
    assert result.verdict == "unknown"
    assert any(h.detail == "network ACLs not provided" for h in result.unknown)


def test_mount_target_group_without_2049_blocks() -> None:
    ssh = [tcp_rule(22, cidr="10.0.0.0/16")]
    result = index(standard_groups(efs_ingress=ssh), default_open_acls()).tcp(NODE, MT)
    assert result.verdict == "blocked"
    assert result.blocking is not None
    assert result.blocking.check == MT_SG_IN
    assert "tcp 22 from 10.0.0.0/16" in result.blocking.detail


def test_cidr_rule_covers_the_node_address() -> None:
    by_cidr = [tcp_rule(2049, cidr="10.0.0.0/24")]
    result = index(standard_groups(efs_ingress=by_cidr), default_open_acls()).tcp(NODE, MT)
    assert result.verdict == "reachable"


def test_unknown_node_address_with_a_narrow_cidr_is_unknown() -> None:
    narrow = [tcp_rule(2049, cidr="10.0.0.0/28")]
    somewhere = Endpoint(
        "nodes", parse_networks(["10.0.0.0/24"]), ("sg-other",), "subnet-node", "vpc-1"
    )
    result = index(
        [*standard_groups(efs_ingress=narrow), group("sg-other", [], ALL_OUT)],
        default_open_acls(),
    ).tcp(somewhere, MT)
    assert result.verdict == "unknown"


def test_node_egress_blocked() -> None:
    https = [tcp_rule(443, cidr="0.0.0.0/0")]
    result = index(standard_groups(node_egress=https), default_open_acls()).tcp(NODE, MT)
    assert result.blocking is not None
    assert result.blocking.check == NODE_SG_OUT


def test_missing_group_is_unknown_not_blocked() -> None:
    result = index([group("sg-node", [], ALL_OUT)], default_open_acls()).tcp(NODE, MT)
    assert result.verdict == "unknown"


def test_acl_lowest_rule_wins() -> None:
    entries = [
        acl_entry(50, "deny", egress=False, protocol="6", cidr="10.0.0.0/24", ports=(2049, 2049)),
        *OPEN_ACL,
    ]
    acls = [acl("acl-node", ["subnet-node"], OPEN_ACL), acl("acl-efs", ["subnet-efs"], entries)]
    result = index(standard_groups(), acls).tcp(NODE, MT)
    assert result.blocking is not None
    assert result.blocking.check == MT_ACL_IN
    assert "inbound rule 50" in result.blocking.detail


def test_acl_return_traffic_needs_every_ephemeral_port() -> None:
    partial = [
        acl_entry(100, "allow", egress=True),
        acl_entry(100, "allow", egress=False, protocol="6", ports=(32768, 40000)),
    ]
    acls = [acl("acl-node", ["subnet-node"], partial), acl("acl-efs", ["subnet-efs"], OPEN_ACL)]
    result = index(standard_groups(), acls).tcp(NODE, MT)
    assert result.blocking is not None
    assert result.blocking.check == NODE_ACL_IN
    assert "40001-61000" in result.blocking.detail


def test_same_subnet_skips_network_acls() -> None:
    deny_all: list[dict[str, Any]] = []
    local_mt = Endpoint(
        "mount target", parse_networks(["10.0.0.20"]), ("sg-efs",), "subnet-node", "vpc-1"
    )
    result = index(standard_groups(), [acl("acl-node", ["subnet-node"], deny_all)]).tcp(
        NODE, local_mt
    )
    assert result.verdict == "reachable"


def test_cross_vpc_route_is_unknown() -> None:
    elsewhere = Endpoint(
        "mount target", parse_networks(["10.1.1.10"]), ("sg-efs",), "subnet-x", "vpc-2"
    )
    result = index(standard_groups(), default_open_acls()).tcp(NODE, elsewhere)
    assert result.verdict == "unknown"
