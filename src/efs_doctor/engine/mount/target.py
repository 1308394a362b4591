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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from efs_doctor.engine.mount.credentials import Credentials, Principal
from efs_doctor.engine.mount.model import Layer, StepStatus
from efs_doctor.engine.mount.placement import Placement
from efs_doctor.engine.mount.view import InventoryView
from efs_doctor.engine.network import Endpoint, Reachability, parse_networks
from efs_doctor.model.aws import MountTarget

DNS_HELP = "https://docs.aws.amazon.com/console/efs/mount-dns-name"
SUFFIXES = {"cn-north-1": "amazonaws.com.cn", "cn-northwest-1": "amazonaws.com.cn"}
# EKS requires both VPC DNS attributes for nodes to register
# (https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html).
EKS_DNS_NOTE = "not provided; EKS requires DNS support and hostnames for nodes to register"

Permission = Callable[
    [Principal, str, str], str
]  # (principal, action, fs id) -> allow|deny|unknown
Probe = Callable[[MountTarget], Reachability]


@dataclass(frozen=True, slots=True)
class Target:
    status: StepStatus
    dns_name: str
    mount_target: MountTarget | None
    ip: str | None
    via: str  # "dns" | "mounttargetip" | "fallback" | "crossaccount" | "none"
    evidence: tuple[str, ...]
    probe: Reachability | None = None  # when efs-utils probed TCP 2049 itself
    error: str | None = None  # efs-utils' message (exit 1)
    cause: str | None = None
    reason: str | None = None
    layer: Layer = "dns"
    notes: tuple[str, ...] = field(default=())


def dns_suffix(region: str) -> str:
    """dist/efs-utils.conf: ``amazonaws.com``, with per-region overrides (China, ISO)."""
    if region.startswith("cn-"):
        return "amazonaws.com.cn"
    return SUFFIXES.get(region, "amazonaws.com")


def dns_name(fs_id: str, region: str, az: str | None) -> str:
    prefix = f"{az}." if az else ""
    return f"{prefix}{fs_id}.efs.{region}.{dns_suffix(region)}"


def resolve_failure(name: str, fallback: str) -> str:
    return (
        f'Failed to resolve "{name}" - check that your file system ID is correct, and ensure '
        "that the VPC has an EFS mount target for this file system ID.\n"
        f"See {DNS_HELP} for more detail.\n"
        f"Attempting to lookup mount target ip address using botocore. {fallback}"
    )


def probe_timeout(ip: str) -> str:
    return (
        f"Connection to the mount target IP address {ip} timeout. Please retry in 5 minutes if "
        "the mount target is newly created. Otherwise check your VPC and security group "
        "configuration to ensure your file system is reachable via TCP port 2049 from your "
        "instance."
    )


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


@dataclass(frozen=True, slots=True)
class _Lookup:
    """A failed DNS resolution, handed to the botocore fallback."""

    fs_id: str
    targets: list[MountTarget]
    zone: str
    placement: Placement
    name: str
    dns_cause: str
    dns_failure: str
    evidence: list[str]
    az_from_option: bool


