"""The file system policy conditions on a key EFS does not enforce for NFS clients
(``aws:PrincipalArn``, ``aws:SourceVpc``, tags ...): what it grants or denies is not what it
says.

What it checks
--------------
Every condition key in the file system policy against the four keys EFS evaluates for NFS
clients: ``aws:SecureTransport``, ``aws:SourceIp``, ``elasticfilesystem:AccessPointArn`` and
``elasticfilesystem:AccessedViaMountTarget`` (IAM engine lint ``unenforced-condition-key``;
vendored list ``data/efs_nfs_condition_keys.json``).

Why it breaks mounts
--------------------
EFS documents that no other key is enforced for NFS clients (efs-semantics.md §4.5). For an
anonymous client such a key is absent, so a positive condition on it is false and the
statement never applies -- the seed incident's ``ArnLike aws:PrincipalArn`` admitted nobody
without ``iam``. For an IAM client EFS does not say whether the key is absent (statement
never applies: access denied) or ignored (statement applies to everyone it names), so the
policy may deny the intended roles or admit principals it meant to exclude (§8 point 4,
§9 question 1).

Example
-------
::

    {"Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
     "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/node"}}}

Use instead
-----------
Name the roles in ``Principal`` (``{"AWS": "arn:aws:iam::111122223333:role/node"}``), which
EFS does evaluate, or bind access to an access point with
``elasticfilesystem:AccessPointArn``. Network restrictions belong in security groups.

Limits
------
Only ``aws:PrincipalArn``/``aws:PrincipalAccount`` conditions without wildcards can be turned
into a ``Principal`` automatically.

Fix safety
----------
Safe: the corrected policy (written next to the original) grants exactly the principals
the condition named, to the same actions; it can only be narrower than a policy whose
condition EFS ignores.

References
----------
- efs-semantics.md §4.5, §8 point 4, §9 question 1
- https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.policy_fix import policy_fix

META = RuleMeta(
    code="AUTH005",
    slug="unenforced-condition-key",
    summary="policy condition on a key EFS does not enforce for NFS clients",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    needs=("file-system-policy",),
    cause="policy-unsupported-condition-key",
    security=True,
)


def check(context: Context) -> Iterator[Result]:
    for fs_id in context.policy_file_systems():
        for lint in context.policy_lint(fs_id):
            if lint.code != "unenforced-condition-key":
                continue
            message = f"{fs_id} file system policy: {lint.message}"
            if lint.fix:
                message += f"; {lint.fix}"
            yield META.finding(
                message,
                context.policy_location(fs_id, lint.path),
                fix=policy_fix(context, fs_id, "name the principals in Principal"),
                chain=f"file system {fs_id}",
                subjects=[fs_id],
            )
