"""Access point checks (efs-semantics.md §5): exists, belongs to the file system, available,
root directory present or creatable.

- Access point mounts need ``tls`` only; the driver adds it (§3.4 step 4).
- The root directory is created at first mount from ``CreationInfo``; without CreationInfo
  a missing root directory makes mounts fail (API_CreationInfo; efs-access-points). Whether
  the directory exists cannot be seen from the inputs.
- The exact client error for a missing root directory, an access point of another file
  system or a ``deleting`` one is not documented (§9 Q3): such failures carry no error text.
- The access point user needs execute permission on the root directory (§5).
"""

from __future__ import annotations

from dataclasses import dataclass

from efs_doctor.data.references import section_url
from efs_doctor.engine.mount.model import StepStatus
from efs_doctor.engine.mount.view import InventoryView
from efs_doctor.model.aws import AccessPoint, CreationInfo, PosixUser
from efs_doctor.model.chain import PlannedVolume


@dataclass(frozen=True, slots=True)
class AccessPointCheck:
    status: StepStatus
    access_point: AccessPoint | None
    posix_user: PosixUser | None
    root_path: str | None
    reference: str | None  # the ARN when described, else the id (see _reference)
    evidence: tuple[str, ...]
    source: str = section_url("5")
    cause: str | None = None
    reason: str | None = None


def _where(ap: AccessPoint) -> str:
    if ap.source.path is None:
        return section_url("5")
    return f"{ap.source.path}:{ap.source.line}" if ap.source.line else ap.source.path


def _can_traverse(user: PosixUser, info: CreationInfo) -> bool:
    """POSIX execute permission on a directory created with ``info``."""
    try:
        mode = int(info.permissions, 8)
    except ValueError:
        return True
    if user.uid == 0:
        return True
    if user.uid == info.owner_uid:
        return bool(mode & 0o100)
    if info.owner_gid == user.gid or info.owner_gid in user.secondary_gids:
        return bool(mode & 0o010)
    return bool(mode & 0o001)


def _reference(ap_id: str, ap: AccessPoint | None) -> str:
    """The access point's ARN when it was described, else its id: the authorizer builds the
    ARN beside the file system's (same partition, region and account)."""
    return ap.arn if ap is not None and ap.arn else ap_id


def check_access_point(
    ap_id: str | None,
    fs_id: str,
    planned: PlannedVolume | None,
    view: InventoryView,
) -> AccessPointCheck:
    if planned is not None:
        user = (
            PosixUser(planned.uid, planned.gid)
            if planned.uid is not None and planned.gid is not None
            else None
        )
        return AccessPointCheck(
            "ok",
            None,
            user,
            planned.base_path,
            "fsap-<new>",
            (
                "the controller creates the access point at provisioning: PosixUser = "
                f"CreationInfo owner = {planned.uid}:{planned.gid}, permissions "
                f"{planned.directory_perms or '(none given)'}, root under "
                f"{planned.base_path}; EFS creates the root directory at first mount",  # §3.7
            ),
            source=section_url("3.7"),
        )
    if ap_id is None:
        return AccessPointCheck("skipped", None, None, None, None, ("no access point",))
    ap = view.inventory.access_points.get(ap_id)
    if ap is None:
        if view.has_access_points:
            return AccessPointCheck(
                "failed",
                None,
                None,
                None,
                ap_id,
                (f"{ap_id} is not among the described access points",),
                cause="access-point-not-found",
                reason=f"access point {ap_id} does not exist (not in describe-access-points); "
                "the exact mount error is not documented",  # efs-semantics.md §9 Q3
            )
        return AccessPointCheck(
            "indeterminate",
            None,
            None,
            None,
            ap_id,
            ("access points not provided (aws efs describe-access-points)",),
            reason=f"access point {ap_id} is not among the inputs",
        )
    arn = _reference(ap_id, ap)
    where = _where(ap)
    evidence = [
        f"{ap.id} of {ap.file_system_id}, {ap.lifecycle_state or 'state unknown'}, root "
        f"{ap.root_path}, PosixUser "
        + (f"{ap.posix_user.uid}:{ap.posix_user.gid}" if ap.posix_user else "none")
    ]

    def checked(
        status: StepStatus, *, cause: str | None = None, reason: str | None = None
    ) -> AccessPointCheck:
        """The verdict on ``ap``, with the evidence gathered up to the call."""
        return AccessPointCheck(
            status,
            ap,
            ap.posix_user,
            ap.root_path,
            arn,
            tuple(evidence),
            where,
            cause=cause,
            reason=reason,
        )

    if ap.file_system_id != fs_id:
        return checked(
            "failed",
            cause="access-point-not-found",
            reason=f"access point {ap.id} belongs to {ap.file_system_id}, not {fs_id}; the "
            "exact mount error is not documented",  # efs-semantics.md §9 Q3
        )
    state = ap.lifecycle_state or "available"
    if state in ("deleting", "deleted", "error"):
        return checked(
            "failed",
            cause="access-point-not-found",
            reason=f"access point {ap.id} is {state}; the exact mount error is not "
            "documented",  # efs-semantics.md §9 Q3
        )
    if state != "available":
        return checked(
            "indeterminate",
            reason=f"access point {ap.id} is {state}: mounts work once it is available "
            "(efs-utils >= 2.4.2 retries access denied for access points)",  # §5, §2.10
        )
    info = ap.creation_info
    if ap.root_path in ("", "/"):
        evidence.append("root directory / always exists")
    elif info is not None:
        evidence.append(
            f"root directory {ap.root_path} is created at first mount if missing, owner "
            f"{info.owner_uid}:{info.owner_gid} mode {info.permissions} (CreationInfo)"
        )
        if ap.posix_user is not None and not _can_traverse(ap.posix_user, info):
            return checked(
                "indeterminate",
                reason=f"if EFS creates {ap.root_path} from CreationInfo, the access point user "
                f"{ap.posix_user.uid}:{ap.posix_user.gid} has no execute permission on it "
                f"(mode {info.permissions}, owner {info.owner_uid}:{info.owner_gid}), which the "
                "mount needs",  # efs-semantics.md §5
            )
    else:
        evidence.append(
            f"root directory {ap.root_path} has no CreationInfo: EFS does not create it"  # §5
        )
        return checked(
            "indeterminate",
            cause="access-point-root-dir-missing",
            reason=f"{ap.root_path} must already exist on {fs_id}: without CreationInfo EFS does "
            "not create it and the mount fails; whether it exists is not visible in the "
            "inputs, and the exact error is not documented",  # efs-semantics.md §5, §9 Q3
        )
    return checked("ok")
