"""Whether EFS lets the mount's principal (or each candidate principal) mount, and on a
denial the text mount.nfs4 prints (efs-semantics.md §4.7, §2.10); step 9 of §10.

- ``access denied by server while mounting <host>:<path>``, exit 32. The host is 127.0.0.1
  behind the local proxy (every mount on efs-utils >= 2.0, TLS mounts before), else the DNS
  name or the mount target IP efs-utils chose (§2.5).
- Access point mounts on efs-utils >= 2.4.2 retry ``access denied`` twice first (§2.10).
- An access point whose PosixUser is uid 0 needs ClientRootAccess; whether the mount fails
  or is squashed without it is not documented (§9 Q7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from efs_doctor.data.references import section_url
from efs_doctor.engine.mount import kubelet
from efs_doctor.engine.mount.admission import MountRequest
from efs_doctor.engine.mount.authorization import Authorization
from efs_doctor.engine.mount.credentials import Principal
from efs_doctor.engine.mount.dns import Target
from efs_doctor.engine.mount.model import Step, step
from efs_doctor.engine.mount.node_checks import behind_proxy, nfs_failure
from efs_doctor.engine.mount.versions import Versions

UNKNOWN_PRINCIPAL = Authorization(
    "indeterminate",
    None,
    None,
    None,
    "?",
    None,
    ("the principal is not known (see credentials)",),
    section_url("4.4"),
    reason="the principal efs-utils presents is not known",
)


def combine(results: Sequence[Authorization], candidates: Sequence[Principal]) -> Authorization:
    """One answer for several candidate principals: theirs when they agree, else undecided."""
    first = results[0]
    if all(
        (r.status, r.mount, r.write, r.root) == (first.status, first.mount, first.write, first.root)
        for r in results
    ):
        if len(results) == 1:
            return first
        note = "the same answer for " + " and ".join(c.role_arn for c in candidates)
        return replace(first, evidence=(*first.evidence, note))
    parts = [f"{c.role_arn}: {r.status}" for c, r in zip(candidates, results, strict=True)]
    return Authorization(
        "indeterminate",
        None,
        None,
        None,
        first.principal,
        first.principal_session,
        tuple(e for r in results for e in r.evidence),
        first.source,
        reason="the answer depends on which principal efs-utils ends up with ("
        + "; ".join(parts)
        + ")",
    )


def _denied_error(request: MountRequest, target: Target, versions: Versions) -> str:
    proxy = behind_proxy(request, versions)
    host = "127.0.0.1" if proxy else (target.ip if target.via != "dns" else None) or target.dns_name
    retried = proxy and request.access_point_id is not None and versions.retries_access_point_denied
    stderr = kubelet.nfs_access_denied(request.subpath, host)
    return nfs_failure(request, versions, stderr, retried=retried)


def authorization_step(
    auth: Authorization,
    request: MountRequest,
    target: Target,
    versions: Versions,
    root_access_point_user: bool,
) -> Step:
    if auth.status == "failed":
        return step(
            "authorization",
            "failed",
            auth.evidence,
            auth.source,
            cause=auth.cause,
            error=_denied_error(request, target, versions),
            reason=auth.reason,
        )
    if auth.status == "ok" and root_access_point_user and auth.root is False:
        return step(
            "authorization",
            "indeterminate",
            auth.evidence,
            auth.source,
            # efs-semantics.md §4.7 (uid 0 needs ClientRootAccess), §9 Q7
            reason="the access point's PosixUser is uid/gid 0, which needs ClientRootAccess; "
            "whether the mount then fails or is squashed is not documented",
        )
    return step(
        "authorization",
        auth.status,
        auth.evidence,
        auth.source,
        cause=auth.cause if auth.status != "ok" else None,
        reason=auth.reason,
    )
