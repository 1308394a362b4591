"""DNS names efs-utils builds, the messages it prints when resolution or its probe fails,
and the result type of mount-target selection (efs-semantics.md §2.7).

Sources: ``aws/efs-utils:dist/efs-utils.conf`` (``dns_name_format``, ``dns_name_suffix``
per region), ``src/mount_efs/dns_resolver.py`` (``throw_dns_resolve_failure_with_fallback_
message``), ``src/efs_utils_common/network_utils.py`` (``mount_target_ip_address_can_be_
resolved``) at v3.2.0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from efs_doctor.engine.mount.credentials import Principal
from efs_doctor.engine.mount.model import Layer, StepStatus
from efs_doctor.engine.mount.placement import Placement
from efs_doctor.engine.network import Reachability
from efs_doctor.model.aws import MountTarget

DNS_HELP = "https://docs.aws.amazon.com/console/efs/mount-dns-name"
SUFFIXES = {"cn-north-1": "amazonaws.com.cn", "cn-northwest-1": "amazonaws.com.cn"}

# (principal, action, file system id) -> "allow" | "deny" | "unknown"
Permission = Callable[[Principal, str, str], str]
# TCP 2049 from a placement's nodes to a mount target
ProbeWith = Callable[[Placement, MountTarget], Reachability]


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


@dataclass(frozen=True, slots=True)
class Lookup:
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
