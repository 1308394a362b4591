"""DNS resolution or DNS hostnames are turned off in the file system's VPC: the mount
target's DNS name does not resolve.

What it checks
--------------
For EFS volumes whose mount relies on the DNS name (no ``mounttargetip``), the VPC of the
file system's mount targets: its ``enableDnsSupport`` and ``enableDnsHostnames`` attributes
(saved ``describe-vpc-attribute`` answers).

Why it breaks mounts
--------------------
EFS mount target DNS names resolve only through the Amazon-provided resolver of a VPC with
both attributes on (efs-semantics.md §6). Otherwise efs-utils fails with ``Failed to
resolve "fs-....efs.<region>.amazonaws.com"`` and falls back to DescribeMountTargets, which
needs ``elasticfilesystem:DescribeMountTargets`` and ``ec2:DescribeAvailabilityZones`` for
the node's credentials (§2.7; causes.md ``vpc-dns-disabled``).

Example
-------
::

    $ aws ec2 describe-vpc-attribute --vpc-id vpc-0a1b2c3d4e5f60718 --attribute enableDnsHostnames
    {"VpcId": "vpc-0a1b2c3d4e5f60718", "EnableDnsHostnames": {"Value": false}}

Use instead
-----------
Turn both on, one attribute per request and DNS support first (the API refuses hostnames
without it), or give the PV a ``mounttargetip`` volume attribute per zone::

    aws ec2 modify-vpc-attribute --vpc-id vpc-0a1b2c3d4e5f60718 \\
        --enable-dns-support '{"Value":true}'
    aws ec2 modify-vpc-attribute --vpc-id vpc-0a1b2c3d4e5f60718 \\
        --enable-dns-hostnames '{"Value":true}'

Limits
------
Needs both attributes; a custom DHCP resolver is not detected. Whether the botocore fallback
rescues the mount depends on the node's permissions, hence high severity, not critical.

Fix safety
----------
No automatic fix.

References
----------
- efs-semantics.md §2.7, §6
- https://docs.aws.amazon.com/efs/latest/ug/troubleshooting-efs-mounting.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.kit import chain_subjects, mount_options_location
from efs_doctor.rules.network_kit import chain_option
from efs_doctor.rules.policy_kit import volume_phrase

META = RuleMeta(
    code="NET005",
    slug="vpc-dns-disabled",
    summary="DNS support or DNS hostnames off in the file system's VPC",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    needs=("vpc-attributes", "mount-targets"),
    cause="vpc-dns-disabled",
)

ATTRIBUTES = ("enableDnsSupport", "enableDnsHostnames")


def check(context: Context) -> Iterator[Result]:
    inv = context.inventory
    for chain in context.chains_with_volume():
        fs_id = chain.file_system_id
        if not fs_id or chain_option(context, chain, "mounttargetip") is not None:
            continue
        vpcs = sorted({mt.vpc_id for mt in chain.mount_targets if mt.vpc_id})
        for vpc in vpcs:
            off = [a for a in ATTRIBUTES if inv.vpc_dns_value(vpc, a) is False]
            unknown = [a for a in ATTRIBUTES if inv.vpc_dns_value(vpc, a) is None]
            if not off:
                if unknown:
                    yield META.inconclusive(vpc, f"{', '.join(unknown)} not among the inputs")
                continue
            related = [
                Related(inv.vpc_dns[(vpc, a)].source.location(object_name=vpc), f"{a} is false")
                for a in off
            ]
            dns = f"{fs_id}.efs.{context.region(chain) or '<region>'}.amazonaws.com"
            # Whether the fallback saves the mount is the mount engine's answer (§2.7).
            target = context.step_statuses(chain, "target")
            severity, confidence, outcome = META.severity, META.confidence, ""
            if "failed" not in target and "indeterminate" in target:
                confidence = Confidence.MEDIUM
                outcome = " (whether it succeeds is not known from the inputs)"
            elif "failed" not in target:
                severity = Severity.LOW
                outcome = ", which succeeds here (slower, and it needs the node's API permissions)"
            yield META.finding(
                f"{volume_phrase(chain)}: {' and '.join(off)} {'is' if len(off) == 1 else 'are'} "
                f"off in {vpc}, so {dns} does not resolve; the mount depends on efs-utils' "
                f"DescribeMountTargets fallback{outcome}",
                mount_options_location(chain),
                severity=severity,
                confidence=confidence,
                related=related,
                expected_error=None
                if severity is Severity.LOW
                else context.simulated_error(chain, [META.cause or ""])
                or f'Failed to resolve "{dns}" - check that your file system ID is '
                "correct, and ensure that the VPC has an EFS mount target for this file system ID.",
                chain=chain.label,
                subjects=[*chain_subjects(chain), vpc],
            )
