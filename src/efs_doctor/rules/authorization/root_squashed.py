"""Root is squashed (no ``ClientRootAccess``) while the access point or the pod acts as uid 0,
or the workload runs ``chown``: those operations fail with ``Permission denied`` /
``Operation not permitted``.

What it checks
--------------
For mounts that the policies admit (``ClientMount``) without
``elasticfilesystem:ClientRootAccess`` (IAM engine): an access point whose ``PosixUser`` is
uid or gid 0 (also a planned one, from a StorageClass ``uid``/``gid`` of 0); without an access
point, a pod or container that runs as uid 0 (explicit ``runAsUser: 0``; with no
``runAsUser`` the image's default user, often root, with low confidence), or a container
command that runs ``chown``.

Why it breaks mounts
--------------------
Without ``ClientRootAccess`` EFS maps uid/gid 0 to an unprivileged user (root squashing):
root gets ``Permission denied`` on what it does not own and ``chown`` fails because EFS
enforces ``chown_restricted`` (efs-semantics.md §4.7). An access point that enforces uid 0
needs ``ClientRootAccess`` (EFS User Guide, access points); whether the mount itself then
fails or is squashed is not documented (§9 question 7).

Example
-------
::

    securityContext:
      runAsUser: 0
    # policy grants the node role ClientMount and ClientWrite, not ClientRootAccess

Use instead
-----------
Run the pod as a non-root user that owns the directory (or through an access point with a
non-zero ``PosixUser``), or grant ``elasticfilesystem:ClientRootAccess`` to the principal if
root is really needed.

Limits
------
Image default users are not visible in manifests; a pod without ``runAsUser`` is reported
with low confidence.

Fix safety
----------
No automatic fix: granting root access widens access; changing the user changes the
application.

References
----------
- efs-semantics.md §4.7, §5, §9 question 7; causes.md ``root-squash-no-clientrootaccess``
- https://docs.aws.amazon.com/efs/latest/ug/accessing-fs-nfs-permissions.html
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Fix, FixSafety, Location, Severity
from efs_doctor.model.chain import MountChain
from efs_doctor.model.kubernetes import Workload
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects, mount_options_location
from efs_doctor.rules.policy_kit import (
    CLIENT_ROOT,
    denied_once_mounted,
    has_own_policy,
    statement_notes,
)

META = RuleMeta(
    code="AUTH008",
    slug="root-squashed",
    summary="root squashed while the access point or pod acts as uid 0 or runs chown",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    needs=("manifests", "file-system-policy"),
    cause="root-squash-no-clientrootaccess",
)


def _runs_chown(workload: Workload) -> bool:
    spec: Any = workload.raw
    for part in workload.template_path:
        spec = spec.get(part, {}) if isinstance(spec, Mapping) else {}
    for group in ("initContainers", "containers"):
        containers = spec.get(group) if isinstance(spec, Mapping) else None
        for container in containers if isinstance(containers, list) else ():
            if not isinstance(container, Mapping):
                continue
            words = [
                word
                for key in ("command", "args")
                if isinstance(container.get(key), list)
                for word in container[key]
            ]
            if any(isinstance(w, str) and "chown" in w for w in words):
                return True
    return False


def _root_use(chain: MountChain) -> tuple[str, Location, Severity, Confidence] | None:
    """Why this chain acts as root, where, and how bad/sure."""
    ap = chain.access_point
    if ap is not None and ap.posix_user is not None:
        if ap.posix_user.uid == 0 or ap.posix_user.gid == 0:
            return (
                f"access point {ap.id} enforces uid {ap.posix_user.uid} gid {ap.posix_user.gid}",
                ap.source.location("PosixUser", object_name=ap.id),
                Severity.HIGH,
                Confidence.HIGH,
            )
        return None
    planned = chain.planned
    if planned is not None:
        if planned.uid == 0 or planned.gid == 0:
            sc = planned.storage_class
            field = "uid" if planned.uid == 0 else "gid"
            return (
                f"StorageClass {sc.name} provisions access points as {field} 0",
                at(sc, "parameters", field),
                Severity.HIGH,
                Confidence.HIGH,
            )
        return None
    if chain.access_point_id:
        return None  # the access point is not among the inputs
    workload = chain.workload
    if workload is None:
        return None
    where = at(workload, *workload.template_path)
    users = [workload.pod_security.run_as_user] + [
        c.run_as_user for c in workload.container_security.values()
    ]
    if 0 in users:
        return "the pod runs as uid 0", where, Severity.MEDIUM, Confidence.HIGH
    if _runs_chown(workload):
        return "a container runs chown", where, Severity.MEDIUM, Confidence.MEDIUM
    container_users = [c.run_as_user for c in workload.container_security.values()]
    if workload.pod_security.run_as_user is None and None in container_users:
        return (
            "a container sets no runAsUser (the image's default user, often root)",
            where,
            Severity.LOW,
            Confidence.LOW,
        )
    return None


def check(context: Context) -> Iterator[Result]:
    for chain in context.chains:
        fs_id = chain.file_system_id
        if not fs_id:
            continue
        use = _root_use(chain)
        if use is None:
            continue
        if not (yield from has_own_policy(context, META, fs_id)):
            continue
        denied = denied_once_mounted(context, chain, CLIENT_ROOT)
        if denied is None:
            continue
        principal, root = denied
        why, location, severity, confidence = use
        who = "an anonymous client" if principal == "anonymous" else principal
        yield META.finding(
            f"{chain.label}: {why}, but the policies do not grant {who} ClientRootAccess, so "
            "uid 0 is squashed: operations as root on files it does not own and chown fail",
            location if location.path or location.object else mount_options_location(chain),
            related=list(statement_notes(context, fs_id, root, anonymous=principal == "anonymous")),
            expected_error="Operation not permitted",
            severity=severity,
            confidence=confidence,
            fix=Fix(
                f"run as a non-root user, or grant elasticfilesystem:ClientRootAccess to {who}",
                FixSafety.UNSAFE,
            ),
            chain=chain.label,
            subjects=chain_subjects(chain),
        )
