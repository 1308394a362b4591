"""The CSI option merge (efs-semantics.md §3.3-§3.4) and efs-utils validation (§2.2-§2.4)."""

from __future__ import annotations

import pytest

from efs_doctor.engine.mount.options import (
    CsiMount,
    CsiRejection,
    EfsUtilsRejection,
    build_csi_mount,
    nfs_options,
    parse_efs_options,
    validate_efs_options,
)
from efs_doctor.engine.mount.versions import resolve_versions

V3 = resolve_versions(None, None, None)
V2 = resolve_versions("2.1.0", "2.1.0", None)
FS = "fs-0123456789abcdef0"
AP = "fsap-0123456789abcdef0"


def merge(
    handle: str = FS,
    attributes: dict[str, str] | None = None,
    flags: tuple[str, ...] = (),
    read_only: bool = False,
    versions: object = V3,
) -> CsiMount | CsiRejection:
    return build_csi_mount(
        handle,
        attributes or {},
        flags,
        read_only,
        versions=versions,
        node_zone="us-east-1a",  # type: ignore[arg-type]
    )


def options_of(result: CsiMount | CsiRejection) -> tuple[str, ...]:
    assert isinstance(result, CsiMount), result
    return result.options


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ("tls",)),  # default encryptInTransit true (§3.4 step 5)
        ({"attributes": {"encryptInTransit": "false"}}, ()),
        ({"attributes": {"ENCRYPTINTRANSIT": "0"}}, ()),  # keys case-insensitive, Go ParseBool
        (
            {"handle": f"{FS}::{AP}", "attributes": {"encryptInTransit": "false"}},
            (f"accesspoint={AP}", "tls"),
        ),
        ({"flags": ("iam",)}, ("tls", "iam")),
        ({"flags": ("tls", "iam", "tls")}, ("tls", "iam")),  # dedup (hasOption)
        ({"flags": ("IAM", "AwsProfile=Dev")}, ("tls", "iam", "awsprofile=dev")),  # lower-cased
        ({"flags": ("awscredsuri=/v2/creds", "iam")}, ("tls", "iam")),  # dropped since 1.4.2
        ({"read_only": True, "flags": ("iam",)}, ("tls", "ro", "iam")),  # ro before flags
        ({"attributes": {"crossaccount": "true"}}, ("tls", "crossaccount")),
        ({"attributes": {"mounttargetip": "10.0.1.10"}}, ("mounttargetip=10.0.1.10", "tls")),
        ({"flags": (f"accesspoint={AP}",), "handle": f"{FS}::{AP}"}, (f"accesspoint={AP}", "tls")),
    ],
)
def test_merge(kwargs: dict[str, object], expected: tuple[str, ...]) -> None:
    assert options_of(merge(**kwargs)) == expected  # type: ignore[arg-type]


def test_mounttargetipmap_picks_the_node_zone() -> None:
    result = merge(
        attributes={"mounttargetipmap": '{"us-east-1b": "10.0.2.10", "us-east-1a": "10.0.1.10"}'}
    )
    assert options_of(result) == ("mounttargetip=10.0.1.10", "tls")


def test_source_and_command() -> None:
    result = merge(handle=f"efs:{FS}:/data/../x:{AP}")
    assert isinstance(result, CsiMount)
    assert result.source == f"{FS}:/x"
    assert result.command("/t") == f"mount -t efs -o accesspoint={AP},tls {FS}:/x /t"
    plain = merge(attributes={"encryptInTransit": "false"})
    assert isinstance(plain, CsiMount)
    assert plain.command("/t") == f"mount -t efs {FS}:/ /t"


