"""volumeHandle grammar, exactly as the driver's ``parseVolumeId`` (efs-semantics.md §3.2,
kubernetes-sigs/aws-efs-csi-driver ``pkg/driver/node.go`` at v3.4.1)."""

from __future__ import annotations

import pytest

from efs_doctor.model.volume_handle import (
    VolumeHandle,
    VolumeHandleError,
    go_path_clean,
    parse_volume_handle,
)

FS = "fs-0123456789abcdef0"  # 17 hex digits, what AWS issues today
AP = "fsap-0123456789abcdef0"


@pytest.mark.parametrize(
    ("handle", "expected"),
    [
        # old form (every driver version): <fsid>[:<path>[:<apid>]]
        (FS, ("efs", FS, "/", None, False)),
        (f"{FS}:", ("efs", FS, "/", None, False)),  # empty fields mean "absent"
        (f"{FS}::", ("efs", FS, "/", None, False)),
        (f"{FS}:/data", ("efs", FS, "/data", None, False)),
        (f"{FS}::{AP}", ("efs", FS, "/", AP, False)),
        (f"{FS}:/sub/dir:{AP}", ("efs", FS, "/sub/dir", AP, False)),
        (f"{FS}:/data:", ("efs", FS, "/data", None, False)),
        # new form (v3.0.0+): <type>:<fsid>[:<path>[:<apid>]]
        (f"efs:{FS}", ("efs", FS, "/", None, True)),
        (f"efs:{FS}:/data", ("efs", FS, "/data", None, True)),
        (f"efs:{FS}::{AP}", ("efs", FS, "/", AP, True)),
        (f"efs:{FS}:/data/shared:{AP}", ("efs", FS, "/data/shared", AP, True)),
        (f"s3files:{FS}::{AP}", ("s3files", FS, "/", AP, True)),
        # ids from 8 to 40 lower-case hex digits (moto issues 8)
        ("fs-89a4f2d6", ("efs", "fs-89a4f2d6", "/", None, False)),
        ("fs-" + "a" * 40, ("efs", "fs-" + "a" * 40, "/", None, False)),
        ("fs-89a4f2d6::fsap-0123abcd", ("efs", "fs-89a4f2d6", "/", "fsap-0123abcd", False)),
    ],
)
def test_valid_handles(handle: str, expected: tuple[str, str, str, str | None, bool]) -> None:
    """(type, file system id, subpath, access point id, written with a type prefix)"""
    assert parse_volume_handle(handle) == VolumeHandle(handle, *expected)


