"""The mount request: the CSI node plugin's option merge (efs-semantics.md §3.3-§3.4) and
efs-utils' option validation (§2.2-§2.4), both exactly as the pinned code does them and
parameterised by version.

Sources: ``kubernetes-sigs/aws-efs-csi-driver:pkg/driver/node.go`` ``NodePublishVolume`` and
``parseVolumeId`` at v3.4.1; ``aws/efs-utils:src/efs_utils_common/mount_options.py``
(``parse_options``, ``check_unsupported_options``, ``check_options_validity``) and
``constants.py`` at v3.2.0.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from efs_doctor.engine.mount.golang import go_quote, parse_go_bool
from efs_doctor.engine.mount.versions import Versions
from efs_doctor.model.volume_handle import (
    VolumeHandle,
    VolumeHandleError,
    go_path_clean,
    parse_volume_handle,
)

# efs-utils constants.py: access point ids must be exactly 17 hex digits; the driver accepts
# 8-40 (§3.2), so an id can pass the driver and fail here (§7 row 7).
EFS_UTILS_ACCESS_POINT = re.compile(r"^fsap-[0-9a-f]{17}$")
# metadata.py VALID_REGION_PATTERN (fullmatch), v3.2.0.
REGION_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?")
UNSUPPORTED_OPTIONS = ("capath",)  # constants.py UNSUPPORTED_OPTIONS
EFS_ONLY_UNSUPPORTED = ("azid",)  # mount_efs/__init__.py, v3.0.0+
# constants.py NON_NFS_OPTIONS: consumed by efs-utils, never passed to mount.nfs4 (§2.2).
NON_NFS_OPTIONS = frozenset(
    {
        "accesspoint",
        "awscredsuri",
        "awsprofile",
        "az",
        "azid",
        "cafile",
        "iam",
        "mounttargetip",
        "netns",
        "noocsp",
        "notls",
        "ocsp",
        "region",
        "tls",
        "tlsport",
        "verify",
        "rolearn",
        "jwtpath",
        "crossaccount",
        "stunnel",
        "nodirects3read",
        "nos3readcache",
    }
)
# Messages rules point at (the driver's node.go, efs-utils' mount_options.py).
TLS_WITHOUT_ENCRYPTION = "Found tls in mountOptions but encryptInTransit is false"
IAM_WITHOUT_TLS = 'The "tls" option is required when mounting via "iam"'
PROVISIONER_IDENTITY = "storage.kubernetes.io/csiprovisioneridentity"


@dataclass(frozen=True, slots=True)
class CsiRejection:
    """NodePublishVolume returned an error before running ``mount``."""

    code: str  # gRPC code name, e.g. "InvalidArgument"
    message: str
    cause: str | None
    field: str  # what in the PV it is about, for the evidence
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CsiMount:
    """What NodePublishVolume runs: ``mount -t <fstype> -o <options> <source> <target>``."""

    options: tuple[str, ...]
    source: str
    handle: VolumeHandle
    fstype: str
    encrypt_in_transit: bool
    notes: tuple[str, ...]  # warnings the driver logs, decisions worth showing

    @property
    def option_text(self) -> str:
        return ",".join(self.options)

    def arguments(self, target: str) -> str:
        """``Mounting arguments`` as k8s mount-utils logs them (§3.9)."""
        if self.options:
            return f"-t {self.fstype} -o {self.option_text} {self.source} {target}"
        return f"-t {self.fstype} {self.source} {target}"

    def command(self, target: str) -> str:
        return f"mount {self.arguments(target)}"


def _bool_error(key: str, value: str) -> str:
    return (
        f"Volume context property {go_quote(key)} must be a boolean value: "
        f"strconv.ParseBool: parsing {go_quote(value)}: invalid syntax"
    )


def _go_parse_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def read_volume_attribute(
    key: str,
    value: str,
    versions: Versions,
    node_zone: str | None,
    notes: list[str] | None = None,
) -> bool | str | CsiRejection | None:
    """One ``volumeAttributes`` entry as NodePublishVolume reads it (§3.3): the boolean of
    ``encryptInTransit`` / ``crossAccount``, the mount target IP of ``mountTargetIp`` /
    ``mountTargetIpMap``, the legacy ``path``; None when it adds nothing; the rejection when
    the driver refuses it. Keys are matched case-insensitively, as the driver lower-cases them.
    """
    notes = [] if notes is None else notes
    lowered = key.lower()
    if lowered == PROVISIONER_IDENTITY:
        return None
    if lowered in ("encryptintransit", "crossaccount"):
        parsed = parse_go_bool(value)
        if parsed is None:
            return CsiRejection(
                "InvalidArgument", _bool_error(key, value), "volume-attributes-invalid", key
            )
        return parsed
    if lowered == "mounttargetip":
        if versions.validates_mount_target_ip and not _go_parse_ip(value):
            return CsiRejection(
                "InvalidArgument",
                f"Volume context property {go_quote(key)}={go_quote(value)} "
                "is not a valid IP address",
                "volume-attributes-invalid",
                key,
                note="looks like a documentation placeholder" if "[" in value else None,
            )
        return value
    if lowered == "mounttargetipmap" and versions.mount_target_ip_map:
        return _ip_from_map(value, node_zone, notes)
    if lowered == "path" and versions.path_attribute:
        # Deprecated attribute, accepted before v3.0.0 and joined to the sub-path (§3.3).
        notes.append(f'volume attribute "path" ({value}) is deprecated; removed in v3.0.0')
        return value
    return CsiRejection(
        "InvalidArgument",
        f"Volume context property {key} not supported.",
        "volume-attributes-invalid",
        key,
    )


def volume_attribute_rejections(
    volume_attributes: Mapping[str, str], versions: Versions, node_zone: str | None = None
) -> list[CsiRejection]:
    """Every entry the driver would refuse; it reports the first it meets in Go's random map
    order (``build_csi_mount``), so each bad key can be the one in the error."""
    found = []
    for key, value in volume_attributes.items():
        read = read_volume_attribute(key, value, versions, node_zone)
        if isinstance(read, CsiRejection):
            found.append(read)
    return found


def build_csi_mount(
    handle_text: str,
    volume_attributes: Mapping[str, str],
    mount_flags: Sequence[str],
    read_only: bool,
    *,
    versions: Versions,
    node_zone: str | None,
) -> CsiMount | CsiRejection:
    """§3.4 steps 2-8: walk volumeAttributes, parse the handle, merge the options.

    The driver walks volumeAttributes as a Go map (random order); with several bad keys the
    reported one can vary between attempts, so the first in manifest order is reported.
    """
    options: list[str] = []
    notes: list[str] = []
    encrypt_in_transit = True
    cross_account = False
    legacy_path: str | None = None
    for key, value in volume_attributes.items():
        read = read_volume_attribute(key, value, versions, node_zone, notes)
        if isinstance(read, CsiRejection):
            return read
        if read is None:
            continue
        lowered = key.lower()
        if lowered == "encryptintransit":
            encrypt_in_transit = bool(read)
        elif lowered == "crossaccount":
            cross_account = bool(read)
        elif lowered == "path":
            legacy_path = str(read)
        else:
            options.append(f"mounttargetip={read}")
    try:
        handle = parse_volume_handle(handle_text, allow_prefix=versions.prefixed_handles)
    except VolumeHandleError as error:
        placeholder = "[" in handle_text or "<" in handle_text
        return CsiRejection(
            "InvalidArgument",
            str(error),
            "volume-handle-format",
            "volumeHandle",
            note="the handle is a documentation placeholder, not a file system ID"
            if placeholder
            else None,
        )
    subpath = handle.subpath
    if legacy_path is not None and subpath == "/":
        subpath = go_path_clean(legacy_path)
    source = f"{handle.file_system_id}:{subpath}"
    if handle.access_point_id:
        # Step 4: an access point forces tls, whatever encryptInTransit says.
        options.extend((f"accesspoint={handle.access_point_id}", "tls"))
    if encrypt_in_transit and "tls" not in options:
        options.append("tls")
    if cross_account:
        options.append("crossaccount")
    if read_only:
        options.append("ro")
    for flag in mount_flags:
        lowered = flag.lower()
        if lowered != flag:
            notes.append(f"mount option {flag!r} is lower-cased to {lowered!r} by the driver")
        if lowered.startswith("accesspoint="):
            from_options = lowered[len("accesspoint=") :]
            notes.append("accesspoint under mountOptions is deprecated; use the volumeHandle")
            if handle.access_point_id and from_options != handle.access_point_id:
                return CsiRejection(
                    "InvalidArgument",
                    "Found conflicting access point IDs in mountOptions "
                    f"({from_options}) and volumeHandle ({handle.access_point_id})",
                    "volume-handle-format",
                    "mountOptions",
                )
        if lowered == "tls":
            notes.append("tls under mountOptions is deprecated: the driver adds it by default")
            if not encrypt_in_transit:
                return CsiRejection(
                    "InvalidArgument",
                    TLS_WITHOUT_ENCRYPTION,
                    "invalid-mount-option",
                    "mountOptions",
                )
        if lowered.startswith("awscredsuri") and versions.drops_awscredsuri:
            notes.append("awscredsuri is dropped: not supported by efs-csi-driver")
            continue
        if lowered not in options:
            options.append(lowered)
    fstype = "s3files" if handle.type == "s3files" else "efs"
    return CsiMount(
        tuple(options), source, handle, fstype, encrypt_in_transit, tuple(dict.fromkeys(notes))
    )


def _ip_from_map(value: str, zone: str | None, notes: list[str]) -> str | CsiRejection | None:
    """mounttargetipmap (v3.1.0+): the node's AZ, else any entry (§3.3)."""
    try:
        mapping = json.loads(value)
    except (ValueError, RecursionError) as error:
        # Nesting past Python's limit fails here; Go's decoder fails on it too (a value that
        # is not a map of strings, or over its 10000-level depth limit).
        reason = error if isinstance(error, ValueError) else "nested too deeply"
        return CsiRejection(
            "InvalidArgument",
            f"Failed to parse mounttargetipmap: {reason}",
            "volume-attributes-invalid",
            "mounttargetipmap",
        )
    if not isinstance(mapping, dict) or not mapping:
        return None
    if zone is not None and isinstance(mapping.get(zone), str):
        return str(mapping[zone])
    first_zone, first_ip = next(iter(mapping.items()))
    notes.append(
        f"no mount target IP for the node's AZ {zone or '(unknown)'} in mounttargetipmap; "
        f"the driver falls back to {first_zone} ({first_ip})"
    )
    return str(first_ip)


