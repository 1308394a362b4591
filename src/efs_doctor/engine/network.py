"""Can a node open TCP 2049 to a mount target? Security groups and network ACLs, with traces.

AWS behaviour (efs-semantics.md §6):
- security groups are stateful and a union: a connection is allowed when any rule of any
  group on the interface admits it; return traffic is allowed automatically
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html);
- the mount target's groups must admit TCP 2049 inbound from the node (its group or
  address); the node's groups must admit TCP 2049 outbound to the mount target (EFS User
  Guide, accessing-fs-create-security-groups);
- network ACLs are stateless and ordered: the lowest-numbered matching entry decides, the
  final ``*`` entry denies; the node's subnet needs outbound 2049 and inbound ephemeral
  ports, the mount target's subnet inbound 2049 and outbound ephemeral ports; traffic inside
  one subnet does not cross an ACL
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html, "Ephemeral ports":
  Linux uses 32768-61000);
- the efs-csi-node plugin uses the host network, so the client is the node's primary
  interface, not a pod security group (§3.1).
Anything not among the inputs makes its hop ``unknown``, never allowed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from efs_doctor.model.aws import (
    NetworkAcl,
    NetworkAclEntry,
    NodeGroup,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.source import Location, SourceMap

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Verdict = Literal["allow", "block", "unknown"]
Reach = Literal["reachable", "blocked", "unknown"]

NFS_PORT = 2049
EPHEMERAL_PORTS = (32768, 61000)  # Linux, per the VPC User Guide "Ephemeral ports"

# Check names, in the order a packet meets them.
NODE_SG_OUT = "node security groups outbound"
NODE_ACL_OUT = "node subnet network ACL outbound"
MT_ACL_IN = "mount target subnet network ACL inbound"
MT_SG_IN = "mount target security groups inbound"
MT_ACL_OUT = "mount target subnet network ACL outbound (return traffic)"
NODE_ACL_IN = "node subnet network ACL inbound (return traffic)"
ROUTE = "route"


def parse_networks(values: Iterable[str]) -> tuple[IpNetwork, ...]:
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            continue
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One side of the connection. ``networks``: its addresses (``/32``) or, when the exact
    address is unknown, every range it may come from; empty means unknown."""

    label: str
    networks: tuple[IpNetwork, ...]
    security_groups: tuple[str, ...] | None
    subnet_id: str | None
    vpc_id: str | None

    @property
    def where(self) -> tuple[str | None, str | None]:
        return self.subnet_id, self.vpc_id

    @property
    def address_text(self) -> str:
        return ", ".join(str(n) for n in self.networks) or "unknown address"


@dataclass(frozen=True, slots=True)
class Hop:
    check: str
    verdict: Verdict
    detail: str
    object_id: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class Reachability:
    verdict: Reach
    hops: tuple[Hop, ...]

    @property
    def blocking(self) -> Hop | None:
        return next((h for h in self.hops if h.verdict == "block"), None)

    @property
    def unknown(self) -> tuple[Hop, ...]:
        return tuple(h for h in self.hops if h.verdict == "unknown")


def _where(source: SourceMap) -> str | None:
    if source.path is None:
        return None
    return str(Location(source.path, source.line))


Coverage = Literal["all", "some", "none"]


def _coverage(rule_networks: Sequence[IpNetwork], peer: Sequence[IpNetwork]) -> Coverage:
    """Do the rule's ranges cover every peer range, some of them, or none?"""
    if not peer:
        return "some" if rule_networks else "none"
    covered = 0
    touched = False
    for network in peer:
        inside = False
        for rule in rule_networks:
            if rule.version != network.version:
                continue
            if network.subnet_of(rule):  # type: ignore[arg-type]
                inside = True
                break
            if rule.overlaps(network):
                touched = True
        covered += inside
    if covered == len(peer):
        return "all"
    return "some" if covered or touched else "none"


def _word(direction: str) -> str:
    return "from" if direction == "inbound" else "to"


def _describe_rule(rule: SecurityGroupRule, direction: str) -> str:
    if rule.protocol in ("-1", "all"):
        what = "all traffic"
    elif rule.from_port is None or rule.from_port == rule.to_port:
        what = f"{rule.protocol} {rule.from_port if rule.from_port is not None else 'all'}"
    else:
        what = f"{rule.protocol} {rule.from_port}-{rule.to_port}"
    peers = [*rule.cidrs, *rule.ipv6_cidrs, *rule.group_ids, *rule.prefix_list_ids]
    word = "from" if direction == "inbound" else "to"
    return f"{what} {word} {', '.join(peers) or 'nothing'}"


