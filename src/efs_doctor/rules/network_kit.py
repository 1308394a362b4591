"""Helpers for network rules: the mount target each node's mount goes to and the TCP 2049
verdict per node, both the mount simulator's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.connection import NETWORK_CAUSES
from efs_doctor.engine.mount.placement import Placement
from efs_doctor.findings import Confidence, Finding, Inconclusive, Location, Related
from efs_doctor.model.aws import MountTarget
from efs_doctor.model.chain import MountChain
from efs_doctor.model.kubernetes import Node
from efs_doctor.rules.base import RuleMeta, at
from efs_doctor.rules.kit import chain_subjects, mount_options_location
from efs_doctor.rules.network_fix import blocked_path_fix
from efs_doctor.rules.policy_kit import volume_phrase

if TYPE_CHECKING:
    from efs_doctor.engine.network import Hop, Reachability


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


@dataclass(frozen=True, slots=True)
class Connection:
    node: Node
    target: MountTarget
    result: Reachability
    placement: Placement  # the node on its own: its subnet, addresses and security groups


def connections(context: Context, chain: MountChain) -> list[Connection]:
    """The TCP 2049 verdict for every candidate node of the chain and its mount target
    (computed once per chain and shared by the network rules)."""
    found = context.memo(f"connections:{id(chain)}", lambda: _connections(context, chain))
    assert isinstance(found, list)
    return found


def _connections(context: Context, chain: MountChain) -> list[Connection]:
    # The mount target each node connects to is the one the simulation selected for its
    # placement (engine/mount/target.py: mounttargetip, az=, the node's zone, the API
    # fallback); the verdict is the simulator's probe of that one node.
    from efs_doctor.engine.mount.placement import placement_of_node

    simulator = context.simulator
    targets = context.inventory.mount_targets
    out = []
    for side in context.sides(chain):
        target = targets.get(side.aws.mount_target or "") if side.aws is not None else None
        if target is None:
            continue
        for node in (n for placement in side.placements for n in placement.nodes):
            alone = context.memo(
                f"placement:{node.name}", partial(placement_of_node, node, simulator.view)
            )
            assert isinstance(alone, Placement)
            out.append(Connection(node, target, simulator.probe(alone, target), alone))
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
            fix = blocked_path_fix(
                context,
                check,
                hop,
                [(c.placement, c.target) for c, _ in found],
                context.region(chain),
            )
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
                fix=fix,
            )


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" (+{len(names) - 3})" if len(names) > 3 else "")


def nodeless_findings(
    context: Context, meta: RuleMeta, check: str
) -> Iterator[Finding | Inconclusive]:
    """For chains with no node to pair with a mount target (a plan or template before any
    node exists): the network engine's node-independent answer per mount target. A finding
    when no inbound rule of its groups admits TCP 2049 from any source (no node can connect,
    wherever it runs; medium confidence unless the mount simulation fails the same way), an
    inconclusive when rules admit some sources and which the nodes have cannot be told."""
    found: set[str] = set()
    for cluster in context.inventory.clusters.values():
        if cluster.cluster_security_group_id:
            found.add(cluster.cluster_security_group_id)
    cluster_groups = tuple(sorted(found))
    view = context.simulator.view
    for chain in context.chains_with_volume():
        fs_id = chain.file_system_id
        if not fs_id or connections(context, chain) or context.candidate_nodes(chain):
            continue
        blocked: list[tuple[MountTarget, Hop]] = []
        for target in view.mount_targets_of(fs_id):
            if not available(target):
                continue
            groups = context.inventory.security_groups_of_mount_target(target)
            hop = view.network.inbound_from_any_node(
                groups, cluster_groups, tuple(context.inventory.node_groups.values())
            )
            if hop.verdict == "block":
                blocked.append((target, hop))
            elif hop.verdict == "unknown":
                yield meta.inconclusive(
                    target.id,
                    f"{check}: no node is known to pair with {target.id}: {hop.detail}",
                )
        if not blocked:
            continue
        target, hop = blocked[0]
        names = sorted(t.id for t, _ in blocked)
        yield meta.finding(
            f"{check}: {hop.detail}. No node can open TCP 2049 to mount target(s) "
            f"{_some(names)} of {fs_id} wherever it runs, so mounts of {volume_phrase(chain)} "
            "hang",
            _object_location(context, hop.object_id) or at(target),
            related=[
                Related(at(t), f"mount target {t.id} uses {h.object_id or 'these groups'}")
                for t, h in blocked[:3]
            ]
            + [Related(mount_options_location(chain), f"{volume_phrase(chain)} mounts it")],
            # as sure as the mount engine: high when its simulation fails the same way
            confidence=None
            if context.failed_with(chain, [meta.cause or ""])
            else Confidence.MEDIUM,
            expected_error=context.simulated_error(chain, [meta.cause or ""])
            or hang_error(chain.volume_name or "<pv>"),
            chain=chain.label,
            subjects=[*chain_subjects(chain), *names],
        )
