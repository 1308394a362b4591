"""Which mount target efs-utils connects to: DNS name, ``mounttargetip``, ``crossaccount``,
and the botocore fallback (efs-semantics.md §2.7, §6).

Order at efs-utils v3.2.0 (``mount_efs/dns_resolver.py``
``get_dns_name_and_fallback_mount_target_ip_address``): build the DNS name
(``{az}.{fs_id}.efs.{region}.{suffix}``, or ``{az_id}.{fs_id}...`` with ``crossaccount``);
``mounttargetip`` -> TCP probe of ``<ip>:2049``; else resolve the name (no probe); else the
botocore fallback: DescribeMountTargets -> available targets -> the instance's AZ ->
DescribeAvailabilityZones (DryRun first) -> target with that AZ id -> TCP probe.

The regional name resolves only to the mount target in the client's own AZ, only inside the
file system's VPC, and only with VPC DNS support and DNS hostnames enabled (EFS User Guide,
mounting-fs-mount-cmd-dns-name; troubleshooting-efs-mounting).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from efs_doctor.engine.mount.credentials import Credentials
from efs_doctor.engine.mount.dns import (
    Lookup,
    Permission,
    ProbeWith,
    Target,
    dns_name,
    dns_suffix,
    probe_timeout,
)
from efs_doctor.engine.mount.fallback import BotocoreFallback
from efs_doctor.engine.mount.placement import Placement
from efs_doctor.engine.mount.view import InventoryView
from efs_doctor.engine.network import Endpoint, parse_networks
from efs_doctor.model.aws import MountTarget

# EKS requires both VPC DNS attributes for nodes to register
# (https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html).
EKS_DNS_NOTE = "not provided; EKS requires DNS support and hostnames for nodes to register"


def mount_target_endpoint(mt: MountTarget, view: InventoryView) -> Endpoint:
    return Endpoint(
        label=f"mount target {mt.id}",
        networks=parse_networks([mt.ip_address] if mt.ip_address else []),
        security_groups=view.inventory.security_groups_of_mount_target(mt),
        subnet_id=mt.subnet_id,
        vpc_id=mt.vpc_id,
    )


def node_endpoint(placement: Placement, view: InventoryView) -> Endpoint:
    networks = parse_networks(placement.addresses)
    if not networks and placement.subnet is not None and placement.subnet.cidr:
        networks = parse_networks([placement.subnet.cidr])
    if not networks and placement.zone and placement.vpc_id:
        networks = parse_networks(
            s.cidr
            for s in view.subnets.values()
            if s.cidr and s.availability_zone == placement.zone and s.vpc_id == placement.vpc_id
        )
    label = placement.node.name if placement.node is not None else f"nodes in {placement.label}"
    return Endpoint(
        label=f"node {label}" if placement.node is not None else label,
        networks=networks,
        security_groups=placement.security_groups,
        subnet_id=placement.subnet.id if placement.subnet else None,
        vpc_id=placement.vpc_id,
    )


class TargetSelector:
    def __init__(
        self,
        view: InventoryView,
        permission: Permission,
        probe_with: ProbeWith,
    ) -> None:
        self.view = view
        self.probe_with = probe_with
        self.fallback = BotocoreFallback(view, permission, probe_with)

    def select(
        self,
        fs_id: str,
        options: Mapping[str, str | None],
        placement: Placement,
        region: str,
        fallback_credentials: Credentials,
    ) -> Target:
        az_option = options.get("az")
        if "crossaccount" in options:
            return self._crossaccount(fs_id, options, placement, region)
        name = dns_name(fs_id, region, az_option)
        if "mounttargetip" in options:
            return self._mount_target_ip(fs_id, options.get("mounttargetip") or "", placement, name)
        resolved = self.resolve_name(fs_id, az_option, placement, region)
        if resolved.status != "failed" or resolved.cause is None:
            return resolved
        if resolved.cause == "vpc-dns-disabled" and "enableDnsSupport" in (resolved.reason or ""):
            return replace(
                resolved,
                reason=f"{resolved.reason}: the Amazon DNS server does not answer in this VPC, so "
                "neither the file system name nor the API endpoints of the botocore fallback "
                "resolve; the fallback's exact message (an endpoint connection error) is not "
                "modelled",
            )
        zone = az_option or placement.zone
        assert zone is not None
        lookup = Lookup(
            fs_id,
            self.view.mount_targets_of(fs_id),
            zone,
            placement,
            name,
            resolved.cause,
            resolved.reason or "",
            list(resolved.evidence),
            bool(az_option),
        )
        return self.fallback.run(lookup, fallback_credentials)

    def resolve_name(self, fs_id: str, az: str | None, placement: Placement, region: str) -> Target:
        """The DNS name alone, as any NFS client resolves it (the kernel client of an in-tree
        nfs volume has no fallback): ``failed`` with the cause when it does not resolve."""
        name = dns_name(fs_id, region, az)
        evidence: list[str] = [f"DNS name {name}"]
        if not self.view.has_mount_targets:
            return Target(
                "indeterminate",
                name,
                None,
                None,
                "none",
                (*evidence, "mount targets not provided (aws efs describe-mount-targets)"),
                reason="mount targets not provided: whether the DNS name resolves is not known",
            )
        targets = self.view.mount_targets_of(fs_id)
        zone = az or placement.zone
        if zone is None:
            return Target(
                "indeterminate",
                name,
                None,
                None,
                "none",
                (*evidence, "the node's availability zone is not known"),
                reason="the node's availability zone is not known: which mount target the name "
                "resolves to cannot be told",
            )
        unplaced = [t.id for t in targets if t.availability_zone_name is None]
        if unplaced and not any(t.availability_zone_name == zone for t in targets):
            # Before apply a mount target's zone may be unknown: it may be the node's.
            return Target(
                "indeterminate",
                name,
                None,
                None,
                "none",
                (*evidence, f"zone of {', '.join(unplaced)} not known"),
                reason=f"the availability zone of mount target(s) {', '.join(unplaced)} is not "
                f"known (known only after apply): whether one is in {zone} cannot be told",
            )
        failure, cause = self._dns_failure(fs_id, targets, zone, placement, evidence)
        if failure is None:
            mt = next(t for t in targets if t.availability_zone_name == zone)
            evidence.append(
                f"resolves to {mt.id} {mt.ip_address} in {zone} (VPC {mt.vpc_id}); no TCP probe "
                "on the DNS path"  # efs-semantics.md §2.7
            )
            return Target("ok", name, mt, mt.ip_address, "dns", tuple(evidence))
        return Target(
            "failed",
            name,
            None,
            None,
            "none",
            (*evidence, f"does not resolve: {failure}"),
            cause=cause,
            reason=failure,
        )

    # ---- DNS -----------------------------------------------------------------------------
    def _dns_failure(
        self,
        fs_id: str,
        targets: list[MountTarget],
        zone: str,
        placement: Placement,
        evidence: list[str],
    ) -> tuple[str | None, str]:
        in_zone = [t for t in targets if t.availability_zone_name == zone]
        available = [t for t in in_zone if t.lifecycle_state in (None, "available")]
        vpc_ids = {t.vpc_id for t in targets if t.vpc_id}
        if placement.vpc_id and vpc_ids and placement.vpc_id not in vpc_ids:
            return (
                f"the node is in {placement.vpc_id} and the mount targets in "
                f"{', '.join(sorted(vpc_ids))}: EFS names resolve only inside their VPC",  # §6
                "dns-resolution-outside-vpc",
            )
        vpc_id = next(iter(vpc_ids), None) or placement.vpc_id
        if vpc_id:
            for attribute in ("enableDnsSupport", "enableDnsHostnames"):
                value = self.view.inventory.vpc_dns_value(vpc_id, attribute)
                if value is False:
                    return f"{vpc_id} has {attribute}=false", "vpc-dns-disabled"  # §6
                evidence.append(f"{vpc_id} {attribute}: {'true' if value else EKS_DNS_NOTE}")
        if not targets and self.view.file_system_absent(fs_id):
            return (
                f"{fs_id} is not among the described file systems (a wrong id, or a file "
                "system in another region or account): its name does not exist",
                "file-system-not-found",
            )
        if not in_zone:
            zones = sorted({t.availability_zone_name or "?" for t in targets})
            return (
                f"no mount target in {zone} (mount targets are in {zones or 'no zone'})",
                "no-mount-target-in-az",
            )
        if not available:
            return (
                f"mount target {in_zone[0].id} in {zone} is {in_zone[0].lifecycle_state}",
                "no-mount-target-in-az",
            )
        return None, ""

    # ---- mounttargetip -------------------------------------------------------------------
    def _mount_target_ip(self, fs_id: str, ip: str, placement: Placement, name: str) -> Target:
        evidence = [f"mounttargetip={ip}: efs-utils probes {ip}:2049 (2 s timeout, 3 tries)"]
        mt = next(
            (t for t in self.view.inventory.mount_targets.values() if t.ip_address == ip), None
        )
        if mt is None:
            known = self.view.mount_targets_of(fs_id)
            why = (
                f"{ip} is not the address of any mount target of {fs_id} "
                f"({', '.join(t.ip_address or '?' for t in known)})"
                if known
                else "mount targets not provided"
            )
            return Target(
                "indeterminate",
                name,
                None,
                ip,
                "mounttargetip",
                (*evidence, why),
                reason=f"what answers at {ip} is not known: {why}",
            )
        if mt.file_system_id != fs_id:
            evidence.append(f"{ip} is {mt.id} of another file system, {mt.file_system_id}")
            return Target(
                "indeterminate",
                name,
                mt,
                ip,
                "mounttargetip",
                tuple(evidence),
                reason=f"{ip} belongs to {mt.file_system_id}, not {fs_id}: what EFS answers is "
                "not documented",
            )
        reach = self.probe_with(placement, mt)
        evidence.append(f"{mt.id} in {mt.availability_zone_name}")
        if reach.verdict == "blocked":
            return Target(
                "failed",
                name,
                mt,
                ip,
                "mounttargetip",
                tuple(evidence),
                probe=reach,
                error=(
                    f"Cannot connect to file system mount target ip address {ip}. \n"
                    + probe_timeout(ip)
                ),
                layer="network",
            )
        return Target("ok", name, mt, ip, "mounttargetip", tuple(evidence), probe=reach)

    # ---- crossaccount --------------------------------------------------------------------
    def _crossaccount(
        self, fs_id: str, options: Mapping[str, str | None], placement: Placement, region: str
    ) -> Target:
        zone_id = placement.zone_id or "<az-id>"
        name = f"{zone_id}.{fs_id}.efs.{region}.{dns_suffix(region)}"
        evidence = [f"crossaccount: DNS name built from the node's AZ ID: {name}"]
        if "mounttargetip" in options:
            return Target(
                "failed",
                name,
                None,
                None,
                "crossaccount",
                tuple(evidence),
                error="mounttargetip option is incompatible with crossaccount option.",
                cause="invalid-mount-option",
                layer="efs-utils",
            )
        evidence.append(
            "the name resolves only through Route 53 records the user creates (efs-utils README "
            "crossaccount prerequisites); no botocore fallback with crossaccount"
        )
        return Target(
            "indeterminate",
            name,
            None,
            None,
            "crossaccount",
            tuple(evidence),
            cause="dns-resolution-outside-vpc",
            reason=f"whether {name} resolves depends on Route 53 records, which are not among "
            "the inputs; without them efs-utils fails with 'Fallback to mount target ip address "
            "feature is not available when the crossaccount option is used.'",
        )