# ---- efs-utils ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EfsUtilsRejection:
    message: str
    cause: str | None
    exit_status: int = 1
    traceback: bool = False  # parse_options raised: Python prints a traceback, not a message


def parse_efs_options(option_text: str) -> dict[str, str | None] | EfsUtilsRejection:
    """``parse_options``: split on ``,`` then on ``=``; a second ``=`` is an uncaught
    ValueError (§2.2 parsing caveat). Later duplicates overwrite earlier ones."""
    parsed: dict[str, str | None] = {}
    for item in option_text.split(","):
        if "=" in item:
            parts = item.split("=")
            if len(parts) != 2:
                return EfsUtilsRejection(
                    "ValueError: too many values to unpack (expected 2)",
                    "invalid-mount-option",
                    traceback=True,
                )
            parsed[parts[0]] = parts[1]
        else:
            parsed[item] = None
    return parsed


def validate_efs_options(
    options: Mapping[str, str | None], versions: Versions
) -> EfsUtilsRejection | None:
    """§2.4 items 1-6 in efs-utils' order; the first failure wins (exit status 1)."""
    unsupported = [o for o in UNSUPPORTED_OPTIONS if o in options]
    if versions.rejects_azid:
        unsupported += [o for o in EFS_ONLY_UNSUPPORTED if o in options]
    if unsupported:
        listed = ", ".join(f'"{o}"' for o in unsupported)
        return EfsUtilsRejection(
            f"Unsupported mount options detected: {listed}", "invalid-mount-option"
        )
    if "tls" in options:
        if "port" in options:
            return EfsUtilsRejection(
                'The "port" and "tls" options are mutually exclusive', "invalid-mount-option"
            )
        if "tlsport" in options:
            try:
                int(options["tlsport"] or "")
            except ValueError:
                return EfsUtilsRejection(
                    f"tlsport option [{options['tlsport']}] is not an integer",
                    "invalid-mount-option",
                )
        if "ocsp" in options and "noocsp" in options:
            return EfsUtilsRejection(
                'The "ocsp" and "noocsp" options are mutually exclusive', "invalid-mount-option"
            )
        if "notls" in options:
            return EfsUtilsRejection(
                'The "tls" and "notls" options are mutually exclusive', "invalid-mount-option"
            )
    if "accesspoint" in options:
        if "tls" not in options:
            return EfsUtilsRejection(
                'The "tls" option is required when mounting via "accesspoint"',
                "invalid-mount-option",
            )
        access_point = options["accesspoint"] or ""
        if not EFS_UTILS_ACCESS_POINT.match(access_point):
            return EfsUtilsRejection(
                f"Access Point ID {access_point} is malformed", "volume-handle-format"
            )
    if "iam" in options and "tls" not in options:
        return EfsUtilsRejection(IAM_WITHOUT_TLS, "iam-without-tls")
    if "awsprofile" in options and "iam" not in options:
        return EfsUtilsRejection(
            'The "iam" option is required when mounting with named profile option, "awsprofile"',
            "invalid-mount-option",
        )
    if "awscredsuri" in options:
        uri = options["awscredsuri"] or ""
        if "iam" not in options:
            return EfsUtilsRejection(
                'The "iam" option is required when mounting with "awscredsuri"',
                "invalid-mount-option",
            )
        if "awsprofile" in options:
            return EfsUtilsRejection(
                'The "awscredsuri" and "awsprofile" options are mutually exclusive',
                "invalid-mount-option",
            )
        if not uri.startswith("/"):
            return EfsUtilsRejection(f"awscredsuri {uri} is malformed", "invalid-mount-option")
    return None


