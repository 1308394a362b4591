"""The file system policy grants ``ClientWrite``/``ClientRootAccess`` but not
``ClientMount``: nobody it names can mount.

What it checks
--------------
Allow statements of a file system policy that grant ``elasticfilesystem:ClientWrite`` or
``elasticfilesystem:ClientRootAccess`` without ``elasticfilesystem:ClientMount``, and
policies in which no statement grants ``ClientMount`` at all (IAM engine lint
``allow-without-client-mount`` and ``no-client-mount``).

Why it breaks mounts
--------------------
``ClientMount`` is what lets a client mount at all (read-only access); write and root access
are extra permissions on top of it (efs-semantics.md §4.3, §4.7). A statement that grants
only ``ClientWrite`` and ``ClientRootAccess`` -- as some IaC defaults and the console's
"Prevent anonymous access" preset generate -- admits nobody by itself (§4.6), so mounts fail
with ``access denied by server`` unless an identity policy in the file system's account
grants ``ClientMount``.

Example
-------
::

    {"Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": ["elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"]}

Use instead
-----------
Add ``elasticfilesystem:ClientMount`` to the statement's ``Action``.

Limits
------
Identity policies can still grant ``ClientMount`` to same-account IAM principals; AUTH001 and
AUTH002 evaluate the actual mounts.

Fix safety
----------
Safe: ``ClientMount`` (read-only) is less than the write/root access the statement already
grants the same principals. The corrected policy is written next to the original.

References
----------
- efs-semantics.md §4.3, §4.6, §4.7; causes.md ``policy-missing-clientmount``
- https://github.com/aws/aws-cdk/issues/30753
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.policy_fix import policy_fix

META = RuleMeta(
    code="AUTH003",
    slug="policy-missing-client-mount",
    summary="policy grants ClientWrite/ClientRootAccess without ClientMount",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    needs=("file-system-policy",),
    cause="policy-missing-clientmount",
)

LINTS = {"allow-without-client-mount", "no-client-mount"}


def check(context: Context) -> Iterator[Result]:
    for fs_id in context.policy_file_systems():
        for lint in context.policy_lint(fs_id):
            if lint.code not in LINTS:
                continue
            yield META.finding(
                f"{fs_id} file system policy: {lint.message}",
                context.policy_location(fs_id, lint.path),
                fix=policy_fix(context, fs_id, "add elasticfilesystem:ClientMount"),
                chain=f"file system {fs_id}",
                subjects=[fs_id],
            )
