"""Nodes that may run the pod are in an availability zone where the file system has no
available mount target: the mount fails there with ``Failed to resolve``.

What it checks
--------------
For every EFS volume whose mount relies on the regional DNS name (no ``mounttargetip``,
``az=`` or ``crossaccount``), the zones of the nodes its pods may run on (pinned node, zone
affinity, node selector, else all nodes) against the zones of the file system's mount targets
in state ``available``. One Zone file systems are left to NET007.

Why it breaks mounts
--------------------
``fs-....efs.<region>.amazonaws.com`` resolves only to the mount target in the client's own
zone; with none there, resolution fails, and efs-utils' fallback (DescribeMountTargets) ends
with ``No matching mount target in the az <zone>`` (efs-semantics.md §2.7, §6; causes.md
``no-mount-target-in-az``). Pods scheduled on those nodes never start.

Example
-------
Nodes in three zones, mount targets in two::

    # kubectl get nodes -L topology.kubernetes.io/zone
    ip-10-0-12-34.ec2.internal   us-east-1a
    ip-10-0-44-51.ec2.internal   us-east-1b
    ip-10-0-70-9.ec2.internal    us-east-1c
    # aws efs describe-mount-targets --file-system-id fs-0123456789abcdef0
    fsmt-0123456789abcdef0   us-east-1a   available
    fsmt-0223456789abcdef0   us-east-1b   available
    # nothing in us-east-1c: pods scheduled there fail with "Failed to resolve"

Use instead
-----------
Create a mount target in every zone that runs nodes, or keep the workload out of that zone
(node affinity), or name a zone with ``az=<zone>`` in ``mountOptions`` (cross-zone traffic is
billed)::

    aws efs create-mount-target --file-system-id fs-0123456789abcdef0 \\
        --subnet-id subnet-0ccc3333dddd4444e --security-groups sg-0e1f2a3b4c5d6e7f8

Limits
------
Needs the mount targets (``describe-mount-targets``) and the nodes (their zone labels).

Fix safety
----------
No automatic fix: creating a mount target is an infrastructure change.

References
----------
- efs-semantics.md §2.7 (DNS name and fallback messages), §6
- https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-mount-cmd-dns-name.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects, mount_options_location
from efs_doctor.rules.network_kit import available, pins_mount_target
from efs_doctor.rules.policy_kit import volume_phrase

META = RuleMeta(
    code="NET001",
    slug="no-mount-target-in-zone",
    summary="nodes in an availability zone without an available mount target",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests", "mount-targets", "nodes"),
    cause="no-mount-target-in-az",
)


def check(context: Context) -> Iterator[Result]:
    inv = context.inventory
    for chain in context.chains_with_volume():
        fs_id = chain.file_system_id
        if not fs_id or pins_mount_target(context, chain):
            continue
        fs = chain.file_system
        if fs is not None and fs.availability_zone_name:
            continue  # One Zone: NET007
        if not inv.has("mount-targets") and not chain.mount_targets:
            yield META.inconclusive(fs_id, "mount targets not among the inputs")
            continue
        nodes = context.candidate_nodes(chain)
        if not nodes:
            yield META.inconclusive(chain.label, "no Node objects among the inputs")
            continue
        # The engine's view of the mount targets: a zone known only after apply is taken from
        # the subnet when that is known, else it stays unknown (never "in no zone").
        targets = context.simulator.view.mount_targets_of(fs_id) or list(chain.mount_targets)
        zones = sorted({z for mt in targets if available(mt) and (z := mt.availability_zone_name)})
        unplaced = [mt.id for mt in targets if available(mt) and not mt.availability_zone_name]
        missing = sorted({n.zone or "?" for n in nodes} - set(zones))
        if missing and unplaced:
            yield META.inconclusive(
                chain.label,
                f"the availability zone of mount target(s) {', '.join(unplaced)} is known only "
                f"after apply: whether {', '.join(missing)} has one cannot be told",
            )
            continue
        for zone in missing:
            names = sorted(n.name for n in nodes if (n.zone or "?") == zone)
            dns = f"{fs_id}.efs.{context.region(chain) or '<region>'}.amazonaws.com"
            related = [
                Related(
                    at(
                        mt,
                    ),
                    f"mount target {mt.id} in {mt.availability_zone_name} "
                    f"({mt.lifecycle_state or 'available'})",
                )
                for mt in targets
            ]
            related += [
                Related(at(n, "metadata", "labels"), f"node {n.name} is in {zone}")
                for n in nodes
                if n.name in names[:3]
            ]
            every = len(names) == len(nodes)
            yield META.finding(
                f"{volume_phrase(chain)}: {len(names)} node(s) in {zone} ({', '.join(names[:3])}"
                f"{', ...' if len(names) > 3 else ''}) have no available mount target of {fs_id} "
                f"(mount targets are in {', '.join(zones) or 'no zone'}); pods placed there "
                "cannot mount it",
                mount_options_location(chain),
                related=related,
                severity=None if every else Severity.HIGH,
                expected_error=(
                    f'Failed to resolve "{dns}" - check that your file system ID is correct, and '
                    "ensure that the VPC has an EFS mount target for this file system ID. ... "
                    f"No matching mount target in the az {zone}. Please create one mount target "
                    f"in {zone}, or try the mount target in another AZ by passing the "
                    f"availability zone name option. Available mount target(s) are in az {zones}"
                ),
                chain=chain.label,
                subjects=chain_subjects(chain),
            )