# Options of other file systems that people copy into NFS mountOptions (CIFS/SMB, vfat):
# the kernel NFS client refuses them when mount.nfs4 calls mount(2) (nfs(5)), and mount.nfs4
# prints NFS_BAD_OPTION.
FOREIGN_OPTIONS = {
    "dir_mode": "a CIFS option",
    "file_mode": "a CIFS option",
    "uid": "a CIFS/vfat option (NFS takes ownership from the server)",
    "gid": "a CIFS/vfat option (NFS takes ownership from the server)",
    "forceuid": "a CIFS option",
    "forcegid": "a CIFS option",
    "username": "a CIFS option",
    "user": "a CIFS option",
    "password": "a CIFS option",
    "credentials": "a CIFS option",
    "domain": "a CIFS option",
    "iocharset": "a CIFS/vfat option",
    "umask": "a vfat option",
    "fmask": "a vfat option",
    "dmask": "a vfat option",
}
NFS_BAD_OPTION = "mount.nfs4: an incorrect mount option was specified"
NFS_BAD_VERSION = "mount.nfs4: Protocol not supported"


@dataclass(frozen=True, slots=True)
class NfsRefusal:
    """mount.nfs4 refuses an option efs-utils passed through (exit 32)."""

    option: str
    why: str
    message: str


