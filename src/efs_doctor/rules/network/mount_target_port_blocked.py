"""The mount target's security groups do not admit TCP 2049 from the nodes: the mount hangs
and kubelet gives up with ``DeadlineExceeded``.

What it checks
--------------
For every node that may run the pod and the mount target its mount goes to (same zone, or
the one ``az=``/``mounttargetip`` names): whether any inbound rule of any security group on
the mount target admits TCP 2049 from the node's address or security groups (network engine,
``engine/network.py``).

Without nodes to pair with (a plan or template before any node exists), a node-independent
check: whether the mount target's groups admit TCP 2049 from anything that could be a node. A
rule naming the cluster security group admits the nodes of managed node groups; no inbound
rule admitting TCP 2049 from any source is a finding (no node can connect, wherever it runs);
rules that admit some addresses or groups are an inconclusive, since which the nodes will have
cannot be told.

Why it breaks mounts
--------------------
Security groups are a union of allow rules; with no rule for TCP 2049 from the node, the SYN
is dropped. efs-utils does not probe the DNS path, so ``mount.nfs4`` waits, retries after
15 s, and kubelet's call times out: ``rpc error: code = DeadlineExceeded desc = context
deadline exceeded`` (efs-semantics.md §6, §3.9; causes.md ``sg-missing-2049``). The node
plugin uses the host network, so the node's own security groups are the source, not a pod's.

Example
-------
The mount target's security group admits NFS from another range than the nodes'::

    # sg-0efs, on mount target fsmt-0abc; the nodes are in 10.0.0.0/16 with sg-0node
    "IpPermissions": [
      {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049,
       "IpRanges": [{"CidrIp": "10.1.0.0/16"}]}
    ]

Use instead
-----------
An inbound rule on the mount target's security group: TCP 2049 from the node security
group (the finding's fix gives the command with the real ids)::

    "IpPermissions": [
      {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049,
       "UserIdGroupPairs": [{"GroupId": "sg-0node"}]}
    ]

    aws ec2 authorize-security-group-ingress --group-id sg-0efs \\
        --protocol tcp --port 2049 --source-group sg-0node

Limits
------
Needs security groups, the mount targets' groups (describe-mount-target-security-groups or
their network interfaces) and the nodes' instances; without them the check is inconclusive.

Fix safety
----------
Unsafe, shown and never applied: the finding's fix is the inbound rule as an AWS CLI command
filled in with the groups (or, for a group read from Terraform or CloudFormation, the rule in
that language). It opens the NFS port to the peer it names, so review the peer first.

References
----------
- efs-semantics.md §6, §3.9
- https://docs.aws.amazon.com/efs/latest/ug/network-access.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.network_kit import blocked_findings, nodeless_findings

META = RuleMeta(
    code="NET002",
    slug="mount-target-port-blocked",
    summary="mount target security groups admit no TCP 2049 from the nodes",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("security-groups", "mount-targets", "instances"),
    cause="sg-missing-2049",
)


def check(context: Context) -> Iterator[Result]:
    from efs_doctor.engine.network import MT_SG_IN

    yield from blocked_findings(context, META, (MT_SG_IN,))
    yield from nodeless_findings(context, META, MT_SG_IN)
