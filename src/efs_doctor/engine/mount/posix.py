"""After EFS admits the client: the sub-path (§3.2, §7 row 2) and what the pod gets (§10.11):
read-only or read-write, root or squashed, and the POSIX identity files are written as.

- A handle sub-path must exist (relative to the access point root when there is one); EFS
  does not create it, and efs-doctor cannot look inside the file system.
- With an access point that has a PosixUser, every operation runs as that user (§5).
- Otherwise the pod's own uid/gid: the container's ``runAsUser``/``runAsGroup``, else the
  pod's, else the image default (often root). ``fsGroup`` is not applied to EFS volumes
  (CSIDriver without fsGroupPolicy, no fsType; §3.6).
- Without ClientRootAccess uid 0 is squashed to an unprivileged user; the exact uid is not
  documented (NFS convention 65534; §4.7, §9 Q4).
- Without ClientWrite the mount succeeds but writes fail (``Read-only file system``, §4.7).
"""

from __future__ import annotations

from dataclasses import dataclass

from efs_doctor.data.references import section_url
from efs_doctor.engine.mount.model import Access, PosixIdentity, Step, StepStatus, step
from efs_doctor.model.aws import PosixUser
from efs_doctor.model.chain import MountChain


@dataclass(frozen=True, slots=True)
class SubPathCheck:
    status: StepStatus
    evidence: tuple[str, ...]
    cause: str | None = None
    reason: str | None = None


def check_sub_path(subpath: str, access_point_root: str | None, fs_id: str) -> SubPathCheck:
    if subpath in ("", "/", "."):
        return SubPathCheck("ok", ("mounting the root of the file system or access point",))
    base = f"access point root {access_point_root}" if access_point_root else fs_id
    return SubPathCheck(
        "indeterminate",
        (f"sub-path {subpath} must already exist under {base}; EFS does not create it",),
        cause="subpath-missing",
        reason=f"whether {subpath} exists under {base} cannot be seen from the inputs; if it "
        "does not, mount.nfs4 reports 'No such file or directory'",  # efs-semantics.md §7 row 2
    )


def _pod_identity(chain: MountChain) -> tuple[int | None, int | None, str]:
    workload = chain.workload
    if workload is None:
        return None, None, "no pod: the writing process's uid is not known"
    volume = chain.pod_volume.name if chain.pod_volume is not None else None
    containers = [m.container for m in workload.volume_mounts if m.volume == volume]
    pod = workload.pod_security
    for name in containers:
        own = workload.container_security.get(name)
        uid = own.run_as_user if own and own.run_as_user is not None else pod.run_as_user
        gid = own.run_as_group if own and own.run_as_group is not None else pod.run_as_group
        if uid is not None:
            return uid, gid, f"securityContext of container {name} in {workload.key}"
    if pod.run_as_user is not None:
        return pod.run_as_user, pod.run_as_group, f"pod securityContext of {workload.key}"
    return None, None, "the container image's default user (often root): not set in the pod"


def enforcement_note(chain: MountChain, user: PosixUser, access_point_id: str | None) -> str:
    """What an access point's PosixUser does to the pod's own identity (§5: "client uids
    ignored"; https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html): every file
    operation runs as that user, so root in the pod is not root on the volume."""
    origin = (
        f"access point {access_point_id}"
        if access_point_id
        else f"the access point StorageClass {chain.planned.storage_class.name} creates"
        if chain.planned is not None
        else "the access point"
    )
    uid, _gid, declared = _pod_identity(chain)
    if uid is not None:
        who = f"the pod's uid {uid} ({declared})"
    else:
        who = "the pod's own uid (root unless the image says otherwise)"
    text = (
        f"{origin} enforces uid {user.uid} gid {user.gid}: every file operation runs as that "
        f"user, not as {who}"
    )
    if user.uid != 0:
        text += (
            f"; chown to another owner fails with 'Operation not permitted', chmod works only "
            f"on what uid {user.uid} owns, and fsGroup changes nothing"
        )
    return text


def result_identity(
    chain: MountChain,
    posix_user: PosixUser | None,
    access_point_id: str | None,
    root_allowed: bool,
) -> tuple[PosixIdentity, list[str]]:
    notes: list[str] = []
    if posix_user is not None:
        identity = PosixIdentity(
            posix_user.uid,
            posix_user.gid,
            posix_user.secondary_gids,
            f"access point {access_point_id or '(to be created)'} PosixUser: every operation "
            "runs as this user, whatever the pod's uid",
            squashed=posix_user.uid == 0 and not root_allowed,
        )
        return identity, notes
    uid, gid, source = _pod_identity(chain)
    squashed = (uid == 0 or uid is None) and not root_allowed
    if squashed:
        notes.append(
            "root is squashed (no ClientRootAccess): uid 0 acts as an unprivileged user "
            "(uid not documented, 65534 by NFS convention); chown fails"
            + ("" if uid == 0 else " — applies if the image runs as root")
        )
    workload = chain.workload
    if workload is not None and workload.pod_security.fs_group is not None:
        notes.append(
            f"fsGroup {workload.pod_security.fs_group} is not applied to EFS volumes "
            "(no fsType, CSIDriver without fsGroupPolicy)"  # efs-semantics.md §3.6
        )
    return PosixIdentity(uid, gid, (), source, squashed=squashed and uid == 0), notes


def effective_access(
    read_only: bool, write: bool | None, root: bool | None, posix_user: PosixUser | None
) -> Access:
    """``root``: the client can act as uid 0 — ClientRootAccess, and no access point forcing
    a non-root PosixUser on every operation (§5)."""
    as_root = bool(root) and (posix_user is None or posix_user.uid == 0)
    return Access(read=True, write=bool(write) and not read_only, root=as_root)


def result_step(
    chain: MountChain,
    posix_user: PosixUser | None,
    access_point_id: str | None,
    granted: tuple[bool | None, bool | None],
    settled: bool,
) -> tuple[Step, PosixIdentity, Access]:
    """Step 11: ``granted`` is (ClientWrite, ClientRootAccess) once ClientMount is allowed;
    ``settled``: every earlier step passed (else the access applies if the mount works)."""
    write, root = granted
    identity, notes = result_identity(chain, posix_user, access_point_id, bool(root))
    access = effective_access(chain.read_only, write, root, posix_user)
    if access.root:
        root_text = "root allowed"
    elif posix_user is not None:
        root_text = f"no root: everything runs as the access point user {posix_user.uid}"
    else:
        root_text = "root squashed"
    evidence = [f"{'read-write' if access.write else 'read-only'}, {root_text}"]
    if chain.read_only:
        evidence.append("the volume is published read-only (pod or PV readOnly): ro option")
    elif not access.write:
        # efs-semantics.md §4.7
        evidence.append(
            "no ClientWrite: the mount succeeds but writes fail with 'Read-only file system'"
        )
    uid = "?" if identity.uid is None else str(identity.uid)
    gid = "?" if identity.gid is None else str(identity.gid)
    evidence.append(f"files are written as uid {uid} gid {gid} ({identity.source})")
    evidence.extend(notes)
    if not settled:
        evidence.append("this is the access the pod gets if the undetermined steps above pass")
    # efs-semantics.md §10 step 11: the effective access follows from the actions granted (§4.7).
    return step("result", "ok", evidence, section_url("4.7")), identity, access
