"""Dynamic provisioning, the step before any node mount for a claim of an ``efs-ap``
StorageClass: the EFS CSI controller's CreateVolume (efs-semantics.md §3.7, §3.8;
aws-efs-csi-driver v3.4.1 ``pkg/driver/controller.go``, ``gid_allocator.go``).

In the driver's order: the boolean parameters, the file system ID (``fileSystemId``, or a
ConfigMap / Secret reference), uid/gid and the GID range, the controller's role, then each
EFS call — ``DescribeAccessPoints`` (when a GID is allocated: a file system that does not
exist, or an ID that is not one, fails here), the GID allocation, the root directory,
``CreateAccessPoint`` (its permissions, the file system when no list call was made,
``directoryPerms``, the per-file-system access point quota). A failure reads as the
ProvisioningFailed event the external-provisioner records, and the claim stays Pending.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from efs_doctor.data.references import section_url
from efs_doctor.engine.iam.permissions import Permission
from efs_doctor.engine.mount import controller as ctl
from efs_doctor.engine.mount.model import Step, step, where
from efs_doctor.engine.mount.placement import Placement
from efs_doctor.engine.mount.provisioning_parameters import (
    ACCESS_POINT_LIMIT,
    Refusal,
    boolean_refusal,
    constraint_refusal,
    directory_perms_problem,
    fixed_ids,
    free_gid,
    gid_range,
    resolve_file_system_id,
    root_directory_refusal,
)
from efs_doctor.engine.mount.versions import Version, Versions
from efs_doctor.engine.mount.view import ACCESS_POINTS, FILE_SYSTEMS, InventoryView
from efs_doctor.model.chain import MountChain
from efs_doctor.model.kubernetes import StorageClass
from efs_doctor.model.volume_handle import FILE_SYSTEM_ID

# The FileSystemId the EFS API accepts (API_CreateAccessPoint, API_DescribeAccessPoints):
# an ID or a file system ARN.
_FILE_SYSTEM_ARN = re.compile(
    r"^arn:aws[-a-z]*:elasticfilesystem:[0-9a-z-:]+:file-system/fs-[0-9a-f]{8,40}\Z"
)
# What the AWS SDK for Go v2 prefixes an API error with; the API's own text after it is not
# documented for these cases, so it is left out.
_SDK_ERROR = "operation error EFS: {operation}, …"


@dataclass(frozen=True, slots=True)
class Provisioning:
    """The provisioning step and the answers behind it, for the rules that ask."""

    step: Step
    role: ctl.ControllerRole | None
    permissions: tuple[Permission, ...]
    file_system_id: str | None


def provisioning_failed(storage_class: str, code: str, message: str) -> str:
    """The ProvisioningFailed event's message (external-provisioner wrapping the controller's
    gRPC error; efs-semantics.md §3.8, §7 row 36)."""
    return (
        f'failed to provision volume with StorageClass "{storage_class}": rpc error: '
        f"code = {code} desc = {message}"
    )


def well_formed_file_system_id(value: str) -> bool:
    return bool(FILE_SYSTEM_ID.match(value) or _FILE_SYSTEM_ARN.match(value))


class _Run:
    """One CreateVolume: evidence, the first certain failure, the open questions."""

    def __init__(self, sc: StorageClass) -> None:
        self.sc = sc
        self.evidence: list[str] = []
        self.unknown: list[tuple[str, str]] = []  # (cause, why)
        self.failure: Step | None = None
        self.unchecked: set[str] = set()
        self.source = where(sc.source, section_url("3.7"))

    def fail(
        self, cause: str, code: str, message: str, reason: str, *, verbatim: bool = True
    ) -> None:
        if self.failure is not None:
            return
        error = provisioning_failed(self.sc.name, code, message) if verbatim else None
        self.failure = step(
            "provisioning",
            "failed",
            self.evidence,
            self.source,
            cause=cause,
            error=error,
            reason=f"the EFS CSI controller cannot provision the claim, which stays Pending: "
            f"{reason}",
        )

    def refuse(self, refusal: Refusal) -> None:
        self.fail(
            refusal.cause,
            refusal.code,
            refusal.message,
            refusal.message,
            verbatim=refusal.verbatim,
        )

    def result(self) -> Step:
        if self.failure is not None:
            return self.failure
        if self.unknown:
            return step(
                "provisioning",
                "indeterminate",
                self.evidence,
                self.source,
                cause=self.unknown[0][0],
                reason="whether the controller can provision the claim is not known: "
                + "; ".join(why for _, why in self.unknown),
                unchecked=self.unchecked,
            )
        return step("provisioning", "ok", self.evidence, self.source, unchecked=self.unchecked)


def provision(
    chain: MountChain,
    view: InventoryView,
    versions: Versions,
    placements: Sequence[Placement],
) -> Provisioning:
    """CreateVolume for the planned volume of ``chain`` (which must have one)."""
    assert chain.planned is not None
    sc = chain.planned.storage_class
    parameters = sc.parameters
    run = _Run(sc)
    refusal = boolean_refusal(parameters)
    if refusal is not None:
        run.refuse(refusal)
        return Provisioning(run.result(), None, (), None)
    resolved = resolve_file_system_id(parameters, view.inventory)
    if resolved.refusal is not None:
        run.refuse(resolved.refusal)
        return Provisioning(run.result(), None, (), None)
    fs_id = resolved.file_system_id
    if not view.has(FILE_SYSTEMS):
        run.unchecked.add("file-system-not-found")
    if not view.has(ACCESS_POINTS):
        run.unchecked.update(("gid-range-exhausted", "access-point-limit"))
    if fs_id is None:
        run.unknown.append(("storageclass-parameters-invalid", resolved.unknown or ""))
    else:
        run.evidence.append(f"file system {fs_id} (from {resolved.how})")
    refusal = constraint_refusal(parameters)
    if refusal is not None:
        run.refuse(refusal)
        return Provisioning(run.result(), None, (), fs_id)
    tags = ctl.tagging(parameters)
    assert tags is not None  # boolean_refusal has read enableTagging
    calls = ctl.controller_calls(parameters, tags, versions)
    cross_account = any(k.startswith("csi.storage.k8s.io/provisioner-secret") for k in parameters)
    role = None if cross_account else ctl.controller_role(view, placements)
    decided: dict[str, Permission] = {}
    if cross_account:
        run.evidence.append(
            "cross-account provisioning: the controller assumes the role named in the "
            "provisioner secret, which efs-doctor does not read"  # efs-semantics.md §3.7
        )
        run.unknown.append(
            ("cross-account-assume-role", "the role in the provisioner secret is not known")
        )
    elif role is not None and role.role_arn is None:
        run.unknown.append(("csi-controller-permissions", role.why))
    elif role is not None and role.role_arn is not None and view.role(role.role_arn) is None:
        run.unknown.append(
            (
                "csi-controller-permissions",
                f"the controller's role {role.role_arn} is not among the inputs",
            )
        )
    elif role is not None and role.role_arn is not None:
        run.evidence.append(f"the controller calls EFS as {role.role_arn} ({role.how})")
        answers = ctl.decide_calls(view, role.role_arn, calls)
        decided = {a.action: a for a in answers}
    if role is not None and role.trust is not None and role.trust.verdict == "fails":
        run.fail(
            "irsa-trust-policy",
            "Unauthenticated",
            "",
            f"{role.trust.requester} cannot assume {role.role_arn} ({role.how}): "
            f"{role.trust.summary}; the AWS SDK stops there (WebIdentityErr)",
            verbatim=False,
        )
        return Provisioning(run.result(), role, tuple(decided.values()), fs_id)
    if role is not None and role.trust is not None and role.trust.verdict != "ok" and decided:
        run.evidence.append(f"assuming the controller can assume it: {role.trust.summary}")

    def allowed(action: str) -> bool:
        """False (and the run fails) when the role may not call ``action``."""
        answer = decided.get(action)
        if answer is None:
            return True
        if answer.verdict == "deny":
            short = action.split(":", 1)[1]
            run.fail(
                "csi-controller-permissions",
                "Unauthenticated",
                ctl.ACCESS_DENIED,
                f"{role.role_arn if role else 'the controller'} may not call {short}: "
                f"{answer.summary}",
            )
            return False
        if answer.verdict == "unknown":
            run.unknown.append(("csi-controller-permissions", f"{action}: {answer.summary}"))
        return True

    actions = [c.action for c in calls if c.phase == "create"]
    uid, gid = fixed_ids(parameters)
    if ctl.DESCRIBE_ACCESS_POINTS in actions or ctl.DESCRIBE_FILE_SYSTEMS in actions[:1]:
        listing = actions[0]
        if not allowed(listing):
            return Provisioning(run.result(), role, tuple(decided.values()), fs_id)
        if fs_id is not None and _file_system_refused(run, view, fs_id, listing):
            return Provisioning(run.result(), role, tuple(decided.values()), fs_id)
        if listing == ctl.DESCRIBE_ACCESS_POINTS and fs_id is not None:
            _allocate(run, view, fs_id)
    refusal = root_directory_refusal(
        parameters,
        [(chain.claim.namespace, chain.claim.name)] if chain.claim is not None else [],
        old_join=versions.csi_driver < Version(1, 7, 0),
    )
    if refusal is not None:
        run.refuse(refusal)
    for action in (ctl.CREATE_ACCESS_POINT, ctl.TAG_RESOURCE):
        if action in actions and not allowed(action):
            break
    if fs_id is not None and listing_skipped(actions):
        _create_refused_file_system(run, view, fs_id)
    problem = directory_perms_problem(parameters)
    if problem is not None and "directoryPerms" in parameters:
        run.fail(
            "storageclass-parameters-invalid",
            "Internal",
            _create_failed(fs_id or "<fileSystemId>"),
            f"{problem}; CreateAccessPoint refuses it (CreationInfo.Permissions must match "
            "^[0-7]{3,4}$)",  # efs-semantics.md §3.7
        )
    elif problem is not None:
        run.unknown.append(
            (
                "storageclass-parameters-invalid",
                f"{problem}, which CreateAccessPoint is documented to refuse (the API's "
                "answer to an empty mode is not verified)",  # efs-semantics.md §3.7, §9 Q8
            )
        )
    if fs_id is not None and view.has(ACCESS_POINTS):
        count = sum(1 for ap in view.inventory.access_points.values() if ap.file_system_id == fs_id)
        if count >= ACCESS_POINT_LIMIT:
            run.fail(
                "access-point-limit",
                "Internal",
                _create_failed(fs_id, "AccessPointLimitExceeded"),
                f"{fs_id} has {count:,} access points, the per-file-system quota of "
                f"{ACCESS_POINT_LIMIT:,} (https://docs.aws.amazon.com/efs/latest/ug/"
                "create-access-point.html)",
            )
    if ctl.DESCRIBE_FILE_SYSTEMS in actions[1:]:
        allowed(ctl.DESCRIBE_FILE_SYSTEMS)
    owner_uid = uid if uid is not None else "<allocated GID>"
    owner_gid = gid if gid is not None else "<allocated GID>"
    run.evidence.append(
        f"CreateAccessPoint: PosixUser = CreationInfo owner = {owner_uid}:{owner_gid}, "
        f"permissions {parameters.get('directoryPerms', '(none)')}, root under "
        f"{parameters.get('basePath', '/')}"
    )
    return Provisioning(run.result(), role, tuple(decided.values()), fs_id)


def listing_skipped(actions: Sequence[str]) -> bool:
    """With both uid and gid set (v2.3.1+) no list call checks the file system first:
    CreateAccessPoint meets it."""
    return actions[0] == ctl.CREATE_ACCESS_POINT


def _create_failed(fs_id: str, api_error: str | None = None) -> str:
    inner = _SDK_ERROR.format(operation="CreateAccessPoint")
    if api_error is not None:
        inner = f"{inner} {api_error}"
    return (
        f"Failed to create Access point in File System {fs_id} : "
        f"Failed to create access point: {inner}"
    )


def _file_system_refused(run: _Run, view: InventoryView, fs_id: str, listing: str) -> bool:
    """The list (or describe) call meets a file system ID that is not one, or one that does
    not exist (ListAccessPoints maps FileSystemNotFound to "Resource was not found")."""
    operation = listing.split(":", 1)[1]
    if not well_formed_file_system_id(fs_id):
        run.fail(
            "file-system-not-found",
            "Internal",
            "Failed to fetch Access Points or Describe File System: "
            + _SDK_ERROR.format(operation=operation),
            f"{fs_id!r} is not a file system ID (fs-[0-9a-f]{{8,40}}): {operation} refuses it",
        )
        return True
    if view.file_system_absent(fs_id):
        run.fail(
            "file-system-not-found",
            "InvalidArgument",
            "File System does not exist: Resource was not found",
            f"{fs_id} is not among the described file systems (a wrong ID, or another region "
            "or account)",
        )
        return True
    return False


def _create_refused_file_system(run: _Run, view: InventoryView, fs_id: str) -> None:
    if not well_formed_file_system_id(fs_id):
        run.fail(
            "file-system-not-found",
            "Internal",
            _create_failed(fs_id),
            f"{fs_id!r} is not a file system ID (fs-[0-9a-f]{{8,40}}): CreateAccessPoint "
            "refuses it",
        )
    elif view.file_system_absent(fs_id):
        run.fail(
            "file-system-not-found",
            "Internal",
            _create_failed(fs_id, "FileSystemNotFound"),
            f"{fs_id} is not among the described file systems (a wrong ID, or another region "
            "or account)",
        )


def _allocate(run: _Run, view: InventoryView, fs_id: str) -> None:
    """The GID allocator: the first GID of the range no access point of the file system
    has as its PosixUser gid (needs the file system's access points)."""
    params = run.sc.parameters
    start, end = gid_range(params)
    if not view.has(ACCESS_POINTS):
        run.evidence.append(
            f"GID from {start}-{end}: the file system's access points are not among the inputs, "
            "so whether the range has a free GID is not checked"
        )
        return
    used = [
        ap.posix_user.gid
        for ap in view.inventory.access_points.values()
        if ap.file_system_id == fs_id and ap.posix_user is not None
    ]
    gid = free_gid(params, used)
    if gid is None:
        run.fail(
            "gid-range-exhausted",
            "Internal",
            f"Failed to locate a free GID for given file system: {fs_id}. Please create a new "
            "storage class with a new file-system",
            f"every GID of {start}-{end} is the PosixUser gid of an access point of {fs_id}",
        )
        return
    run.evidence.append(f"the GID allocator picks {gid} (range {start}-{end})")