class NetworkIndex:
    """Security groups and network ACLs of an inventory, indexed once; results cached."""

    def __init__(self, inventory: Inventory) -> None:
        self.security_groups: Mapping[str, SecurityGroup] = inventory.security_groups
        self.subnets: Mapping[str, Subnet] = inventory.subnets
        self.have_security_groups = inventory.has("security-groups") or bool(
            inventory.security_groups
        )
        self.have_network_acls = inventory.has("network-acls") or bool(inventory.network_acls)
        self._acl_by_subnet: dict[str, NetworkAcl] = {}
        self._default_acl: dict[str, NetworkAcl] = {}
        for acl in inventory.network_acls.values():
            for subnet_id in acl.subnet_ids:
                self._acl_by_subnet[subnet_id] = acl
            if acl.is_default and acl.vpc_id:
                self._default_acl[acl.vpc_id] = acl
        self._cache: dict[tuple[object, ...], Reachability] = {}

    def network_acl_of(self, subnet_id: str | None, vpc_id: str | None) -> NetworkAcl | None:
        """The subnet's ACL, else its VPC's default ACL (subnets without an explicit
        association use the default one)."""
        if subnet_id and subnet_id in self._acl_by_subnet:
            return self._acl_by_subnet[subnet_id]
        if vpc_id and vpc_id in self._default_acl:
            return self._default_acl[vpc_id]
        return None

    # ---- security groups -----------------------------------------------------------------
    def _groups_admit(
        self,
        check: str,
        group_ids: tuple[str, ...] | None,
        direction: Literal["inbound", "outbound"],
        peer: Endpoint,
        port: int,
    ) -> Hop:
        if not self.have_security_groups:
            return Hop(check, "unknown", "security groups not provided")
        if group_ids is None:
            return Hop(check, "unknown", "which security groups are attached is not known")
        if not group_ids:
            return Hop(check, "block", "no security group attached")
        unknown: list[str] = []
        missing: list[str] = []
        seen_rules: list[str] = []
        for group_id in group_ids:
            group = self.security_groups.get(group_id)
            if group is None:
                missing.append(group_id)
                continue
            rules = group.ingress if direction == "inbound" else group.egress
            for index, rule in enumerate(rules):
                if not rule.covers_tcp_port(port):
                    seen_rules.append(f"{group_id}: {_describe_rule(rule, direction)}")
                    continue
                verdict, why = self._rule_matches(rule, peer)
                described = f"{group_id} ({group.name or '-'}) {direction} rule #{index}: " + (
                    _describe_rule(rule, direction)
                )
                if verdict == "all":
                    return Hop(
                        check,
                        "allow",
                        f"{described} admits TCP {port} {_word(direction)} {peer.label} ({why})",
                        group_id,
                        _where(group.source),
                    )
                if verdict == "some":
                    unknown.append(f"{described}: {why}")
                else:
                    seen_rules.append(f"{group_id}: {_describe_rule(rule, direction)}")
        if unknown:
            return Hop(check, "unknown", "; ".join(unknown), group_ids[0])
        if missing:
            return Hop(
                check,
                "unknown",
                f"security group(s) {', '.join(missing)} not among the inputs; the others "
                f"admit no TCP {port}",
                missing[0],
            )
        word = "from" if direction == "inbound" else "to"
        existing = "; ".join(seen_rules) if seen_rules else "no rules"
        first = self.security_groups.get(group_ids[0])
        return Hop(
            check,
            "block",
            f"{', '.join(group_ids)} admit no TCP {port} {direction} {word} {peer.label} "
            f"({peer.address_text}"
            + (f", {', '.join(peer.security_groups)}" if peer.security_groups else "")
            + f"); {direction} rules: {existing}",
            group_ids[0],
            _where(first.source) if first is not None else None,
        )

    @staticmethod
    def _rule_matches(rule: SecurityGroupRule, peer: Endpoint) -> tuple[Coverage, str]:
        groups_unknown = bool(rule.group_ids) and peer.security_groups is None
        if rule.group_ids and peer.security_groups is not None:
            shared = sorted(set(rule.group_ids) & set(peer.security_groups))
            if shared:
                return "all", f"peer is in {', '.join(shared)}"
        networks = parse_networks([*rule.cidrs, *rule.ipv6_cidrs])
        if networks:
            coverage = _coverage(networks, peer.networks)
            if coverage == "all":
                return "all", f"{peer.address_text} is inside {', '.join(map(str, networks))}"
            if coverage == "some":
                why = (
                    "the peer's address is not known"
                    if not peer.networks
                    else f"only part of {peer.address_text} is inside "
                    f"{', '.join(map(str, networks))}"
                )
                return "some", why
        if groups_unknown:
            return "some", "the peer's security groups are not known"
        if rule.prefix_list_ids:
            return "some", f"prefix list(s) {', '.join(rule.prefix_list_ids)} not resolved"
        return "none", ""

    def inbound_from_any_node(
        self,
        group_ids: tuple[str, ...] | None,
        cluster_groups: tuple[str, ...] = (),
        node_groups: Sequence[NodeGroup] = (),
    ) -> Hop:
        """Without nodes to pair with a mount target: do its security groups admit TCP 2049
        from anything that could be a node? ``allow`` when a rule admits the cluster security
        group (EKS attaches it to the nodes of managed node groups,
        https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html) or every node of
        a node group (a group attached to it, or ranges covering all its subnets); ``block``
        when no inbound rule admits TCP 2049 from any source, so no node can connect wherever
        it runs; ``unknown`` when rules admit some addresses or groups and which of them the
        nodes have cannot be told."""
        candidates = [self._node_group_endpoint(group) for group in node_groups]
        if cluster_groups:
            candidates.insert(
                0,
                Endpoint(
                    f"a node in the cluster security group {', '.join(cluster_groups)}",
                    (),
                    cluster_groups,
                    None,
                    None,
                ),
            )
        for candidate in candidates:
            hop = self._groups_admit(MT_SG_IN, group_ids, "inbound", candidate, NFS_PORT)
            if hop.verdict == "allow":
                return hop
        anywhere = Endpoint("any node", (), None, None, None)
        return self._groups_admit(MT_SG_IN, group_ids, "inbound", anywhere, NFS_PORT)

    def _node_group_endpoint(self, group: NodeGroup) -> Endpoint:
        """A node of ``group``: its address is somewhere in its subnets (the ranges count only
        when every subnet's is known, else a range covering some would pass for all), its
        groups the ones known to be attached (only ever used to admit, so a group created at
        deploy time and missing here cannot make a rule look wrong)."""
        cidrs = [self.subnets[s].cidr if s in self.subnets else None for s in group.subnet_ids]
        networks = parse_networks(c for c in cidrs if c) if all(cidrs) else ()
        return Endpoint(
            f"a node of node group {group.name}",
            networks,
            group.security_group_ids or None,
            None,
            None,
        )

    # ---- network ACLs --------------------------------------------------------------------
    def _acl_admits(
        self,
        check: str,
        subnet: tuple[str | None, str | None],
        egress: bool,
        peer: Endpoint,
        ports: tuple[int, int],
    ) -> Hop:
        """``subnet``: (subnet id, VPC id) of the side whose ACL is evaluated."""
        subnet_id, vpc_id = subnet
        if not self.have_network_acls:
            return Hop(check, "unknown", "network ACLs not provided")
        acl = self.network_acl_of(subnet_id, vpc_id)
        if acl is None:
            return Hop(
                check, "unknown", f"no network ACL known for subnet {subnet_id or '(unknown)'}"
            )
        remaining: list[tuple[int, int]] = [ports]
        uncertain: list[str] = []
        allowed_by: list[str] = []
        for entry in acl.entries:
            if entry.egress != egress or not remaining:
                continue
            if entry.protocol not in ("-1", "6", "tcp"):
                continue
            networks = parse_networks([e for e in (entry.cidr, entry.ipv6_cidr) if e])
            coverage = _coverage(networks, peer.networks)
            if coverage == "none":
                continue
            low, high = _entry_ports(entry)
            hit = _intersect(remaining, low, high)
            if not hit:
                continue
            text = _describe_entry(entry)
            if coverage == "some":
                uncertain.append(
                    f"{acl.id} {text} may apply ({peer.address_text} is partly inside)"
                )
                continue
            if not entry.allow:
                return Hop(
                    check,
                    "block",
                    f"{acl.id} {text} denies TCP {_ports_text(hit)} "
                    f"{'to' if egress else 'from'} {peer.label} ({peer.address_text})",
                    acl.id,
                    _where(acl.source),
                )
            allowed_by.append(text)
            remaining = _subtract(remaining, low, high)
        if remaining and not uncertain:
            return Hop(
                check,
                "block",
                f"{acl.id}: no entry allows TCP {_ports_text(remaining)} "
                f"{'to' if egress else 'from'} {peer.label}; the final * entry denies",
                acl.id,
                _where(acl.source),
            )
        if uncertain:
            return Hop(check, "unknown", "; ".join(uncertain), acl.id, _where(acl.source))
        return Hop(
            check,
            "allow",
            f"{acl.id} {'; '.join(allowed_by)} allows TCP {_ports_text([ports])}",
            acl.id,
            _where(acl.source),
        )

    # ---- the connection ------------------------------------------------------------------
    def tcp(self, client: Endpoint, server: Endpoint, port: int = NFS_PORT) -> Reachability:
        key = (client, server, port)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        hops: list[Hop] = []
        if client.vpc_id and server.vpc_id and client.vpc_id != server.vpc_id:
            hops.append(
                Hop(
                    ROUTE,
                    "unknown",
                    f"the node is in {client.vpc_id}, the mount target in {server.vpc_id}: "
                    "peering/Transit Gateway routes are not modelled",
                )
            )
        hops.append(
            self._groups_admit(NODE_SG_OUT, client.security_groups, "outbound", server, port)
        )
        same_subnet = client.subnet_id is not None and client.subnet_id == server.subnet_id
        if not same_subnet:
            hops.append(self._acl_admits(NODE_ACL_OUT, client.where, True, server, (port, port)))
            hops.append(self._acl_admits(MT_ACL_IN, server.where, False, client, (port, port)))
        hops.append(self._groups_admit(MT_SG_IN, server.security_groups, "inbound", client, port))
        if not same_subnet:
            hops.append(self._acl_admits(MT_ACL_OUT, server.where, True, client, EPHEMERAL_PORTS))
            hops.append(self._acl_admits(NODE_ACL_IN, client.where, False, server, EPHEMERAL_PORTS))
        else:
            hops.append(
                Hop("network ACLs", "allow", "node and mount target share a subnet: no ACL applies")
            )
        if any(h.verdict == "block" for h in hops):
            verdict: Reach = "blocked"
        elif any(h.verdict == "unknown" for h in hops):
            verdict = "unknown"
        else:
            verdict = "reachable"
        result = Reachability(verdict, tuple(hops))
        self._cache[key] = result
        return result