@pytest.mark.parametrize(
    ("kwargs", "message", "cause"),
    [
        (
            {"attributes": {"encryptInTransit": "yes"}},
            'Volume context property "encryptInTransit" must be a boolean value: '
            'strconv.ParseBool: parsing "yes": invalid syntax',
            "volume-attributes-invalid",
        ),
        (
            {"attributes": {"az": "us-east-1a"}},
            "Volume context property az not supported.",
            "volume-attributes-invalid",
        ),
        (
            {"attributes": {"mounttargetip": "10.0.1"}},
            'Volume context property "mounttargetip"="10.0.1" is not a valid IP address',
            "volume-attributes-invalid",
        ),
        (
            {"handle": "fs-0123:/a:b:c"},
            "volume ID 'fs-0123:/a:b:c' is invalid: Expected at most three fields separated by ':'",
            "volume-handle-format",
        ),
        (
            {"handle": f"{FS}::fsap-XYZ"},
            f"volume ID '{FS}::fsap-XYZ' has an invalid access point ID 'fsap-XYZ': "
            "Expected it to be of the form 'fsap-[0-9a-f]{8,40}'",
            "volume-handle-format",
        ),
        (
            {"handle": f"{FS}::{AP}", "flags": ("accesspoint=fsap-0fffffffffffffff0",)},
            "Found conflicting access point IDs in mountOptions (fsap-0fffffffffffffff0) and "
            f"volumeHandle ({AP})",
            # the handle and the option disagree on the volume: causes.md volume-handle-format,
            # the id explain's signature for this message ranks first
            "volume-handle-format",
        ),
        (
            {"attributes": {"encryptInTransit": "false"}, "flags": ("TLS",)},
            "Found tls in mountOptions but encryptInTransit is false",
            "invalid-mount-option",
        ),
    ],
)
def test_rejections(kwargs: dict[str, object], message: str, cause: str) -> None:
    result = merge(**kwargs)  # type: ignore[arg-type]
    assert isinstance(result, CsiRejection)
    assert (result.message, result.cause, result.code) == (message, cause, "InvalidArgument")


def test_attributes_are_checked_before_the_handle() -> None:
    # §3.4: step 2 (attributes) runs before step 3 (parseVolumeId).
    result = merge(
        handle="efs:[Filesystem ID]", attributes={"mounttargetip": "[MOUNT TARGET IP ADDRESS]"}
    )
    assert isinstance(result, CsiRejection)
    assert "mounttargetip" in result.message


def test_version_differences() -> None:
    # path attribute: accepted before v3.0.0, rejected since (§3.3)
    assert isinstance(merge(attributes={"path": "/x"}), CsiRejection)
    legacy = merge(attributes={"path": "/x"}, versions=V2)
    assert isinstance(legacy, CsiMount)
    assert legacy.source == f"{FS}:/x"
    # the efs: prefix is a v3 handle form (§3.2)
    assert isinstance(merge(handle=f"efs:{FS}", versions=V2), CsiRejection)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tls,capath=/x", 'Unsupported mount options detected: "capath"'),
        ("tls,capath=/x,azid=use1-az1", 'Unsupported mount options detected: "capath", "azid"'),
        ("tls,port=2049", 'The "port" and "tls" options are mutually exclusive'),
        ("tls,tlsport=abc", "tlsport option [abc] is not an integer"),
        ("tls,ocsp,noocsp", 'The "ocsp" and "noocsp" options are mutually exclusive'),
        ("tls,notls", 'The "tls" and "notls" options are mutually exclusive'),
        (
            "accesspoint=fsap-0123456789abcdef0,iam",
            'The "tls" option is required when mounting via "accesspoint"',
        ),
        ("tls,accesspoint=fsap-01234567", "Access Point ID fsap-01234567 is malformed"),
        ("iam", 'The "tls" option is required when mounting via "iam"'),
        (
            "tls,awsprofile=dev",
            'The "iam" option is required when mounting with named profile option, "awsprofile"',
        ),
        ("tls,awscredsuri=/x", 'The "iam" option is required when mounting with "awscredsuri"'),
        ("tls,iam,awscredsuri=x", "awscredsuri x is malformed"),
    ],
)
def test_efs_utils_validation(text: str, message: str) -> None:
    parsed = parse_efs_options(text)
    assert isinstance(parsed, dict)
    rejection = validate_efs_options(parsed, V3)
    assert rejection is not None
    assert rejection.message == message


def test_efs_utils_accepts_the_usual() -> None:
    for text in ("tls", "tls,iam", f"accesspoint={AP},tls", "tls,iam,ro,noresvport", ""):
        parsed = parse_efs_options(text)
        assert isinstance(parsed, dict)
        assert validate_efs_options(parsed, V3) is None, text


def test_azid_only_rejected_from_v3() -> None:
    parsed = parse_efs_options("tls,azid=use1-az1")
    assert isinstance(parsed, dict)
    assert validate_efs_options(parsed, V2) is None


def test_value_with_equals_is_a_traceback() -> None:
    result = parse_efs_options("tls,rolearn=a=b")
    assert isinstance(result, EfsUtilsRejection)
    assert result.traceback


def test_nfs_options() -> None:
    parsed = parse_efs_options("tls,iam,ro,accesspoint=fsap-0123456789abcdef0")
    assert isinstance(parsed, dict)
    assert nfs_options(parsed, "20049") == (
        "ro,nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,port=20049"
    )
