"""The policy lets the volume mount but not write, while the workload mounts it read-write:
every write fails with ``Read-only file system``.

What it checks
--------------
For each workload that mounts an EFS volume without ``readOnly``: whether the principal the
mount uses (anonymous without ``iam``, else the node plugin's role) is granted
``elasticfilesystem:ClientMount`` but not ``elasticfilesystem:ClientWrite``, by the file
system policy and, in the same account, identity policies (IAM engine).

Why it breaks mounts
--------------------
``ClientMount`` alone gives read-only access (efs-semantics.md §4.3, §4.7): the mount
succeeds, the mount options even show ``rw``, and then every write, create or delete fails.
Users report ``Read-only file system`` (EROFS) for it (causes.md ``read-only-no-clientwrite``;
aws/efs-utils#82). Console presets "Enforce read-only access by default" produce such
policies (§4.6).

Example
-------
The policy grants the node role ``ClientMount`` only, and a Deployment mounts the volume
read-write to store uploads::

    {"Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:role/eks-node-group-role"},
     "Action": "elasticfilesystem:ClientMount"}

Use instead
-----------
Grant ``elasticfilesystem:ClientWrite`` to the principal in the file system policy, or mount
the volume ``readOnly: true`` if the workload only reads::

    {"Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:role/eks-node-group-role"},
     "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]}

Limits
------
The errno a write gets is reported by users, not documented; the finding is certain about the
missing grant, not the exact error text. Whether the application writes is not known:
a read-write volumeMount is taken as intent to write.

Fix safety
----------
No automatic fix: granting ``ClientWrite`` widens access, and marking the mount read-only
changes the application.

References
----------
- efs-semantics.md §4.3, §4.6, §4.7
- https://github.com/aws/efs-utils/issues/82
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Fix, FixSafety, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects
from efs_doctor.rules.policy_kit import (
    CLIENT_WRITE,
    denied_once_mounted,
    has_own_policy,
    statement_notes,
)

META = RuleMeta(
    code="AUTH007",
    slug="read-only-by-policy",
    summary="policy grants ClientMount but not ClientWrite to a workload that writes",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    needs=("manifests", "file-system-policy"),
    cause="read-only-no-clientwrite",
)


def check(context: Context) -> Iterator[Result]:
    for chain in context.chains:
        workload, pod_volume, fs_id = chain.workload, chain.pod_volume, chain.file_system_id
        if workload is None or pod_volume is None or not fs_id or chain.read_only:
            continue
        writers = [
            m for m in workload.volume_mounts if m.volume == pod_volume.name and not m.read_only
        ]
        if not writers:
            continue
        if not (yield from has_own_policy(context, META, fs_id)):
            continue
        denied = denied_once_mounted(context, chain, CLIENT_WRITE)
        if denied is None:
            continue
        principal, write = denied
        who = "an anonymous client" if principal == "anonymous" else principal
        paths = ", ".join(sorted({m.mount_path for m in writers}))
        yield META.finding(
            f"{workload.kind} {workload.namespace}/{workload.name} mounts {fs_id} read-write at "
            f"{paths}, but the policies grant {who} ClientMount without ClientWrite: the "
            "volume mounts read-only and writes fail",
            at(workload, *pod_volume.field_path),
            related=list(
                statement_notes(context, fs_id, write, anonymous=principal == "anonymous")
            ),
            expected_error="Read-only file system",
            fix=Fix(
                f"grant elasticfilesystem:ClientWrite to {who} in the file system policy, or "
                "mount the volume readOnly if the workload only reads",
                FixSafety.UNSAFE,
            ),
            chain=chain.label,
            subjects=chain_subjects(chain),
        )