def _entry_ports(entry: NetworkAclEntry) -> tuple[int, int]:
    if entry.protocol == "-1" or entry.port_from is None or entry.port_to is None:
        return 0, 65535
    return entry.port_from, entry.port_to


def _describe_entry(entry: NetworkAclEntry) -> str:
    number = "*" if entry.rule_number >= 32767 else str(entry.rule_number)
    low, high = _entry_ports(entry)
    if entry.protocol == "-1":
        what = "all traffic"
    elif (low, high) == (0, 65535):
        what = "tcp, all ports"
    else:
        what = f"tcp {_ports_text([(low, high)])}"
    action = "allow" if entry.allow else "deny"
    peer = f"{'to' if entry.egress else 'from'} {entry.cidr or entry.ipv6_cidr}"
    return f"{'outbound' if entry.egress else 'inbound'} rule {number} ({action} {what} {peer})"


def _ports_text(ranges: Sequence[tuple[int, int]]) -> str:
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def _intersect(ranges: Sequence[tuple[int, int]], low: int, high: int) -> list[tuple[int, int]]:
    return [(max(a, low), min(b, high)) for a, b in ranges if max(a, low) <= min(b, high)]


def _subtract(ranges: Sequence[tuple[int, int]], low: int, high: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in ranges:
        if high < a or low > b:
            out.append((a, b))
            continue
        if a < low:
            out.append((a, low - 1))
        if b > high:
            out.append((high + 1, b))
    return out
