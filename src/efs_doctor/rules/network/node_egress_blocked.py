"""The nodes' security groups do not allow outbound TCP 2049 to the mount target: the mount
hangs.

What it checks
--------------
For every node that may run the pod and its mount target: whether any outbound rule of the
node's security groups allows TCP 2049 to the mount target's address or groups (network
engine).

Why it breaks mounts
--------------------
Security groups filter outbound traffic as well; the default group allows all egress, but a
hardened node group with egress restricted to 443 drops the NFS connection, and the mount
hangs until kubelet's ``DeadlineExceeded`` (efs-semantics.md §6; causes.md
``node-sg-egress-blocked``).

Example
-------
A hardened node security group that lets only HTTPS out::

    # sg-0node, on every node
    "IpPermissionsEgress": [
      {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
       "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ]

Use instead
-----------
An outbound rule on the node security group: TCP 2049 to the mount targets' security group
or subnets (the finding's fix gives the command with the real ids)::

    "IpPermissionsEgress": [
      {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
       "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
      {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049,
       "UserIdGroupPairs": [{"GroupId": "sg-0efs"}]}
    ]

Limits
------
Needs security groups and the nodes' instances.

Fix safety
----------
Unsafe, shown and never applied: the finding's fix is the outbound rule as an AWS CLI command
(or, for a group read from Terraform or CloudFormation, the rule in that language).

References
----------
- efs-semantics.md §6
- https://docs.aws.amazon.com/efs/latest/ug/network-access.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.network_kit import blocked_findings

META = RuleMeta(
    code="NET003",
    slug="node-egress-blocked",
    summary="node security groups allow no outbound TCP 2049 to the mount target",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("security-groups", "mount-targets", "instances"),
    cause="node-sg-egress-blocked",
)


def check(context: Context) -> Iterator[Result]:
    from efs_doctor.engine.network import NODE_SG_OUT

    yield from blocked_findings(context, META, (NODE_SG_OUT,))
