"""A workload changes ownership on a volume whose access point makes every operation run as
another user: the ``chown`` fails with "Operation not permitted", whatever the pod runs as.

What it checks
--------------
Workloads whose EFS volume goes through an access point that enforces a non-root POSIX user
(the ``PosixUser`` of ``describe-access-points``, or the ``uid``/``gid`` a StorageClass gives
the access points it creates), as the mount simulation's access point step found it, and
that either run ``chown`` to another owner in a container or init container mounting the
volume (its ``command``/``args``), or set ``fsGroupChangePolicy``, which asks the kubelet to
change ownership.

Why it breaks mounts
--------------------
The mount works. But an access point replaces the caller's uid and gid with its own for every
file system request ("client uids ignored", efs-semantics.md §5): a container running as
root is the access point user on the volume, and only root may give a file to another owner.
``chown root:users /data`` fails with ``Operation not permitted`` and the Job fails; a
``chmod`` works only on what the access point user owns. ``fsGroup`` is never applied to EFS
volumes (the CSIDriver has no fsGroupPolicy) and the access point user owns every new file.

Example
-------
A StorageClass that provisions access points as 1000:100 and a root Job that takes the
directory back::

    # StorageClass
    parameters: {provisioningMode: efs-ap, fileSystemId: fs-0123456789abcdef0,
                 directoryPerms: "700", uid: "1000", gid: "100"}
    # Job
    command: ["/bin/sh"]
    args: ["-c", "chmod 2775 /data && chown root:users /data"]

Use instead
-----------
Create the access point with the identity the files should have (``uid``/``gid`` of the
class, or the access point's PosixUser), and drop the ownership change::

    args: ["-c", "chmod 2775 /data"]

Limits
------
Only commands written in the manifest are read; a script inside the image is not. A named
owner other than ``root`` is assumed to be another user than the access point's uid. Access
points whose POSIX user is root are not reported.

Fix safety
----------
No automatic fix.

References
----------
- efs-semantics.md §5 (POSIX user enforcement), §3.7 (provisioned access points)
- https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html
- causes.md ``access-point-posix-user-enforced``
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Severity
from efs_doctor.model.aws import PosixUser
from efs_doctor.model.chain import MountChain
from efs_doctor.model.kubernetes import ContainerCommand, Workload
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects

META = RuleMeta(
    code="AP004",
    slug="access-point-posix-user-enforced",
    summary="a workload changes ownership on a volume whose access point enforces another user",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="access-point-posix-user-enforced",
)

# chown [options] OWNER[:GROUP] path... (GNU and busybox; "." was the old separator)
_CHOWN = re.compile(r"(?<![\w./-])chown((?:\s+-{1,2}[\w-]+(?:=\S+)?)*)\s+([^\s;&|]+)")


def _other_owner(spec: str, user: PosixUser) -> str | None:
    """The owner ``chown`` gives files when it is not the access point's uid (None: the
    same uid, or no owner: a group-only change the owner may make)."""
    owner = re.split(r"[:.]", spec, maxsplit=1)[0]
    if not owner or owner == str(user.uid):
        return None
    return owner


def _runs_as(workload: Workload, container: str) -> int | None:
    own = workload.container_security.get(container)
    if own is not None and own.run_as_user is not None:
        return own.run_as_user
    return workload.pod_security.run_as_user


def _mounting(chain: MountChain) -> dict[str, list[str]]:
    """Container -> the paths where it mounts the chain's volume."""
    if chain.workload is None or chain.pod_volume is None:
        return {}
    paths: dict[str, list[str]] = {}
    for mount in chain.workload.volume_mounts:
        if mount.volume == chain.pod_volume.name:
            paths.setdefault(mount.container, []).append(mount.mount_path)
    return paths


def _chowns(
    command: ContainerCommand, user: PosixUser, paths: list[str]
) -> Iterator[tuple[str, bool]]:
    """(the command, whether it names a path of the volume) for each chown to another owner."""
    text = " ".join(command.words)
    for match in _CHOWN.finditer(text):
        owner = _other_owner(match.group(2), user)
        if owner is None:
            continue
        rest = text[match.end() :]
        on_volume = any(path and path in rest.split("&&")[0] for path in paths)
        yield match.group(0).strip(), on_volume


def check(context: Context) -> Iterator[Result]:
    seen: set[tuple[str, str]] = set()
    for chain in context.chains:
        workload = chain.workload
        if workload is None:
            continue
        user = context.simulator.enforced_user(chain)  # the engine's access point step
        if user is None or user.uid == 0:
            continue
        mounting = _mounting(chain)
        for command in workload.commands:
            if command.container not in mounting:
                continue
            uid = _runs_as(workload, command.container)
            who = {None: "as the image's user (root unless it sets one)", 0: "as root"}.get(
                uid, f"as uid {uid}"
            )
            for text, on_volume in _chowns(command, user, mounting[command.container]):
                key = (workload.key, f"{command.container}:{text}")
                if key in seen:
                    continue
                seen.add(key)
                kind = "init container" if command.init else "container"
                yield META.finding(
                    f"{workload.kind} {workload.namespace}/{workload.name} {kind} "
                    f"{command.container} runs `{text}` {who}, but the access point makes every "
                    f"operation on its volume uid {user.uid} gid {user.gid}: the chown fails "
                    "with 'Operation not permitted'",
                    at(workload, *command.field_path),
                    confidence=Confidence.HIGH if on_volume else Confidence.MEDIUM,
                    chain=chain.label,
                    subjects=chain_subjects(chain),
                )
        policy = workload.pod_security.fs_group_change_policy
        if policy is not None and (workload.key, "fsGroupChangePolicy") not in seen:
            seen.add((workload.key, "fsGroupChangePolicy"))
            yield META.finding(
                f"{workload.kind} {workload.namespace}/{workload.name} sets fsGroupChangePolicy "
                f"{policy}, but its EFS volume's access point makes every operation uid "
                f"{user.uid} gid {user.gid}: the kubelet changes no ownership there (fsGroup "
                "is not applied to EFS volumes) and new files belong to the access point user",
                at(workload, *workload.template_path, "securityContext", "fsGroupChangePolicy"),
                severity=Severity.LOW,
                chain=chain.label,
                subjects=chain_subjects(chain),
            )