@pytest.mark.parametrize(
    ("handle", "message"),
    [
        (
            f"{FS}:/a/b/::four!",  # the driver's own test case
            f"volume ID '{FS}:/a/b/::four!' is invalid: "
            "Expected at most three fields separated by ':'",
        ),
        (
            # an unknown type is not a prefix: the old form then has four fields
            f"nfs:{FS}::{AP}",
            f"volume ID 'nfs:{FS}::{AP}' is invalid: "
            "Expected at most three fields separated by ':'",
        ),
        (
            f"efs:{FS}:/a:{AP}:extra",
            f"volume ID 'efs:{FS}:/a:{AP}:extra' is invalid: "
            "Expected at most four fields separated by ':'",
        ),
        ("efs", "volume ID 'efs' is invalid: Missing file system ID"),
        ("s3files", "volume ID 's3files' is invalid: Missing file system ID"),
        (
            # two fields, the second empty: an invalid id, not a missing one
            "efs:",
            "volume ID 'efs:' is invalid: Expected a file system ID of the form "
            "'fs-[0-9a-f]{8,40}'",
        ),
        (
            "invalid-id",
            "volume ID 'invalid-id' is invalid: Expected a file system ID of the form "
            "'fs-[0-9a-f]{8,40}'",
        ),
        (
            "efs:invalid-id",
            "volume ID 'efs:invalid-id' is invalid: Expected a file system ID of the form "
            "'fs-[0-9a-f]{8,40}'",
        ),
        (
            # the placeholder in the driver's cross-account example PV
            "efs:[Filesystem ID]",
            "volume ID 'efs:[Filesystem ID]' is invalid: Expected a file system ID of the form "
            "'fs-[0-9a-f]{8,40}'",
        ),
        (
            "",
            "volume ID '' is invalid: Expected a file system ID of the form 'fs-[0-9a-f]{8,40}'",
        ),
        (
            "fs-0123ABCD",  # upper-case hex is rejected
            "volume ID 'fs-0123ABCD' is invalid: Expected a file system ID of the form "
            "'fs-[0-9a-f]{8,40}'",
        ),
        (
            "fs-0123abc",  # 7 digits
            "volume ID 'fs-0123abc' is invalid: Expected a file system ID of the form "
            "'fs-[0-9a-f]{8,40}'",
        ),
        (
            "fs-" + "a" * 41,
            f"volume ID 'fs-{'a' * 41}' is invalid: Expected a file system ID of the form "
            "'fs-[0-9a-f]{8,40}'",
        ),
        (
            f"{FS}::invalid-id",
            f"volume ID '{FS}::invalid-id' has an invalid access point ID 'invalid-id': "
            "Expected it to be of the form 'fsap-[0-9a-f]{8,40}'",
        ),
        (
            f"efs:{FS}::fsap-XYZ",
            f"volume ID 'efs:{FS}::fsap-XYZ' has an invalid access point ID 'fsap-XYZ': "
            "Expected it to be of the form 'fsap-[0-9a-f]{8,40}'",
        ),
        (
            # a YAML block scalar (volumeHandle: |) ends in a newline; Go's regexp "$" does
            # not match before it
            f"{FS}\n",
            f"volume ID '{FS}\n' is invalid: Expected a file system ID of the form "
            "'fs-[0-9a-f]{8,40}'",
        ),
        (
            f"{FS}::{AP}\n",
            f"volume ID '{FS}::{AP}\n' has an invalid access point ID '{AP}\n': "
            "Expected it to be of the form 'fsap-[0-9a-f]{8,40}'",
        ),
        (
            f"{FS} ",  # a trailing blank is part of the id
            f"volume ID '{FS} ' is invalid: Expected a file system ID of the form "
            "'fs-[0-9a-f]{8,40}'",
        ),
    ],
)
def test_invalid_handles_give_the_driver_message(handle: str, message: str) -> None:
    with pytest.raises(VolumeHandleError) as raised:
        parse_volume_handle(handle)
    assert str(raised.value) == message


def test_prefix_is_an_old_form_file_system_id_for_drivers_before_v3() -> None:
    """Before v3.0.0 there was no ``<type>:`` form, so ``efs`` is read as the file system id
    (efs-semantics.md §3.2, "Old (all versions)")."""
    with pytest.raises(VolumeHandleError, match="Expected a file system ID"):
        parse_volume_handle(f"efs:{FS}", allow_prefix=False)
    assert parse_volume_handle(f"{FS}:/x", allow_prefix=False).subpath == "/x"


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        # Go's path.Clean: https://pkg.go.dev/path#Clean
        ("/a/b/", "/a/b"),
        ("a/b/", "a/b"),  # need not be absolute (driver test "a/b/")
        ("/a//b", "/a/b"),
        ("/a/./b", "/a/b"),
        ("/a/b/../c", "/a/c"),
        ("/../a", "/a"),  # ".." at the root is dropped
        ("a/../..", ".."),  # relative ".." is kept
        ("./", "."),
        ("//a", "/a"),  # POSIX keeps a leading "//"; Go does not
        ("///a/", "/a"),
        ("//", "/"),
        (".", "."),
    ],
)
def test_go_path_clean(raw: str, cleaned: str) -> None:
    assert go_path_clean(raw) == cleaned


def test_subpath_is_cleaned_and_source_is_fsid_colon_path() -> None:
    """NodePublishVolume mounts ``<fsid>:<subpath>`` (efs-semantics.md §3.4 step 3)."""
    handle = parse_volume_handle(f"efs:{FS}://exports/./shared/:{AP}")
    assert handle.subpath == "/exports/shared"
    assert handle.mount_source == f"{FS}:/exports/shared"
    assert parse_volume_handle(f"{FS}:a/b/:").mount_source == f"{FS}:a/b"
    assert parse_volume_handle(FS).mount_source == f"{FS}:/"
