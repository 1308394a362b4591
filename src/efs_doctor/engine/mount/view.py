"""Indexes over an :class:`Inventory` that every chain's simulation asks, built once.

Everything here is a lookup; the AWS behaviour lives in the step modules.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from efs_doctor.engine.iam.permissions import RolePolicies, parse_role_policies
from efs_doctor.engine.network import NetworkIndex
from efs_doctor.model.aws import (
    EksCluster,
    FileSystem,
    Instance,
    MountTarget,
    Role,
    Subnet,
)
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.kubernetes import Node

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Section names recorded in Inventory.aws_sections by the loaders (sources/aws_snapshot.py):
# they tell "none exist" from "not provided".
SECURITY_GROUPS = "security-groups"
NETWORK_ACLS = "network-acls"
MOUNT_TARGETS = "mount-targets"
FILE_SYSTEMS = "file-systems"
ACCESS_POINTS = "access-points"
IAM = "iam"
POD_IDENTITY = "pod-identity-associations"


def network_of(cidr: str | None) -> IpNetwork | None:
    if not cidr:
        return None
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def region_of_zone(zone: str | None) -> str | None:
    """``us-east-1a`` -> ``us-east-1`` (AZ names are the region plus a letter; Local Zone
    names such as ``us-east-1-bos-1a`` keep the region as their first three parts)."""
    if not zone:
        return None
    parts = zone.split("-")
    if len(parts) >= 3 and parts[2][:1].isdigit():
        return "-".join([*parts[:2], "".join(ch for ch in parts[2] if ch.isdigit())])
    return None


@dataclass(frozen=True, slots=True)
class IdentityPolicies:
    """A role's identity-based policies. ``complete`` is false when one of them (or the role
    itself) is not among the inputs: their verdict is then unknown, never assumed."""

    documents: tuple[tuple[str, Mapping[str, Any]], ...]
    complete: bool
    missing: tuple[str, ...] = ()
    # The permissions boundary: (ARN, document) when loaded, its ARN when not.
    boundary: tuple[str, Mapping[str, Any]] | None = None
    boundary_missing: str | None = None

    @property
    def attached_missing(self) -> tuple[str, ...]:
        """The identity policies not among the inputs, without the permissions boundary."""
        return tuple(m for m in self.missing if m != _boundary_label(self.boundary_missing))


def _boundary_label(arn: str | None) -> str:
    return f"permissions boundary {arn}"


class InventoryView:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.subnets = inventory.subnets
        self.security_groups = inventory.security_groups
        self._mount_targets: dict[str, list[MountTarget]] = defaultdict(list)
        for mt in inventory.mount_targets.values():
            self._mount_targets[mt.file_system_id].append(_zoned(mt, inventory.subnets))
        self.network = NetworkIndex(inventory)
        self._identity_cache: dict[str, IdentityPolicies] = {}
        self._parsed_cache: dict[str, RolePolicies] = {}

    # ---- what was provided ---------------------------------------------------------------
    def has(self, section: str) -> bool:
        return self.inventory.has(section)

    @property
    def has_mount_targets(self) -> bool:
        return self.has(MOUNT_TARGETS) or bool(self.inventory.mount_targets)

    @property
    def has_access_points(self) -> bool:
        return self.has(ACCESS_POINTS) or bool(self.inventory.access_points)

    @property
    def has_pod_identity(self) -> bool:
        return self.has(POD_IDENTITY) or bool(self.inventory.pod_identity_associations)

    # ---- Kubernetes ----------------------------------------------------------------------
    @cached_property
    def nodes(self) -> tuple[Node, ...]:
        return tuple(self.inventory.nodes.values())

    def instance_of(self, node: Node) -> Instance | None:
        return self.inventory.instance_of_node(node)

    @cached_property
    def cluster(self) -> EksCluster | None:
        clusters = list(self.inventory.clusters.values())
        return clusters[0] if len(clusters) == 1 else None

    @cached_property
    def daemonset_driver_version(self) -> str | None:
        for deployment in self.inventory.driver_deployments:
            if deployment.kind == "DaemonSet" and deployment.driver_version:
                return deployment.driver_version
        for deployment in self.inventory.driver_deployments:
            if deployment.driver_version:
                return deployment.driver_version
        return None

    # ---- EFS -----------------------------------------------------------------------------
    def file_system(self, file_system_id: str | None) -> FileSystem | None:
        return self.inventory.file_systems.get(file_system_id or "")

    def file_system_absent(self, file_system_id: str) -> bool:
        """The file systems were described and this one is not among them (a wrong id, or
        one in another region or account)."""
        return self.has(FILE_SYSTEMS) and file_system_id not in self.inventory.file_systems

    def mount_targets_of(self, file_system_id: str) -> list[MountTarget]:
        return self._mount_targets.get(file_system_id, [])

    # ---- EC2 -----------------------------------------------------------------------------
    def subnet(self, subnet_id: str | None) -> Subnet | None:
        return self.subnets.get(subnet_id or "")

    def subnet_of_ip(self, ip: str | None, vpc_id: str | None = None) -> Subnet | None:
        if not ip:
            return None
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        for subnet in self.subnets.values():
            network = network_of(subnet.cidr)
            if (
                network is not None
                and address in network
                and (vpc_id is None or subnet.vpc_id in (None, vpc_id))
            ):
                return subnet
        return None

    def zones_of_vpc(self, vpc_id: str | None) -> list[str]:
        return sorted(
            {
                s.availability_zone
                for s in self.subnets.values()
                if s.availability_zone and (vpc_id is None or s.vpc_id == vpc_id)
            }
        )

    def zone_id(self, zone: str | None) -> str | None:
        if not zone:
            return None
        for subnet in self.subnets.values():
            if subnet.availability_zone == zone and subnet.availability_zone_id:
                return subnet.availability_zone_id
        for mt in self.inventory.mount_targets.values():
            if mt.availability_zone_name == zone and mt.availability_zone_id:
                return mt.availability_zone_id
        return None

    # ---- IAM -----------------------------------------------------------------------------
    def role(self, arn_or_name: str | None) -> Role | None:
        if not arn_or_name:
            return None
        return self.inventory.role_by_name_or_arn(arn_or_name)

    def role_of_instance(self, instance: Instance | None) -> Role | None:
        if instance is None or not instance.instance_profile_arn:
            return None
        return self.inventory.role_of_instance_profile(instance.instance_profile_arn)

    def identity_policies(self, role_arn: str) -> IdentityPolicies:
        """Inline and attached managed policies of a role (a permissions boundary would only
        restrict further; it is listed as missing when its document is absent). AWS managed
        policies not among the inputs are read from the vendored copies when verified
        (``data/aws_managed_policies``)."""
        from efs_doctor.sources.iac.managed_policies import aws_managed_policy

        cached = self._identity_cache.get(role_arn)
        if cached is not None:
            return cached
        role = self.role(role_arn)
        if role is None:
            result = IdentityPolicies((), False, (f"role {role_arn}",))
        else:
            documents: list[tuple[str, Mapping[str, Any]]] = [
                (f"{role.name} inline policy {name}", document)
                for name, document in role.inline_policies.items()
            ]
            missing: list[str] = []
            for arn in role.attached_policy_arns:
                managed = self.inventory.managed_policies.get(arn) or aws_managed_policy(arn)
                if managed is None or managed.document is None:
                    missing.append(f"managed policy {arn}")
                else:
                    documents.append((f"{role.name} managed policy {arn}", managed.document))
            boundary: tuple[str, Mapping[str, Any]] | None = None
            boundary_missing = None
            if role.permissions_boundary_arn:
                arn = role.permissions_boundary_arn
                found = self.inventory.managed_policies.get(arn) or aws_managed_policy(arn)
                if found is None or found.document is None:
                    missing.append(_boundary_label(arn))
                    boundary_missing = arn
                else:
                    boundary = (arn, found.document)
            result = IdentityPolicies(
                tuple(documents), not missing, tuple(missing), boundary, boundary_missing
            )
        self._identity_cache[role_arn] = result
        return result

    def role_policies(self, role_arn: str) -> RolePolicies:
        """:meth:`identity_policies`, parsed for the IAM engine (cached per role)."""
        cached = self._parsed_cache.get(role_arn)
        if cached is None:
            found = self.identity_policies(role_arn)
            boundary: tuple[str, object | None] | None = found.boundary
            if found.boundary_missing is not None:
                boundary = (found.boundary_missing, None)
            cached = parse_role_policies(
                found.documents, missing=found.attached_missing, boundary=boundary
            )
            self._parsed_cache[role_arn] = cached
        return cached

    def pod_identity_role(self, namespace: str, service_account: str) -> str | None:
        return self.inventory.pod_identity_role(namespace, service_account)

    # ---- accounts and regions ------------------------------------------------------------
    def account_of_file_system(self, file_system_id: str) -> str | None:
        fs = self.file_system(file_system_id)
        if fs is not None and fs.owner_id:
            return fs.owner_id
        if fs is not None and fs.arn and fs.arn.count(":") >= 5:
            return fs.arn.split(":")[4] or None
        for mt in self.mount_targets_of(file_system_id):
            if mt.owner_id:
                return mt.owner_id
        if self.inventory.caller is not None:
            return self.inventory.caller.account
        return None

    def region_of_file_system(self, file_system_id: str | None) -> str | None:
        fs = self.file_system(file_system_id)
        if fs is not None and fs.region:
            return fs.region
        for mt in self.mount_targets_of(file_system_id or ""):
            region = region_of_zone(mt.availability_zone_name)
            if region:
                return region
        return None


def _zoned(mt: MountTarget, subnets: Mapping[str, Subnet]) -> MountTarget:
    """A mount target whose zone is known only after apply takes its subnet's zone when the
    subnet is known: a mount target lives in its subnet's Availability Zone (EFS User Guide,
    https://docs.aws.amazon.com/efs/latest/ug/manage-fs-access.html). Otherwise the zone stays
    unknown, which is not "in no zone"."""
    if mt.availability_zone_name is not None:
        return mt
    subnet = subnets.get(mt.subnet_id or "")
    if subnet is None or not subnet.availability_zone:
        return mt
    return replace(
        mt,
        availability_zone_name=subnet.availability_zone,
        availability_zone_id=mt.availability_zone_id or subnet.availability_zone_id,
    )
