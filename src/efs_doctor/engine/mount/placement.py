"""Where a chain's pod can run: the nodes (or, without nodes, the zones) to simulate on.

- a pod with ``spec.nodeName`` runs on that node;
- otherwise the nodes matching its ``nodeSelector``, its required zone affinity, the PV's
  ``nodeAffinity`` zones and (for a volume still to be provisioned) the StorageClass's
  ``allowedTopologies``;
- without nodes in the inventory, every zone the inventory knows (subnets of the cluster VPC,
  else of the mount targets' VPC, and the mount targets' zones).

Nodes that would give the same answer (same zone, subnet, security groups, instance role
and metadata settings) are simulated once, as one placement. Fargate nodes are left out unless
a pod is pinned to one: the efs-csi-node DaemonSet does not run there (efs-semantics.md §3.1).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from efs_doctor.engine.mount.view import InventoryView, region_of_zone
from efs_doctor.model.aws import Instance, Role, Subnet
from efs_doctor.model.chain import MountChain
from efs_doctor.model.kubernetes import ZONE_LABELS, Node


@dataclass(frozen=True, slots=True)
class Placement:
    label: str
    basis: str  # why these nodes/zones
    zone: str | None
    zone_id: str | None
    region: str | None
    nodes: tuple[Node, ...]
    instance: Instance | None  # of the representative node
    instance_role: Role | None
    subnet: Subnet | None
    vpc_id: str | None
    addresses: tuple[str, ...]  # node IPs (all members) when known
    security_groups: tuple[str, ...] | None  # None: not known
    imds_disabled: bool
    pinned: bool
    fargate: bool = False

    @property
    def node(self) -> Node | None:
        return self.nodes[0] if len(self.nodes) == 1 else None

    @property
    def key(self) -> tuple[object, ...]:
        """What the AWS-side simulation depends on: equal keys, equal answers."""
        return (
            self.zone,
            self.zone_id,
            self.region,
            self.subnet.id if self.subnet else None,
            self.vpc_id,
            self.addresses,
            self.security_groups,
            self.instance_role.arn if self.instance_role else None,
            self.instance.id if self.instance and not self.instance_role else None,
            self.imds_disabled,
            self.fargate,
        )


def _wanted_zones(chain: MountChain) -> tuple[set[str] | None, str]:
    zones: set[str] | None = None
    reasons: list[str] = []

    def restrict(found: tuple[str, ...] | list[str], why: str) -> None:
        nonlocal zones
        if found:
            zones = set(found) if zones is None else zones & set(found)
            reasons.append(why)

    if chain.workload is not None:
        restrict(chain.workload.zones, "pod zone affinity")
        selected = [
            chain.workload.node_selector[k]
            for k in ZONE_LABELS
            if k in chain.workload.node_selector
        ]
        restrict(selected, "pod nodeSelector zone")
    if chain.volume is not None:
        restrict(chain.volume.zones, "PV nodeAffinity")
    elif chain.planned is not None:
        restrict(chain.planned.storage_class.allowed_zones, "StorageClass allowedTopologies")
    return zones, ", ".join(reasons)


def _matches_selector(node: Node, chain: MountChain) -> bool:
    if chain.workload is None:
        return True
    labels = node.meta.labels
    return all(labels.get(k) == v for k, v in chain.workload.node_selector.items())


def _node_facts(
    node: Node, view: InventoryView
) -> tuple[Instance | None, Subnet | None, str | None, tuple[str, ...] | None, Role | None]:
    instance = view.instance_of(node)
    subnet = view.subnet(instance.subnet_id) if instance else None
    if subnet is None:
        ip = node.internal_ip or (instance.private_ip if instance else None)
        subnet = view.subnet_of_ip(ip)
    vpc_id = (instance.vpc_id if instance else None) or (subnet.vpc_id if subnet else None)
    groups = instance.security_group_ids if instance and instance.security_group_ids else None
    return instance, subnet, vpc_id, groups, view.role_of_instance(instance)


def _placement_of_nodes(
    label: str, basis: str, nodes: list[Node], view: InventoryView, pinned: bool
) -> Placement:
    first = nodes[0]
    instance, subnet, vpc_id, groups, role = _node_facts(first, view)
    addresses = tuple(
        sorted(
            {
                ip
                for node in nodes
                if (ip := node.internal_ip or _instance_ip(view.instance_of(node)))
            }
        )
    )
    zone = first.zone or (instance.availability_zone if instance else None)
    if zone is None and subnet is not None:
        zone = subnet.availability_zone
    return Placement(
        label=label,
        basis=basis,
        zone=zone,
        zone_id=(subnet.availability_zone_id if subnet else None) or view.zone_id(zone),
        region=first.region or region_of_zone(zone),
        nodes=tuple(nodes),
        instance=instance,
        instance_role=role,
        subnet=subnet,
        vpc_id=vpc_id,
        addresses=addresses,
        security_groups=groups,
        imds_disabled=bool(instance and instance.http_endpoint == "disabled"),
        pinned=pinned,
        fargate=first.is_fargate,
    )


def placement_of_node(node: Node, view: InventoryView) -> Placement:
    """One node on its own (its own addresses and security groups), for per-node answers."""
    return _placement_of_nodes(node.name, "the node itself", [node], view, pinned=True)


def _instance_ip(instance: Instance | None) -> str | None:
    return instance.private_ip if instance is not None else None


def _zone_placement(
    zone: str | None, basis: str, view: InventoryView, vpc_id: str | None
) -> Placement:
    return Placement(
        label=zone or "unknown zone",
        basis=basis,
        zone=zone,
        zone_id=view.zone_id(zone),
        region=region_of_zone(zone),
        nodes=(),
        instance=None,
        instance_role=None,
        subnet=None,
        vpc_id=vpc_id,
        addresses=(),
        security_groups=None,
        imds_disabled=False,
        pinned=False,
    )


def placement_key(chain: MountChain) -> tuple[object, ...]:
    """Everything :func:`placements` reads from a chain: equal keys, equal placements."""
    workload = chain.workload
    return (
        workload.node_name if workload else None,
        tuple(sorted(workload.node_selector.items())) if workload else (),
        workload.zones if workload else (),
        chain.volume.zones if chain.volume else None,
        chain.planned.storage_class.allowed_zones if chain.planned else None,
        chain.file_system_id,
    )


def placements(chain: MountChain, view: InventoryView) -> list[Placement]:
    workload = chain.workload
    if workload is not None and workload.node_name:
        node = view.inventory.nodes.get(workload.node_name)
        if node is None:
            placement = _zone_placement(None, "pod spec.nodeName (node not loaded)", view, None)
            return [_relabel(placement, workload.node_name, pinned=True)]
        return [_placement_of_nodes(node.name, "pod spec.nodeName", [node], view, pinned=True)]
    zones, zone_reason = _wanted_zones(chain)
    candidates = [
        n
        for n in view.nodes
        if not n.is_fargate and _matches_selector(n, chain) and (zones is None or n.zone in zones)
    ]
    if candidates:
        return _group_nodes(candidates, view, zone_reason or "every node group the pod can use")
    if zones:
        basis = f"{zone_reason} (no matching nodes loaded)"
        vpc_id = view.cluster.vpc_id if view.cluster else None
        return [_zone_placement(z, basis, view, vpc_id) for z in sorted(zones)]
    return _every_zone(chain, view)


def _relabel(placement: Placement, label: str, pinned: bool) -> Placement:
    return Placement(
        label=label,
        basis=placement.basis,
        zone=placement.zone,
        zone_id=placement.zone_id,
        region=placement.region,
        nodes=placement.nodes,
        instance=placement.instance,
        instance_role=placement.instance_role,
        subnet=placement.subnet,
        vpc_id=placement.vpc_id,
        addresses=placement.addresses,
        security_groups=placement.security_groups,
        imds_disabled=placement.imds_disabled,
        pinned=pinned,
        fargate=placement.fargate,
    )


_GroupKey = tuple[
    str | None, str | None, str | None, tuple[str, ...] | None, str | None, bool, bool
]


def _group_nodes(nodes: list[Node], view: InventoryView, basis: str) -> list[Placement]:
    groups: dict[_GroupKey, list[Node]] = defaultdict(list)
    for node in nodes:
        instance, subnet, vpc_id, sgs, role = _node_facts(node, view)
        zone = node.zone or (instance.availability_zone if instance else None)
        key = (
            zone,
            subnet.id if subnet else None,
            vpc_id,
            sgs,
            role.arn if role else None,
            instance is None,
            bool(instance and instance.http_endpoint == "disabled"),
        )
        groups[key].append(node)
    per_zone: dict[str | None, int] = defaultdict(int)
    for key in groups:
        per_zone[key[0]] += 1
    out = []
    for key, members in groups.items():
        zone = key[0]
        label = str(zone) if zone else "unknown zone"
        if per_zone[zone] > 1:
            group = members[0].node_group or (str(key[1]) if key[1] else members[0].name)
            label = f"{label} ({group})"
        out.append(_placement_of_nodes(label, basis, members, view, pinned=False))
    return sorted(out, key=lambda p: p.label)


def _every_zone(chain: MountChain, view: InventoryView) -> list[Placement]:
    """No nodes: every zone of the cluster VPC (or the mount targets' VPC) plus the zones of
    the file system's mount targets."""
    cluster_vpc = view.cluster.vpc_id if view.cluster else None
    targets = view.mount_targets_of(chain.file_system_id or "")
    vpc_id = cluster_vpc or next((mt.vpc_id for mt in targets if mt.vpc_id), None)
    zones = set(view.zones_of_vpc(vpc_id)) if vpc_id else set()
    zones |= {mt.availability_zone_name for mt in targets if mt.availability_zone_name}
    if not zones:
        return [_zone_placement(None, "no nodes, subnets or mount targets loaded", view, vpc_id)]
    basis = "every zone (no nodes loaded)"
    return [_zone_placement(z, basis, view, vpc_id) for z in sorted(zones)]
