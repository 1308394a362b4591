"""The nodes are in another VPC than the file system's mount targets, and the volume does not
name a mount target IP: the DNS name does not resolve from there.

What it checks
--------------
For EFS volumes without ``mounttargetip`` (or the driver's IP map / ``crossaccount``): the VPC
of the nodes that may run the pod (from their instances) against the VPC of the file
system's mount targets.

Why it breaks mounts
--------------------
EFS DNS names resolve only inside the VPC of the mount targets (efs-semantics.md §6). From a
peered VPC, another account or on-premises, efs-utils fails with ``Failed to resolve`` and
can only continue through its DescribeMountTargets fallback -- which needs permissions the
node role rarely has, and a route through peering or a Transit Gateway (§2.7; causes.md
``dns-resolution-outside-vpc``).

Example
-------
Cluster in ``vpc-0aaa``, the file system's mount targets in the peered ``vpc-0bbb``, and a
PV that relies on the DNS name::

    csi:
      driver: efs.csi.aws.com
      volumeHandle: fs-0123456789abcdef0    # resolves only inside vpc-0bbb

Use instead
-----------
Set the ``mounttargetip`` volume attribute to the mount target in the node's zone (one PV per
zone, or a zone-pinned workload), or use ``crossaccount`` with Route 53 records as the driver's
cross-account example describes::

    csi:
      driver: efs.csi.aws.com
      volumeHandle: fs-0123456789abcdef0
      volumeAttributes:
        mounttargetip: "10.1.5.10"          # the mount target in the nodes' zone

Limits
------
Routes (peering, Transit Gateway) are not checked; needs the nodes' instances and the mount
targets.

Fix safety
----------
No automatic fix.

References
----------
- efs-semantics.md §2.7, §6 (cross-VPC)
- https://docs.aws.amazon.com/efs/latest/ug/efs-different-vpc.html
- kubernetes-sigs/aws-efs-csi-driver ``examples/kubernetes/efs/cross_account_mount``
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects, mount_options_location
from efs_doctor.rules.network_kit import chain_option
from efs_doctor.rules.policy_kit import volume_phrase

META = RuleMeta(
    code="NET006",
    slug="file-system-in-other-vpc",
    summary="nodes in another VPC than the mount targets, without mounttargetip",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    needs=("instances", "mount-targets"),
    cause="dns-resolution-outside-vpc",
)

PINNING = ("mounttargetip", "mounttargetipmap", "crossaccount")


def check(context: Context) -> Iterator[Result]:
    inv = context.inventory
    for chain in context.chains_with_volume():
        fs_id = chain.file_system_id
        if not fs_id or any(chain_option(context, chain, n) is not None for n in PINNING):
            continue
        target_vpcs = {mt.vpc_id for mt in chain.mount_targets if mt.vpc_id}
        if not target_vpcs:
            continue
        outside: dict[str, list[str]] = {}
        for node in context.candidate_nodes(chain):
            instance = inv.instance_of_node(node)
            if instance is None:
                yield META.inconclusive(node.name, "the node's instance is not among the inputs")
            if instance is not None and instance.vpc_id and instance.vpc_id not in target_vpcs:
                outside.setdefault(instance.vpc_id, []).append(node.name)
        for vpc, nodes in sorted(outside.items()):
            instance_locations = [
                Related(at(i), f"instance {i.id} is in {vpc}")
                for i in inv.instances.values()
                if i.vpc_id == vpc
            ][:3]
            yield META.finding(
                f"{volume_phrase(chain)}: node(s) {', '.join(sorted(nodes)[:3])} are in {vpc}, "
                f"the mount targets of {fs_id} in {', '.join(sorted(target_vpcs))}; the file "
                "system's DNS name does not resolve outside its VPC",
                mount_options_location(chain),
                related=[
                    *instance_locations,
                    *(
                        Related(at(mt), f"mount target {mt.id} in {mt.vpc_id}")
                        for mt in chain.mount_targets[:3]
                    ),
                ],
                expected_error=context.simulated_error(chain, [META.cause or ""])
                or f'Failed to resolve "{fs_id}.efs.{context.region(chain) or "<region>"}'
                '.amazonaws.com" - check that your file system ID is correct, and ensure '
                "that the VPC has an EFS mount target for this file system ID.",
                chain=chain.label,
                subjects=chain_subjects(chain),
            )