def nfs_option_refusal(name: str, value: str | None) -> NfsRefusal | None:
    """Whether mount.nfs4 refuses the option ``name[=value]``: another file system's option,
    or an NFS version EFS does not serve (NFSv4.0 and 4.1 only; efs-semantics.md §2.2)."""
    shown = name if value is None else f"{name}={value}"
    if name in FOREIGN_OPTIONS:
        return NfsRefusal(shown, f"{FOREIGN_OPTIONS[name]}, not an NFS option", NFS_BAD_OPTION)
    if name in ("nfsvers", "vers") and (value or "").strip().split(".")[0] in ("2", "3"):
        return NfsRefusal(shown, "EFS serves NFSv4.0 and 4.1 only", NFS_BAD_VERSION)
    return None


def nfs_refusal(options: Mapping[str, str | None]) -> NfsRefusal | None:
    """The first option of the request that mount.nfs4 refuses, in option order."""
    for name, value in options.items():
        if name in NON_NFS_OPTIONS:
            continue
        refused = nfs_option_refusal(name, value)
        if refused is not None:
            return refused
    return None


def nfs_options(options: Mapping[str, str | None], port: str | None) -> str:
    """``get_nfs_mount_options`` on Linux (§2.3): defaults added when absent, ``port`` forced
    to the proxy's port (``None``: a plaintext stunnel-mode mount keeps 2049), efs-utils' own
    options removed."""
    merged: dict[str, str | None] = dict(options)
    if "nfsvers" not in merged and "vers" not in merged:
        merged["nfsvers"] = "4.1"
    merged.setdefault("rsize", "1048576")
    merged.setdefault("wsize", "1048576")
    if "soft" not in merged and "hard" not in merged:
        merged["hard"] = None
    merged.setdefault("timeo", "600")
    merged.setdefault("retrans", "2")
    merged.setdefault("noresvport", None)
    if port is not None:
        merged["port"] = port
    return ",".join(
        key if value is None else f"{key}={value}"
        for key, value in merged.items()
        if key not in NON_NFS_OPTIONS
    )
