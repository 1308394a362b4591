"""What the EFS CSI controller's CreateVolume makes of a StorageClass's parameters, before it
calls AWS (efs-semantics.md §3.7; aws-efs-csi-driver v3.4.1 ``pkg/driver/controller.go``
``CreateVolume`` and ``parseAccessPointConstraints``, ``filesystem_id_finder.go``).

Each check returns ``None`` or a :class:`Refusal`: the parameter at fault, the gRPC code and
the driver's message (the ``desc`` of the ProvisioningFailed event). The provisioning step
(``provisioning.py``) runs them in the driver's order; the StorageClass rules ask them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from efs_doctor.engine.mount.golang import parse_go_bool
from efs_doctor.model.chain import FILE_SYSTEM_ID_KEYS, ObjectKeyRef, parse_object_key_ref
from efs_doctor.model.inventory import Inventory

# pkg/driver/controller.go constants (v3.4.1): the per-file-system access point limit the
# GID range is capped at, and the default range. The EFS quota is the same 10,000
# ("A file system can have a maximum of 10,000 access points unless you request an
# increase", https://docs.aws.amazon.com/efs/latest/ug/create-access-point.html).
ACCESS_POINT_LIMIT = 10_000
DEFAULT_GID_MIN = 50_000
DEFAULT_GID_MAX = DEFAULT_GID_MIN + ACCESS_POINT_LIMIT
# CreateAccessPoint's CreationInfo.Permissions pattern (API_CreationInfo).
OCTAL_MODE = re.compile(r"[0-7]{3,4}")
# Root path limits the controller checks (validatePathRequirements) and the characters the
# RootDirectory.Path pattern refuses (API_RootDirectory, efs-semantics.md §5).
UUID_SUFFIX = 37  # "-" + a 36-character UUID (ensureUniqueDirectory)
PV_NAME_LENGTH = 40  # "pvc-" + a 36-character UUID
DEFAULT_NAME_LENGTH = 20
FORBIDDEN_PATH_CHARACTERS = re.compile(r"[$#<>;`|&?{}^*\n]")
_BOOLEANS = ("reuseAccessPoint", "enforceZoneAffinity", "enableTagging")


@dataclass(frozen=True, slots=True)
class Refusal:
    parameter: str  # the parameter at fault ("parameters" when none in particular)
    code: str  # gRPC code: InvalidArgument | Internal | Unauthenticated
    message: str
    cause: str = "storageclass-parameters-invalid"
    verbatim: bool = True  # ``message`` is the driver's text (else a description of it)


@dataclass(frozen=True, slots=True)
class FileSystemIdAnswer:
    """``file_system_id`` when the driver resolves one; ``refusal`` when it refuses the
    parameters; both None with ``unknown`` saying which input is missing."""

    file_system_id: str | None
    how: str
    refusal: Refusal | None = None
    unknown: str | None = None
    reference: ObjectKeyRef | None = None


def boolean_refusal(parameters: Mapping[str, str]) -> Refusal | None:
    """reuseAccessPoint, enforceZoneAffinity, enableTagging: read with strconv.ParseBool
    first of all (CreateVolume's opening lines)."""
    for name in _BOOLEANS:
        if name in parameters and parse_go_bool(parameters[name]) is None:
            return Refusal(name, "InvalidArgument", f"Invalid value for {name} parameter")
    return None


def resolve_file_system_id(
    parameters: Mapping[str, str], inventory: Inventory
) -> FileSystemIdAnswer:
    """findFileSystemId: exactly one of fileSystemId / fileSystemIdConfigRef /
    fileSystemIdSecretRef (blank values do not count), then the reference read."""

    def refused(parameter: str, why: str) -> FileSystemIdAnswer:
        refusal = Refusal(parameter, "InvalidArgument", f"Failed to resolve filesystem Id {why}")
        return FileSystemIdAnswer(None, "", refusal)

    given = [key for key in FILE_SYSTEM_ID_KEYS if parameters.get(key, "").strip()]
    if len(given) > 1:
        return refused(
            given[1],
            "only one of fileSystemId, fileSystemIdConfigRef, or fileSystemIdSecretRef can be "
            "specified",
        )
    if not given:
        return refused(
            "parameters",
            "one of fileSystemId, fileSystemIdConfigRef, or fileSystemIdSecretRef must be "
            "specified",
        )
    key = given[0]
    if key == "fileSystemId":
        return FileSystemIdAnswer(parameters[key].strip(), "fileSystemId")
    ref = parse_object_key_ref(parameters[key])
    if isinstance(ref, str):
        return refused(key, f"invalid {key} reference: {ref}")
    where = f"{ref.namespace}/{ref.name}"
    if key == "fileSystemIdSecretRef":
        return FileSystemIdAnswer(
            None,
            f"Secret {where} key {ref.key}",
            unknown=f"the file system ID is in Secret {where}, which efs-doctor does not read",
            reference=ref,
        )
    config_map = inventory.config_maps.get(where)
    if config_map is None:
        return FileSystemIdAnswer(
            None,
            f"ConfigMap {where} key {ref.key}",
            unknown=f"ConfigMap {where} is not among the inputs (the controller reads it, "
            "and needs RBAC permission to get it)",
            reference=ref,
        )
    value = config_map.data.get(ref.key, "").strip()
    if not value:
        return refused(key, f"key {ref.key} not found or empty in ConfigMap {where}")
    return FileSystemIdAnswer(value, f"ConfigMap {where} key {ref.key}", reference=ref)


def _parse_error(name: str, value: str) -> str:
    return f'Failed to parse invalid {name}: strconv.ParseInt: parsing "{value}": invalid syntax'


def _int(value: str) -> int | None:
    try:
        return int(value.strip(), 10)
    except ValueError:
        return None


def constraint_refusal(parameters: Mapping[str, str]) -> Refusal | None:
    """parseAccessPointConstraints: uid, gid, then gidRangeStart/gidRangeEnd."""
    for name in ("uid", "gid"):
        if name in parameters:
            number = _int(parameters[name])
            if number is None:
                return Refusal(name, "InvalidArgument", _parse_error(name, parameters[name]))
            if number < 0:
                return Refusal(name, "InvalidArgument", f"{name} must be greater or equal than 0")
    start = 0
    if "gidRangeStart" in parameters:
        parsed = _int(parameters["gidRangeStart"])
        if parsed is None:
            message = _parse_error("gidRangeStart", parameters["gidRangeStart"])
            return Refusal("gidRangeStart", "InvalidArgument", message)
        if parsed <= 0:
            return Refusal(
                "gidRangeStart", "InvalidArgument", "gidRangeStart must be greater than 0"
            )
        start = parsed
    if "gidRangeEnd" in parameters:
        if start == 0:
            return Refusal("gidRangeEnd", "InvalidArgument", "Missing gidRangeStart parameter")
        end = _int(parameters["gidRangeEnd"])
        if end is None:
            message = _parse_error("gidRangeEnd", parameters["gidRangeEnd"])
            return Refusal("gidRangeEnd", "InvalidArgument", message)
        if end <= start:
            return Refusal(
                "gidRangeEnd", "InvalidArgument", "gidRangeEnd must be greater than gidRangeStart"
            )
    elif start != 0:
        return Refusal("gidRangeStart", "InvalidArgument", "Missing gidRangeEnd parameter")
    return None


def gid_range(parameters: Mapping[str, str]) -> tuple[int, int]:
    """The GIDs the allocator tries, for parameters ``constraint_refusal`` accepts: the
    class's range (default 50000-60000), capped at the access point limit
    (gid_allocator.go getNextUnusedGid)."""
    start = _int(parameters.get("gidRangeStart", "")) or DEFAULT_GID_MIN
    end = _int(parameters.get("gidRangeEnd", "")) or DEFAULT_GID_MAX
    return start, min(end, start + ACCESS_POINT_LIMIT)


def fixed_ids(parameters: Mapping[str, str]) -> tuple[int | None, int | None]:
    """uid and gid when the class sets them (then no GID is allocated for them)."""
    uid = _int(parameters["uid"]) if "uid" in parameters else None
    gid = _int(parameters["gid"]) if "gid" in parameters else None
    return uid, gid


def free_gid(parameters: Mapping[str, str], used: Iterable[int]) -> int | None:
    """The GID the allocator picks: the first of the range no access point of the file
    system uses as its PosixUser gid; None when the range is exhausted."""
    start, end = gid_range(parameters)
    taken = {gid for gid in used if start <= gid <= end}
    return next((gid for gid in range(start, end + 1) if gid not in taken), None)


def root_directory_refusal(
    parameters: Mapping[str, str],
    claims: Iterable[tuple[str, str]],
    *,
    old_join: bool,
) -> Refusal | None:
    """The access point root the controller builds, basePath + subPathPattern (or the PV
    name) + ``-<uuid>`` unless ensureUniqueDirectory is false, for the longest of ``claims``
    ((namespace, name); none: a typical name); ``old_join``: drivers before v1.7.0 joined
    basePath + '/' + name without cleaning the path."""
    base = parameters.get("basePath")
    if base is not None and old_join and (base == "/" or not base.startswith("/")):
        return Refusal(
            "basePath",
            "Internal",
            f"basePath {base!r}: drivers before v1.7.0 join it as basePath + '/' + name, "
            f"giving {base + '/pvc-...'!r}, which EFS rejects as an access point path",
            "storageclass-basepath-invalid",
            verbatim=False,
        )
    base = base or ""
    pattern = parameters.get("subPathPattern")
    unique = parse_go_bool(parameters.get("ensureUniqueDirectory", "true")) is not False
    names = list(claims) or [("x" * DEFAULT_NAME_LENGTH, "x" * DEFAULT_NAME_LENGTH)]
    longest = ""
    if pattern is None:
        longest = posixpath.join("/", base.lstrip("/"), "p" * PV_NAME_LENGTH)
    else:
        for namespace, name in names:
            value = (
                pattern.replace("${.PVC.name}", name)
                .replace("${.PVC.namespace}", namespace)
                .replace("${.PV.name}", "p" * PV_NAME_LENGTH)
            )
            if "${" in value or "}" in value:
                return Refusal(
                    "subPathPattern",
                    "InvalidArgument",
                    f'Path specified "{pattern}" contains invalid elements. Can only contain '
                    "[.PV.name .PVC.name .PVC.namespace]",
                    "storageclass-basepath-invalid",
                )
            if unique:
                value += "-" + "u" * (UUID_SUFFIX - 1)
            candidate = posixpath.normpath(posixpath.join("/", base.lstrip("/"), value))
            longest = max(longest, candidate, key=len)
    if len(longest) > 100:
        return Refusal(
            "basePath",
            "InvalidArgument",
            f"Proposed path '{longest}' exceeds file system limit of 100 characters",
            "storageclass-basepath-invalid",
        )
    if longest.count("/") > 5:
        return Refusal(
            "basePath",
            "InvalidArgument",
            f"Proposed path '{longest}' file system limit of 4 subdirectories",
            "storageclass-basepath-invalid",
        )
    if FORBIDDEN_PATH_CHARACTERS.search(base):
        return Refusal(
            "basePath",
            "Internal",
            f"basePath {base!r} contains a character EFS refuses in a path",
            "storageclass-basepath-invalid",
            verbatim=False,
        )
    return None


def directory_perms_problem(parameters: Mapping[str, str]) -> str | None:
    """Why CreateAccessPoint will refuse CreationInfo.Permissions: the driver sends
    directoryPerms unchecked (an empty string when absent) and the API requires
    ``^[0-7]{3,4}$`` (efs-semantics.md §3.7; the API's exact message is not verified)."""
    value = parameters.get("directoryPerms")
    if value is None:
        return "no directoryPerms: the driver sends an empty mode"
    if not OCTAL_MODE.fullmatch(value):
        return f"directoryPerms {value!r} is not an octal mode of 3-4 digits"
    return None
