"""A network ACL on the node's or the mount target's subnet blocks TCP 2049 or its return
traffic: the mount hangs.

What it checks
--------------
The network ACLs of the node's subnet (outbound 2049, inbound ephemeral ports) and of the
mount target's subnet (inbound 2049, outbound ephemeral ports 32768-61000), in rule-number
order with the final deny (network engine). Node and mount target in one subnet cross no ACL.

Why it breaks mounts
--------------------
ACLs are stateless: both directions need an allow entry, and the lowest-numbered matching
entry decides. A deny on 2049, or return traffic to ephemeral ports left out, drops the
connection and the mount hangs until ``DeadlineExceeded`` (efs-semantics.md §6; causes.md
``node-sg-egress-blocked``).

Example
-------
The network ACL of the mount target subnets admits only HTTPS; the final ``*`` entry denies
the rest::

    {"RuleNumber": 100, "Egress": false, "Protocol": "6", "RuleAction": "allow",
     "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 443, "To": 443}}
    {"RuleNumber": 32767, "Egress": false, "Protocol": "-1", "RuleAction": "deny",
     "CidrBlock": "0.0.0.0/0"}

Use instead
-----------
Entries allowing TCP 2049 from the node subnets into the mount target subnets, and the
replies back to the nodes' ephemeral ports, numbered before any deny that would match::

    {"RuleNumber": 110, "Egress": false, "Protocol": "6", "RuleAction": "allow",
     "CidrBlock": "10.0.0.0/19", "PortRange": {"From": 2049, "To": 2049}}
    {"RuleNumber": 110, "Egress": true, "Protocol": "6", "RuleAction": "allow",
     "CidrBlock": "10.0.0.0/19", "PortRange": {"From": 32768, "To": 61000}}

Limits
------
Needs network ACLs, subnets of nodes and mount targets.

Fix safety
----------
Unsafe, shown and never applied: the finding's fix is one ``aws ec2 create-network-acl-entry``
per peer subnet, numbered before the ACL's first deny entry in that direction. An entry
numbered before a deliberate deny overrides it for that port and range: review it first.

References
----------
- efs-semantics.md §6
- https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.network_kit import blocked_findings

META = RuleMeta(
    code="NET004",
    slug="network-acl-blocks",
    summary="a network ACL blocks TCP 2049 or its return traffic",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("network-acls", "subnets", "mount-targets", "instances"),
    cause="node-sg-egress-blocked",
    causes=("mount-target-nacl-blocked",),
)


def check(context: Context) -> Iterator[Result]:
    from efs_doctor.engine.network import MT_ACL_IN, MT_ACL_OUT, NODE_ACL_IN, NODE_ACL_OUT

    yield from blocked_findings(context, META, (NODE_ACL_OUT, MT_ACL_IN, MT_ACL_OUT, NODE_ACL_IN))
