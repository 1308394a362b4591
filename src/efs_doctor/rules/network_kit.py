"""Helpers for network rules: which mount target a node's mount goes to, the two endpoints of
the TCP 2049 connection, and the network engine's verdict per node and mount target."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.connection import NETWORK_CAUSES
from efs_doctor.findings import Finding, Inconclusive, Location, Related
from efs_doctor.model.aws import MountTarget
from efs_doctor.model.chain import MountChain
from efs_doctor.model.kubernetes import Node
from efs_doctor.rules.base import RuleMeta, at
from efs_doctor.rules.kit import chain_subjects, mount_options_location
from efs_doctor.rules.policy_kit import volume_phrase

if TYPE_CHECKING:
    from efs_doctor.engine.network import Endpoint, Hop, Reachability


def chain_option(context: Context, chain: MountChain, name: str) -> str | None:
    """The value of efs-utils option ``name`` (``az``, ``mounttargetip``) in the request the
    node plugin builds, which carries the volume attributes of the same name (§3.3, §3.4)."""
    request = context.request(chain)
    return request.options.get(name) if request is not None else None


def pins_mount_target(context: Context, chain: MountChain) -> bool:
    """The mount does not rely on the regional DNS name: ``mounttargetip``, an IP map,
    ``crossaccount`` or an ``az=`` option picks the target (§2.7)."""
    return any(
        chain_option(context, chain, name) is not None
        for name in ("mounttargetip", "mounttargetipmap", "crossaccount", "az")
    )


def available(mount_target: MountTarget) -> bool:
    return (mount_target.lifecycle_state or "available") == "available"


def target_picker(context: Context, chain: MountChain) -> Callable[[Node], MountTarget | None]:
    """For any node, the mount target its mount of ``chain`` connects to: the one named by
    ``mounttargetip``, else the available one in the zone named by ``az=`` or the node's own
    zone (§6: the regional DNS name resolves to the mount target in the client's AZ). The
    chain's options are read once."""
    ip = chain_option(context, chain, "mounttargetip")
    if ip:
        pinned = next((mt for mt in chain.mount_targets if mt.ip_address == ip), None)
        return lambda _node: pinned
    by_zone: dict[str | None, MountTarget] = {}
    for mt in chain.mount_targets:
        if available(mt):
            by_zone.setdefault(mt.availability_zone_name, mt)
    zone = chain_option(context, chain, "az")
    return lambda node: by_zone.get(zone or node.zone)


@dataclass(frozen=True, slots=True)
class Connection:
    node: Node
    target: MountTarget
    result: Reachability


def node_endpoint(context: Context, node: Node) -> Endpoint:
    from efs_doctor.engine.network import Endpoint

    instance = context.inventory.instance_of_node(node)
    address = (instance.private_ip if instance else None) or node.internal_ip
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    if address:
        try:
            networks = (ipaddress.ip_network(address),)
        except ValueError:
            networks = ()
    return Endpoint(
        label=f"node {node.name}",
        networks=networks,
        security_groups=instance.security_group_ids if instance else None,
        subnet_id=instance.subnet_id if instance else None,
        vpc_id=instance.vpc_id if instance else None,
    )


def target_endpoint(context: Context, target: MountTarget) -> Endpoint:
    from efs_doctor.engine.network import Endpoint

    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    if target.ip_address:
        try:
            networks = (ipaddress.ip_network(target.ip_address),)
        except ValueError:
            networks = ()
    return Endpoint(
        label=f"mount target {target.id}",
        networks=networks,
        security_groups=context.inventory.security_groups_of_mount_target(target),
        subnet_id=target.subnet_id,
        vpc_id=target.vpc_id,
    )


def connections(context: Context, chain: MountChain) -> list[Connection]:
    """The TCP 2049 verdict for every candidate node of the chain and its mount target
    (computed once per chain and shared by the network rules)."""
    found = context.memo(f"connections:{id(chain)}", lambda: _connections(context, chain))
    assert isinstance(found, list)
    return found


def _connections(context: Context, chain: MountChain) -> list[Connection]:
    from efs_doctor.engine.network import Endpoint, NetworkIndex

    index = context.memo("network-index", lambda: NetworkIndex(context.inventory))
    assert isinstance(index, NetworkIndex)
    # Chains share nodes and mount targets: one verdict per (node, mount target) pair.
    verdicts = context.memo("tcp-verdicts", dict)
    assert isinstance(verdicts, dict)
    pick = target_picker(context, chain)
    out = []
    for node in context.candidate_nodes(chain):
        target = pick(node)
        if target is None:
            continue
        result = verdicts.get((node.name, target.id))
        if result is None:
            client = context.memo(
                f"endpoint:node:{node.name}", partial(node_endpoint, context, node)
            )
            server = context.memo(
                f"endpoint:mt:{target.id}", partial(target_endpoint, context, target)
            )
            assert isinstance(client, Endpoint)
            assert isinstance(server, Endpoint)
            result = verdicts[node.name, target.id] = index.tcp(client, server)
        out.append(Connection(node, target, result))
    return out


def hang_error(pv_name: str) -> str:
    """What kubelet reports when nothing answers on TCP 2049 (§3.9, §6)."""
    return (
        f'MountVolume.SetUp failed for volume "{pv_name}" : rpc error: code = DeadlineExceeded '
        "desc = context deadline exceeded"
    )


def _object_location(context: Context, object_id: str | None) -> Location | None:
    inv = context.inventory
    found: object | None = None
    if object_id:
        found = inv.security_groups.get(object_id) or inv.network_acls.get(object_id)
    if found is None:
        return None
    return at(found)


def blocked_findings(
    context: Context, meta: RuleMeta, checks: tuple[str, ...]
) -> Iterator[Finding | Inconclusive]:
    """One finding per (mount target, blocking hop) among ``checks``, naming the nodes;
    an inconclusive per mount target whose hop could not be decided."""
    for chain in context.chains_with_volume():
        if not chain.file_system_id:
            continue
        grouped: dict[tuple[str, str], list[tuple[Connection, Hop]]] = {}
        for connection in connections(context, chain):
            for hop in connection.result.hops:
                if hop.check not in checks:
                    continue
                if hop.verdict == "unknown":
                    yield meta.inconclusive(connection.target.id, f"{hop.check}: {hop.detail}")
                elif hop.verdict == "block":
                    key = (hop.check, hop.object_id or hop.detail)
                    grouped.setdefault(key, []).append((connection, hop))
        for (check, _), found in grouped.items():
            first, hop = found[0]
            nodes = sorted({c.node.name for c, _ in found})
            targets = sorted({c.target.id for c, _ in found})
            primary = _object_location(context, hop.object_id) or at(first.target)
            related = [
                Related(
                    at(c.target),
                    f"mount target {c.target.id} ({c.target.ip_address}) in "
                    f"{c.target.availability_zone_name}",
                )
                for c in {c.target.id: c for c, _ in found}.values()
            ]
            related.append(
                Related(mount_options_location(chain), f"{volume_phrase(chain)} mounts it")
            )
            related += [
                Related(at(c.node, "metadata", "name"), f"node {c.node.name}") for c, _ in found[:3]
            ]
            more = f" (and {len(found) - 1} more like it)" if len(found) > 1 else ""
            cause = NETWORK_CAUSES.get(check, meta.cause)  # the mount engine's id for this hop
            yield meta.finding(
                f"{check}: {hop.detail}{more}. TCP 2049 from {_some(nodes)} to mount target(s) "
                f"{_some(targets)} of {chain.file_system_id} is blocked, so mounts of "
                f"{volume_phrase(chain)} hang",
                primary,
                related=related,
                expected_error=context.simulated_error(chain, [cause or ""])
                or hang_error(chain.volume_name or "<pv>"),
                chain=chain.label,
                subjects=[*chain_subjects(chain), *targets],
                cause=cause,
            )


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" (+{len(names) - 3})" if len(names) > 3 else "")
