"""The pod runs as a different uid/gid than the access point enforces: files appear owned by
another user, and software that checks ownership refuses to start.

What it checks
--------------
Workloads that mount an EFS volume through an access point with a ``PosixUser`` (from
``describe-access-points``, or planned from a StorageClass's ``uid``/``gid``) while setting
``runAsUser``/``runAsGroup`` (pod or container) to other values.

Why it breaks mounts
--------------------
An access point replaces the client's uid/gid with its ``PosixUser`` for every operation
(efs-semantics.md §5): the mount works and writes succeed, but files are created as the
access point's user, and the process sees them owned by a uid that is not its own.
Software that verifies ownership (databases checking their data directory, ``ssh``,
``git``'s safe.directory) fails, and ``chown`` to the pod's user is refused.

Example
-------
::

    # aws efs describe-access-points
    "PosixUser": {"Uid": 1000, "Gid": 1000}
    # the pod that mounts it
    securityContext:
      runAsUser: 999
      runAsGroup: 999

Use instead
-----------
Run the pod as the access point's uid/gid (or create the access point with the pod's
identity: ``uid``/``gid`` in the StorageClass)::

    securityContext:
      runAsUser: 1000
      runAsGroup: 1000

Limits
------
Applications that do not care about ownership are unaffected; hence low severity.

Fix safety
----------
No automatic fix.

References
----------
- efs-semantics.md §5 (POSIX user enforcement), §3.7 (provisioned access points)
- https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects

META = RuleMeta(
    code="AP003",
    slug="posix-user-vs-pod-security-context",
    summary="pod runAsUser/runAsGroup differ from the access point's POSIX user",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    needs=("manifests", "access-points"),
)


def check(context: Context) -> Iterator[Result]:
    for chain in context.chains:
        workload = chain.workload
        if workload is None:
            continue
        if chain.access_point is not None and chain.access_point.posix_user is not None:
            uid, gid = chain.access_point.posix_user.uid, chain.access_point.posix_user.gid
            source = Related(
                chain.access_point.source.location("PosixUser", object_name=chain.access_point.id),
                f"access point {chain.access_point.id} enforces uid {uid} gid {gid}",
            )
        elif (
            chain.planned is not None
            and chain.planned.uid is not None
            and chain.planned.gid is not None
        ):
            uid, gid = chain.planned.uid, chain.planned.gid
            sc = chain.planned.storage_class
            source = Related(
                at(sc, "parameters"),
                f"StorageClass {sc.name} provisions access points as uid {uid} gid {gid}",
            )
        else:
            continue
        security = workload.pod_security
        user = security.run_as_user
        group = security.run_as_group
        if user is None or (user == uid and (group is None or group == gid)):
            continue
        yield META.finding(
            f"{workload.kind} {workload.namespace}/{workload.name} runs as uid {user}"
            f"{f' gid {group}' if group is not None else ''}, but the access point makes every "
            f"operation on the volume uid {uid} gid {gid}: files it creates are owned by "
            f"{uid}, not by the pod's user",
            at(workload, *workload.template_path, "securityContext"),
            related=[source],
            chain=chain.label,
            subjects=chain_subjects(chain),
        )
