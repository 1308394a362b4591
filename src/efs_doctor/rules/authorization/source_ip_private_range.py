"""An ``aws:SourceIp`` condition with private address ranges: it never matches a client
inside the VPC.

What it checks
--------------
``aws:SourceIp`` conditions in the file system policy whose ranges are private (RFC 1918,
and other non-global ranges) -- IAM engine lint ``private-source-ip``.

Why it breaks mounts
--------------------
EFS documents ``aws:SourceIp`` for public address ranges only; clients in the VPC reach mount
targets from private addresses, which such a condition never matches (efs-semantics.md
§4.5, §8 point 6). An Allow statement restricted to ``10.0.0.0/8`` therefore admits no node,
and mounts fail with ``access denied by server``; a Deny with ``NotIpAddress`` may refuse
every node.

Example
-------
::

    "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/16"}}

Use instead
-----------
Restrict the network with the mount targets' security groups, and mark the policy as
mount-target-only with ``"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}``.

Limits
------
Whether EFS puts the private address in the request context or leaves the key out is not
documented (§9 question 2); either way a private range never matches, but a negated operator
can behave differently, so the mount outcome is left to AUTH001/AUTH002.

Fix safety
----------
No automatic fix: replacing an address restriction is a network design decision.

References
----------
- efs-semantics.md §4.5, §8 point 6, §9 question 2
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.policy_kit import lint_findings

META = RuleMeta(
    code="AUTH006",
    slug="source-ip-private-range",
    summary="aws:SourceIp condition with private ranges, which never match in-VPC clients",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    needs=("file-system-policy",),
    cause="policy-condition-not-met",
)


def check(context: Context) -> Iterator[Result]:
    return lint_findings(context, META, "private-source-ip")
