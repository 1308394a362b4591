"""efs-utils' botocore fallback when the DNS name does not resolve (efs-semantics.md §2.7).

Order at v3.2.0 (``mount_efs/dns_resolver.py`` ``get_fallback_mount_target_ip_address``,
``efs_utils_common/metadata.py`` ``get_mount_target_in_az``): not with ``crossaccount``;
DescribeMountTargets (AccessDenied: AWS's message) -> none: "Cannot find mount target ..."
-> none available: "No mount target created ... available state yet" -> the instance's AZ
(``az`` option or IMDS) -> DescribeAvailabilityZones (DryRun first; denied: "Unauthorized to
perform operation DescribeAvailabilityZones.") -> the target with that AZ ID (none: "No
matching mount target in the az ...", not available: "Mount target in the az ... is ...")
-> a TCP probe of its IP on 2049. Each message is appended to the resolution failure.
The fallback runs with botocore's credential chain inside the efs-plugin container.
"""

from __future__ import annotations

from efs_doctor.engine.mount.credentials import Credentials, Principal
from efs_doctor.engine.mount.dns import (
    Lookup,
    Permission,
    ProbeWith,
    Target,
    probe_timeout,
    resolve_failure,
)
from efs_doctor.engine.mount.view import InventoryView
from efs_doctor.model.aws import MountTarget


class BotocoreFallback:
    def __init__(self, view: InventoryView, permission: Permission, probe_with: ProbeWith) -> None:
        self.view = view
        self.permission = permission
        self.probe_with = probe_with

    def run(self, lookup: Lookup, credentials: Credentials) -> Target:
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
        if not targets and self.view.file_system_absent(fs_id):
            return fail(
                f"The file system {fs_id} is not found",
                "file-system-not-found",
                f"{fs_id} does not exist where the node looks (DescribeMountTargets answers "
                "FileSystemNotFound)",
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

    def _unknown_permission(self, lookup: Lookup, action: str, principal: Principal) -> Target:
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
