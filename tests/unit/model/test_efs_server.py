"""NFS server names and addresses that stand for an EFS file system (EFS User Guide:
https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-mount-cmd-dns-name.html and
https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-mount-cmd-ip-addr.html)."""

from __future__ import annotations

from efs_doctor.model.aws import MountTarget
from efs_doctor.model.efs_server import efs_server

MT = MountTarget(
    id="fsmt-0aaaaaaaaaaaaaaa1",
    file_system_id="fs-0123456789abcdef0",
    subnet_id=None,
    vpc_id=None,
    availability_zone_name="us-east-1a",
    availability_zone_id="use1-az1",
    ip_address="10.0.1.10",
    ipv6_address=None,
    lifecycle_state="available",
    network_interface_id=None,
    owner_id=None,
)


def test_regional_name() -> None:
    found = efs_server("fs-0123456789abcdef0.efs.us-west-2.amazonaws.com", [])
    assert found is not None
    assert (found.kind, found.file_system_id, found.region, found.zone) == (
        "dns",
        "fs-0123456789abcdef0",
        "us-west-2",
        None,
    )
    assert not found.placeholder


def test_zonal_name_pins_the_zone() -> None:
    found = efs_server("us-east-1b.fs-0123456789abcdef0.efs.us-east-1.amazonaws.com", [])
    assert found is not None
    assert (found.kind, found.zone) == ("zone-dns", "us-east-1b")


def test_china_suffix() -> None:
    found = efs_server("fs-0123456789abcdef0.efs.cn-north-1.amazonaws.com.cn", [])
    assert found is not None
    assert found.region == "cn-north-1"


def test_mount_target_address() -> None:
    found = efs_server("10.0.1.10", [MT])
    assert found is not None
    assert (found.kind, found.file_system_id, found.zone, found.mount_target) == (
        "ip",
        "fs-0123456789abcdef0",
        "us-east-1a",
        MT,
    )


def test_an_address_that_is_no_mount_target_is_not_efs() -> None:
    assert efs_server("10.0.9.9", [MT]) is None


def test_other_servers_are_not_efs() -> None:
    assert efs_server("nas.example.com", []) is None
    assert efs_server("fs-0123.example.com", []) is None


def test_template_placeholder_is_efs_with_an_unknown_id() -> None:
    # zero-to-jupyterhub's efs_storage.md: server: fs-${EFS_ID}.efs.us-east-1.amazonaws.com
    found = efs_server("fs-${EFS_ID}.efs.us-east-1.amazonaws.com", [])
    assert found is not None
    assert found.placeholder
