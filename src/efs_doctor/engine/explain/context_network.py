"""DNS and network signals for one mount chain: mount targets, VPC DNS, security groups.

Rests on efs-semantics.md §2.7 (DNS name and fallback), §6 (mount targets per AZ, VPC DNS,
TCP 2049 in security groups, names resolve only inside their VPC).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from efs_doctor.engine.explain.context_auth import identity_allows, node_principals
from efs_doctor.engine.explain.model import ContextSignal, Facts, SignalEffect
from efs_doctor.model.aws import Instance, MountTarget, SecurityGroupRule
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory

NFS_PORT = 2049
FALLBACK_ACTIONS = ("elasticfilesystem:DescribeMountTargets", "ec2:DescribeAvailabilityZones")
ORIGIN = "inventory"


def _nodes(inventory: Inventory, chain: MountChain, facts: Facts) -> list[Instance]:
    """The EC2 instances the pod runs (or may run) on."""
    name = facts.node or (chain.workload.node_name if chain.workload is not None else None)
    if name and name in inventory.nodes:
        found = inventory.instance_of_node(inventory.nodes[name])
        return [found] if found is not None else []
    return list(inventory.instances.values())


def _zone(inventory: Inventory, chain: MountChain, facts: Facts) -> str | None:
    if facts.availability_zone:
        return facts.availability_zone
    name = facts.node or (chain.workload.node_name if chain.workload is not None else None)
    node = inventory.nodes.get(name or "")
    return node.zone if node is not None else None


def _in_cidr(ip: str | None, cidrs: tuple[str, ...]) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
        return any(address in ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)
    except ValueError:
        return False


def _admits(rule: SecurityGroupRule, groups: tuple[str, ...], ip: str | None) -> bool:
    return rule.covers_tcp_port(NFS_PORT) and (
        bool(set(rule.group_ids) & set(groups)) or _in_cidr(ip, rule.cidrs)
    )


def _mount_target_signals(
    inventory: Inventory, chain: MountChain, facts: Facts
) -> Iterator[ContextSignal]:
    if not inventory.has("mount-targets"):
        return
    available = [mt for mt in chain.mount_targets if mt.lifecycle_state in (None, "available")]
    zones = sorted({mt.availability_zone_name for mt in available if mt.availability_zone_name})
    zone = _zone(inventory, chain, facts)
    at = str(available[0].source.location()) if available else None
    if zone is not None:
        effect: SignalEffect = "rules_out" if zone in zones else "confirms"
        verb = "has" if zone in zones else "has no"
        yield ContextSignal(
            "no-mount-target-in-az",
            effect,
            f"{chain.file_system_id} {verb} an available mount target in {zone} "
            f"(available in: {', '.join(zones) or 'none'})",
            at,
            ORIGIN,
        )
    else:
        node_zones = sorted({n.zone for n in inventory.nodes.values() if n.zone})
        missing = [z for z in node_zones if z not in zones]
        if node_zones:
            yield ContextSignal(
                "no-mount-target-in-az",
                "raises" if missing else "rules_out",
                f"node zones without an available mount target: {', '.join(missing)}"
                if missing
                else f"every node zone has an available mount target ({', '.join(zones)})",
                at,
                ORIGIN,
            )


def _vpc_signals(
    inventory: Inventory, chain: MountChain, nodes: list[Instance]
) -> Iterator[ContextSignal]:
    vpcs = sorted({mt.vpc_id for mt in chain.mount_targets if mt.vpc_id})
    for vpc in vpcs:
        support = inventory.vpc_dns_value(vpc, "enableDnsSupport")
        hostnames = inventory.vpc_dns_value(vpc, "enableDnsHostnames")
        if support is False or hostnames is False:
            off = [n for n, v in (("DNS support", support), ("DNS hostnames", hostnames)) if not v]
            yield ContextSignal(
                "vpc-dns-disabled",
                "confirms",
                f"{vpc} has {' and '.join(off)} off",
                None,
                ORIGIN,
            )
        elif support and hostnames:
            yield ContextSignal(
                "vpc-dns-disabled",
                "rules_out",
                f"{vpc} has DNS support and DNS hostnames on",
                None,
                ORIGIN,
            )
    node_vpcs = sorted({n.vpc_id for n in nodes if n.vpc_id})
    if vpcs and node_vpcs:
        outside = [v for v in node_vpcs if v not in vpcs]
        yield ContextSignal(
            "dns-resolution-outside-vpc",
            "confirms" if outside else "rules_out",
            f"nodes in {', '.join(node_vpcs)}, mount targets in {', '.join(vpcs)}",
            str(nodes[0].source.location()),
            ORIGIN,
        )


def _security_group_signals(
    inventory: Inventory, chain: MountChain, nodes: list[Instance]
) -> Iterator[ContextSignal]:
    if not inventory.has("security-groups") or not nodes or not chain.mount_targets:
        return
    targets: list[tuple[MountTarget, tuple[str, ...]]] = []
    for mt in chain.mount_targets:
        groups = chain.mount_target_groups.get(mt.id)
        if groups is not None:
            targets.append((mt, groups))
    if not targets:
        return
    blocked: list[str] = []
    for node in nodes:
        for mt, groups in targets:
            if node.availability_zone and mt.availability_zone_name != node.availability_zone:
                continue  # the DNS name resolves to the mount target of the node's own zone
            rules = [
                r
                for g in groups
                if g in inventory.security_groups
                for r in inventory.security_groups[g].ingress
            ]
            if not any(_admits(r, node.security_group_ids, node.private_ip) for r in rules):
                blocked.append(f"{mt.id} ({', '.join(groups)}) from {node.id}")
    yield ContextSignal(
        "sg-missing-2049",
        "confirms" if blocked else "rules_out",
        "no inbound TCP 2049 rule admits the node: " + "; ".join(blocked)
        if blocked
        else "the mount target security groups admit TCP 2049 from the nodes",
        None,
        ORIGIN,
    )
    egress_blocked = []
    for node in nodes:
        rules = [
            r
            for g in node.security_group_ids
            if g in inventory.security_groups
            for r in inventory.security_groups[g].egress
        ]
        for mt, groups in targets:
            if not any(_admits(r, groups, mt.ip_address) for r in rules):
                egress_blocked.append(f"{node.id} to {mt.id}")
    yield ContextSignal(
        "node-sg-egress-blocked",
        "confirms" if egress_blocked else "rules_out",
        "node security groups allow no TCP 2049 out: " + "; ".join(egress_blocked)
        if egress_blocked
        else "the node security groups allow TCP 2049 out to the mount targets",
        None,
        ORIGIN,
    )


def _file_system_signals(inventory: Inventory, chain: MountChain) -> Iterator[ContextSignal]:
    if not inventory.has("file-systems") or chain.file_system_id is None:
        return
    if chain.file_system is None:
        yield ContextSignal(
            "file-system-not-found",
            "confirms",
            f"{chain.file_system_id} is not among the file systems described",
            None,
            ORIGIN,
        )
    else:
        yield ContextSignal(
            "file-system-not-found",
            "rules_out",
            f"{chain.file_system_id} exists (state {chain.file_system.lifecycle_state or '?'})",
            str(chain.file_system.source.location()),
            ORIGIN,
        )


def _lookup_permission_signals(inventory: Inventory, chain: MountChain) -> Iterator[ContextSignal]:
    """efs-utils' DNS fallback calls DescribeMountTargets and DescribeAvailabilityZones with the
    node's credentials (efs-semantics.md §2.7)."""
    for role_arn, how in node_principals(inventory, chain):
        missing = [
            action
            for action in FALLBACK_ACTIONS
            if identity_allows(inventory, role_arn, action) is False
        ]
        if any(identity_allows(inventory, role_arn, a) is None for a in FALLBACK_ACTIONS):
            continue
        yield ContextSignal(
            "mount-target-lookup-permissions",
            "confirms" if missing else "rules_out",
            f"{role_arn} ({how}) "
            + (f"may not call {', '.join(missing)}" if missing else "may call the fallback APIs"),
            None,
            ORIGIN,
        )


def network_signals(
    inventory: Inventory, chain: MountChain, facts: Facts
) -> Iterator[ContextSignal]:
    nodes = _nodes(inventory, chain, facts)
    yield from _file_system_signals(inventory, chain)
    yield from _mount_target_signals(inventory, chain, facts)
    yield from _vpc_signals(inventory, chain, nodes)
    yield from _security_group_signals(inventory, chain, nodes)
    yield from _lookup_permission_signals(inventory, chain)
