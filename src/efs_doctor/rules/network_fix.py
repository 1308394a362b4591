"""The change that opens a blocked TCP 2049 path, for the findings of the network rules
(NET002, NET003, NET004). It is shown, never applied: it admits traffic, so it is
``FixSafety.UNSAFE`` and carries no edit for ``--fix``.

Which change, per blocking hop of the network engine (``engine/network.py``):

- the mount target's security group admits no 2049 from the nodes: an inbound rule from a
  security group every blocked node has (else the nodes' subnet CIDRs), ``aws ec2
  authorize-security-group-ingress --group-id <mt-sg> --protocol tcp --port 2049
  --source-group <node-sg>``. ``--protocol``/``--port``/``--source-group``/``--cidr`` are the
  AWS CLI's shorthand for one ``IpPermissions`` entry (aws/aws-cli
  ``awscli/customizations/ec2/secgroupsimplify.py``;
  https://docs.aws.amazon.com/cli/latest/reference/ec2/authorize-security-group-ingress.html);
- the nodes' security group allows no outbound 2049: an outbound rule to the mount targets'
  group (else their subnet CIDRs), ``aws ec2 authorize-security-group-egress --group-id
  <node-sg> --ip-permissions 'IpProtocol=tcp,FromPort=2049,ToPort=2049,UserIdGroupPairs=
  [{GroupId=<mt-sg>}]'`` (the CLI reference's own example 2:
  https://docs.aws.amazon.com/cli/latest/reference/ec2/authorize-security-group-egress.html);
- a network ACL: an allow entry for the peer subnet, ``aws ec2 create-network-acl-entry
  --network-acl-id <acl> --ingress|--egress --rule-number <n> --protocol tcp --port-range
  From=2049,To=2049 --cidr-block <cidr> --rule-action allow``
  (https://docs.aws.amazon.com/cli/latest/reference/ec2/create-network-acl-entry.html), on
  the ephemeral ports the engine checks for the return traffic. Entries are evaluated lowest
  number first and the first match decides, so the new entry takes the highest free number
  below the ACL's lowest deny entry in that direction; with no deny entry, the next multiple
  of 10 after the last entry, as AWS recommends leaving room between numbers (same page).

For a security group read from Terraform or CloudFormation the same rule is given in the
IaC's terms (``sources/iac/fixes.py``), since a CLI change would be undone by the next apply.
Network ACLs are not read from IaC, so their fix is always the CLI's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Fix, FixSafety
from efs_doctor.model.aws import MountTarget, NetworkAcl

if TYPE_CHECKING:
    from efs_doctor.engine.mount.placement import Placement
    from efs_doctor.engine.network import Hop

Blocked = Sequence[tuple["Placement", MountTarget]]  # (the node on its own, its mount target)

Direction = Literal["ingress", "egress"]
LAST_RULE_NUMBER = 32766  # 32767 and up are reserved for the default entries (API reference)


def blocked_path_fix(
    context: Context, check: str, hop: Hop, blocked: Blocked, region: str | None
) -> Fix | None:
    """The rule (security group) or entry (network ACL) that lets ``blocked`` connect, for the
    hop that blocked them; None when the hop names no object to change or a peer is unknown."""
    from efs_doctor.engine import network as net

    if hop.object_id is None or not blocked:
        return None
    if check == net.MT_SG_IN:
        return _group_fix(context, hop.object_id, "ingress", _node_peers(blocked), region)
    if check == net.NODE_SG_OUT:
        return _group_fix(context, hop.object_id, "egress", _target_peers(context, blocked), region)
    acl = context.inventory.network_acls.get(hop.object_id)
    if acl is None:
        return None
    low, high = net.NFS_PORT, net.NFS_PORT
    if check in (net.MT_ACL_OUT, net.NODE_ACL_IN):
        low, high = net.EPHEMERAL_PORTS
    if check in (net.NODE_ACL_OUT, net.MT_ACL_OUT):
        direction: Direction = "egress"
    elif check in (net.MT_ACL_IN, net.NODE_ACL_IN):
        direction = "ingress"
    else:
        return None
    # The node-side ACL talks to the mount targets' subnets; the mount-target side to the nodes'.
    node_side = check in (net.NODE_ACL_OUT, net.NODE_ACL_IN)
    cidrs = _target_cidrs(context, blocked) if node_side else _node_cidrs(blocked)
    if not cidrs:
        return None
    return _acl_fix(acl, direction, (low, high), cidrs, region)


# ---- who the new rule admits ------------------------------------------------------------
def _node_peers(blocked: Blocked) -> tuple[str | None, list[str]]:
    """(a security group every blocked node has, or None; the nodes' CIDRs)."""
    return _shared([placement.security_groups for placement, _ in blocked]), _node_cidrs(blocked)


def _target_peers(context: Context, blocked: Blocked) -> tuple[str | None, list[str]]:
    """(a security group every blocked mount target has, or None; their CIDRs)."""
    groups = [context.inventory.security_groups_of_mount_target(target) for _, target in blocked]
    return _shared(groups), _target_cidrs(context, blocked)


def _shared(groups: Sequence[tuple[str, ...] | None]) -> str | None:
    """The first group (in the first member's order) that every member has."""
    if not groups or any(not g for g in groups):
        return None
    first, *others = [g for g in groups if g]
    return next((g for g in first if all(g in other for other in others)), None)


def _node_cidrs(blocked: Blocked) -> list[str]:
    """The nodes' subnet CIDRs (nodes come and go; their subnets stay), else their addresses."""
    found: list[str] = []
    for placement, _ in blocked:
        if placement.subnet is not None and placement.subnet.cidr:
            found.append(placement.subnet.cidr)
        else:
            found += [f"{address}/32" for address in placement.addresses if ":" not in address]
    return list(dict.fromkeys(found))


def _target_cidrs(context: Context, blocked: Blocked) -> list[str]:
    found: list[str] = []
    for _, target in blocked:
        subnet = context.inventory.subnets.get(target.subnet_id or "")
        if subnet is not None and subnet.cidr:
            found.append(subnet.cidr)
        elif target.ip_address:
            found.append(f"{target.ip_address}/32")
    return list(dict.fromkeys(found))


def _placeholder(group_id: str) -> bool:
    from efs_doctor.sources.iac.common import is_placeholder

    return is_placeholder(group_id)


# ---- security groups --------------------------------------------------------------------
def _group_fix(
    context: Context,
    group_id: str,
    direction: Direction,
    peers: tuple[str | None, list[str]],
    region: str | None,
) -> Fix | None:
    from efs_doctor.engine.network import NFS_PORT
    from efs_doctor.sources.iac.source_map import iac_source

    peer_group, cidrs = peers
    group = context.inventory.security_groups.get(group_id)
    in_iac = group is not None and iac_source(group) is not None
    if peer_group is not None and _placeholder(peer_group) and not in_iac:
        peer_group = None  # a stand-in id from IaC is no group the AWS CLI can name
    if peer_group is None and not cidrs:
        return None
    word = "into" if direction == "ingress" else "out of"
    peer_text = f"security group {_name(context, peer_group)}" if peer_group else ", ".join(cidrs)
    side = "from" if direction == "ingress" else "to"
    title = f"allow TCP {NFS_PORT} {word} {_name(context, group_id)} {side} {peer_text}"
    if group is not None and in_iac:
        # Read from Terraform/CloudFormation: say it in the IaC's terms, change nothing.
        from efs_doctor.sources.iac import fixes as iac

        found = iac.security_group_rule_fix(
            context.inventory,
            group,
            direction=direction,
            port=NFS_PORT,
            peer_group=peer_group,
            cidrs=cidrs,
        )
        if found is None:
            return None
        return Fix(f"{title} ({found.title})", FixSafety.UNSAFE, (), found.patch or found.snippet)
    if _placeholder(group_id):
        return None
    targets = [peer_group] if peer_group else cidrs
    commands = [_group_command(group_id, direction, NFS_PORT, t, region) for t in targets]
    return Fix(
        f"{title}: an AWS CLI change, shown and never applied (it opens the NFS port; "
        "review the peer before running it)",
        FixSafety.UNSAFE,
        (),
        "\n".join(commands) + "\n",
    )


def _name(context: Context, group_id: str) -> str:
    """A group's id, or its IaC address when it was read from IaC (its id is a stand-in)."""
    from efs_doctor.sources.iac.source_map import iac_source

    group = context.inventory.security_groups.get(group_id)
    source = iac_source(group) if group is not None else None
    return source.address if source is not None and source.address else group_id


def _group_command(
    group_id: str, direction: Direction, port: int, peer: str, region: str | None
) -> str:
    is_group = peer.startswith("sg-")
    if direction == "ingress":
        source = f"--source-group {peer}" if is_group else f"--cidr {peer}"
        command = (
            f"aws ec2 authorize-security-group-ingress --group-id {group_id} "
            f"--protocol tcp --port {port} {source}"
        )
    else:
        target = (
            f"UserIdGroupPairs=[{{GroupId={peer}}}]"
            if is_group
            else (f"IpRanges=[{{CidrIp={peer}}}]")
        )
        command = (
            f"aws ec2 authorize-security-group-egress --group-id {group_id} "
            f"--ip-permissions 'IpProtocol=tcp,FromPort={port},ToPort={port},{target}'"
        )
    return command + (f" --region {region}" if region else "")


# ---- network ACLs -----------------------------------------------------------------------
def _acl_fix(
    acl: NetworkAcl,
    direction: Direction,
    ports: tuple[int, int],
    cidrs: list[str],
    region: str | None,
) -> Fix:
    egress = direction == "egress"
    entries = [e for e in acl.entries if e.egress == egress]
    used = {e.rule_number for e in entries}
    denies = [e.rule_number for e in entries if not e.allow and e.rule_number <= LAST_RULE_NUMBER]
    first_deny = min(denies) if denies else None
    low, high = ports
    port_text = str(low) if low == high else f"{low}-{high}"
    commands: list[str] = []
    numbers: list[int] = []
    for cidr in cidrs:
        number = _free_rule_number(used, first_deny)
        if number is None:
            break
        used.add(number)
        numbers.append(number)
        commands.append(
            f"aws ec2 create-network-acl-entry --network-acl-id {acl.id} --{direction} "
            f"--rule-number {number} --protocol tcp --port-range From={low},To={high} "
            f"--cidr-block {cidr} --rule-action allow" + (f" --region {region}" if region else "")
        )
    way = "outbound" if egress else "inbound"
    peers = "to" if egress else "from"
    where = (
        f", numbered before deny rule {first_deny} so it is evaluated first"
        if first_deny is not None
        else ""
    )
    title = (
        f"add {way} allow entr{'y' if len(cidrs) == 1 else 'ies'} for TCP {port_text} {peers} "
        f"{', '.join(cidrs)} to {acl.id}{where}: an AWS CLI change, shown and never applied"
    )
    if len(commands) < len(cidrs):
        title += (
            f"; no free rule number below {first_deny} for every entry: renumber the "
            f"{way} entries first"
        )
    return Fix(title, FixSafety.UNSAFE, (), "\n".join(commands) + "\n" if commands else None)


def _free_rule_number(used: set[int], first_deny: int | None) -> int | None:
    """The highest free number below the first deny entry; with no deny entry, the next
    multiple of 10 after the highest number in use (100 for an empty list)."""
    if first_deny is not None:
        return next((n for n in range(first_deny - 1, 0, -1) if n not in used), None)
    in_use = [n for n in used if n <= LAST_RULE_NUMBER]
    number = (max(in_use) // 10 + 1) * 10 if in_use else 100
    while number in used and number <= LAST_RULE_NUMBER:
        number += 10
    return number if number <= LAST_RULE_NUMBER else None