class TargetSelector:
    def __init__(
        self,
        view: InventoryView,
        permission: Permission,
        probe_with: Callable[[Placement, MountTarget], Reachability],
    ) -> None:
        self.view = view
        self.permission = permission
        self.probe_with = probe_with

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
        zone = az_option or placement.zone
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
        failure, cause = self._dns_failure(targets, zone, placement, evidence)
        if cause == "vpc-dns-disabled" and "enableDnsSupport" in (failure or ""):
            return Target(
                "failed",
                name,
                None,
                None,
                "none",
                (*evidence, f"does not resolve: {failure}"),
                cause=cause,
                reason=f"{failure}: the Amazon DNS server does not answer in this VPC, so neither "
                "the file system name nor the API endpoints of the botocore fallback resolve; "
                "the fallback's exact message (an endpoint connection error) is not modelled",
            )
        if failure is None:
            mt = next(t for t in targets if t.availability_zone_name == zone)
            evidence.append(
                f"resolves to {mt.id} {mt.ip_address} in {zone} (VPC {mt.vpc_id}); no TCP probe "
                "on the DNS path (§2.7)"
            )
            return Target("ok", name, mt, mt.ip_address, "dns", tuple(evidence))
        evidence.append(f"does not resolve: {failure}")
        lookup = _Lookup(
            fs_id, targets, zone, placement, name, cause, failure, evidence, bool(az_option)
        )
        return self._fallback(lookup, fallback_credentials)

    # ---- DNS -----------------------------------------------------------------------------
    def _dns_failure(
        self, targets: list[MountTarget], zone: str, placement: Placement, evidence: list[str]
    ) -> tuple[str | None, str]:
        in_zone = [t for t in targets if t.availability_zone_name == zone]
        available = [t for t in in_zone if t.lifecycle_state in (None, "available")]
        vpc_ids = {t.vpc_id for t in targets if t.vpc_id}
        if placement.vpc_id and vpc_ids and placement.vpc_id not in vpc_ids:
            return (
                f"the node is in {placement.vpc_id} and the mount targets in "
                f"{', '.join(sorted(vpc_ids))}: EFS names resolve only inside their VPC (§6)",
                "dns-resolution-outside-vpc",
            )
        vpc_id = next(iter(vpc_ids), None) or placement.vpc_id
        if vpc_id:
            for attribute in ("enableDnsSupport", "enableDnsHostnames"):
                value = self.view.inventory.vpc_dns_value(vpc_id, attribute)
                if value is False:
                    return f"{vpc_id} has {attribute}=false (§6)", "vpc-dns-disabled"
                evidence.append(f"{vpc_id} {attribute}: {'true' if value else EKS_DNS_NOTE}")
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

    # ---- botocore fallback ---------------------------------------------------------------
    def _fallback(self, lookup: _Lookup, credentials: Credentials) -> Target:
        fs_id, targets, zone, name = lookup.fs_id, lookup.targets, lookup.zone, lookup.name
        dns_cause, dns_failure, evidence = lookup.dns_cause, lookup.dns_failure, lookup.evidence

        def fail(message: str, cause: str, reason: str) -> Target:
            return Target(
                "failed",
                name,
                None,
                None,
                "fallback",
                tuple(evidence),
                error=resolve_failure(name, message),
                cause=cause,
                reason=reason,
            )

        evidence.append(
            "efs-utils falls back to botocore (fall_back_to_mount_target_ip_address_enabled = "
            "true); the EFS and EC2 API endpoints are assumed reachable from the node"
        )
        principal = credentials.candidates[0] if credentials.candidates else None
        if credentials.status == "failed" or (
            principal is None and credentials.status != "indeterminate"
        ):
            return fail(
                "Unable to locate credentials when performing operation DescribeMountTargets, "
                "please confirm your aws credentials are properly configured.",
                dns_cause,
                f"{dns_failure}; the API fallback has no credentials",
            )
        if principal is None:
            return Target(
                "indeterminate" if self._fallback_could_work(targets, zone) else "failed",
                name,
                None,
                None,
                "fallback",
                (*evidence, "the fallback's credentials are not known"),
                cause=dns_cause,
                reason=f"{dns_failure}; the API fallback's principal is not known, so its answer "
                "(and the exact message) cannot be told",
            )
        describe = self.permission(principal, "elasticfilesystem:DescribeMountTargets", fs_id)
        evidence.append(f"DescribeMountTargets as {principal.role_arn}: {describe}")
        if describe == "deny":
            session = principal.session_arn or principal.role_arn
            return fail(
                f"User: {session} is not authorized to perform: "
                "elasticfilesystem:DescribeMountTargets on the specified resource",
                dns_cause,
                f"{dns_failure}; the fallback is denied DescribeMountTargets "
                "(cause mount-target-lookup-permissions applies too)",
            )
        if describe == "unknown":
            return self._unknown_permission(
                lookup, "elasticfilesystem:DescribeMountTargets", principal
            )
        if not targets:
            return fail(
                f"Cannot find mount target for the file system {fs_id}, please create a mount "
                f"target in {zone}.",
                "no-mount-target-in-az",
                f"{fs_id} has no mount target",
            )
        available = [t for t in targets if t.lifecycle_state in (None, "available")]
        if not available:
            return fail(
                f"No mount target created for the file system {fs_id} is in available state "
                "yet, please retry in 5 minutes.",
                "no-mount-target-in-az",
                "no mount target of the file system is available",
            )
        zones_text = repr([t.availability_zone_name for t in available])
        available_text = f"Available mount target(s) are in az {zones_text}"
        ec2 = self.permission(principal, "ec2:DescribeAvailabilityZones", fs_id)
        evidence.append(f"ec2:DescribeAvailabilityZones as {principal.role_arn}: {ec2}")
        if ec2 == "deny":
            return fail(
                "Unauthorized to perform operation DescribeAvailabilityZones.",
                dns_cause,
                f"{dns_failure}; the fallback is denied ec2:DescribeAvailabilityZones",
            )
        if ec2 == "unknown":
            return self._unknown_permission(lookup, "ec2:DescribeAvailabilityZones", principal)
        placement = lookup.placement
        zone_id = placement.zone_id if not lookup.az_from_option else self.view.zone_id(zone)
        matching = [
            t
            for t in targets
            if (zone_id and t.availability_zone_id == zone_id)
            or (not zone_id and t.availability_zone_name == zone)
        ]
        if not matching:
            return fail(
                f"No matching mount target in the az {zone}. Please create one mount target in "
                f"{zone}, or try the mount target in another AZ by passing the availability zone "
                f"name option. {available_text}",
                dns_cause,
                f"{dns_failure}; the fallback finds no mount target in {zone} either",
            )
        mt = matching[0]
        state = mt.lifecycle_state or "available"
        if state != "available":
            if state in ("creating", "updating", "error"):
                message = (
                    f"Mount target in the az {zone} is {state}, please retry in 5 minutes, or use "
                    "the mount target in the other az by passing the availability zone name "
                    f"option. {available_text}"
                )
            elif state in ("deleted", "deleting"):
                message = (
                    f"Mount target in the availability zone {zone} is {state}, please create a "
                    f'new one in {zone}, or use the " "mount target in the other az by passing '
                    f"the availability zone name option. {available_text}"
                )
            else:
                message = "Unknown mount target state"
            return fail(message, "no-mount-target-in-az", f"mount target {mt.id} is {state}")
        evidence.append(f"the fallback picks {mt.id} {mt.ip_address} in {zone} and probes TCP 2049")
        reach = self.probe_with(placement, mt)
        target = Target(
            "ok",
            name,
            mt,
            mt.ip_address,
            "fallback",
            tuple(evidence),
            probe=reach,
            notes=(f"DNS failed ({dns_failure}) but the API fallback found {mt.id}",),
        )
        if reach.verdict == "blocked":
            return Target(
                "failed",
                name,
                mt,
                mt.ip_address,
                "fallback",
                tuple(evidence),
                probe=reach,
                error=(
                    f'Failed to resolve "{name}". Cannot connect to file system mount target ip '
                    f"address {mt.ip_address}. \n{probe_timeout(mt.ip_address or '')}"
                ),
                layer="network",
            )
        return target

    def _fallback_could_work(self, targets: list[MountTarget], zone: str) -> bool:
        return any(
            t.availability_zone_name == zone and t.lifecycle_state in (None, "available")
            for t in targets
        )

    def _unknown_permission(self, lookup: _Lookup, action: str, principal: Principal) -> Target:
        could_work = self._fallback_could_work(lookup.targets, lookup.zone)
        return Target(
            "indeterminate" if could_work else "failed",
            lookup.name,
            None,
            None,
            "fallback",
            tuple(lookup.evidence),
            cause=lookup.dns_cause,
            reason=(
                f"{lookup.dns_failure}; whether {principal.role_arn} may call {action} is not "
                "known (its identity policies are not among the inputs)"
                + ("" if could_work else ", so the exact efs-utils message cannot be told")
            ),
        )

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
