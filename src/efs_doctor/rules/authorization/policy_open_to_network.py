"""The file system policy admits any client that reaches the network, not only clients that
come through a mount target.

What it checks
--------------
Allow statements for everyone (``"*"``) granting ``Client*`` actions whose conditions still
hold for an anonymous client that does not come through a mount target, i.e. without
``"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}`` (IAM engine lint
``public-policy``).

Why it breaks mounts
--------------------
It does not break a mount; it is wider than it needs to be. EFS treats such a policy as
public, and with "block public access" settings it is refused when put
(efs-semantics.md §4.5; EFS User Guide, access-control-block-public-access). Every client
that can reach a mount target on TCP 2049 -- peered VPCs, VPN -- may mount, anonymously.

Example
-------
::

    {"Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]}

Use instead
-----------
Add ``"Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}``, and
name the roles that need access in ``Principal``.

Limits
------
Security groups may already restrict who reaches the mount targets.

Fix safety
----------
No automatic fix (narrowing the policy is safe, but which principals need access is a
choice).

References
----------
- efs-semantics.md §4.5, §4.6
- https://docs.aws.amazon.com/efs/latest/ug/access-control-block-public-access.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.policy_kit import lint_findings

META = RuleMeta(
    code="AUTH009",
    slug="policy-open-to-network",
    summary="policy admits any client that reaches the network (no AccessedViaMountTarget)",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    needs=("file-system-policy",),
    security=True,
)


def check(context: Context) -> Iterator[Result]:
    return lint_findings(context, META, "public-policy")
