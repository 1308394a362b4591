"""Small parts of the mount simulation: kubelet's error text (§3.9), versions (§2.11), and one
outcome per zone when zones differ (issue 4). The IRSA trust check is the IAM engine's
(tests/unit/engine/iam/test_trust.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.engine.mount import kubelet, simulate_all
from efs_doctor.engine.mount.versions import Version, resolve_versions

BASE = Path(__file__).resolve().parents[3] / "scenarios" / "base.yaml"


def test_mount_failed_text() -> None:
    output = kubelet.nfs_failure_output(kubelet.nfs_access_denied("/"), retried=False)
    text = kubelet.mount_failed(
        "efs-pv", "fs-1:/", "/t", "-t efs -o tls fs-1:/ /t", exit_status=32, output=output
    )
    assert text == (
        'MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = Internal desc = '
        'Could not mount "fs-1:/" at "/t": mount failed: exit status 32\n'
        "Mounting command: mount\n"
        "Mounting arguments: -t efs -o tls fs-1:/ /t\n"
        "Output: Could not start amazon-efs-mount-watchdog, "
        'unrecognized init system "aws-efs-csi-dri"\n'
        "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'\n"
    )


def test_bytes_repr_is_pythons() -> None:
    assert kubelet.bytes_repr("it's") == 'b"it\'s"'
    assert kubelet.bytes_repr("a\n") == "b'a\\n'"


def test_target_path_and_deadline() -> None:
    assert (
        kubelet.target_path(None, "pv")
        == "/var/lib/kubelet/pods/<pod-uid>/volumes/kubernetes.io~csi/pv/mount"
    )
    assert kubelet.deadline_exceeded("pv").endswith(
        "code = DeadlineExceeded desc = context deadline exceeded"
    )


def test_versions() -> None:
    assert Version.parse("v2.1.10-eksbuild.1") == Version(2, 1, 10)
    assert Version.parse("3.4") < Version.parse("3.4.1")
    pinned = resolve_versions(None, None, None)
    assert (str(pinned.csi_driver), str(pinned.efs_utils)) == ("3.4.1", "3.2.0")
    from_tag = resolve_versions(None, None, "2.0.1")
    assert str(from_tag.efs_utils) == "2.0.0"
    assert from_tag.efs_proxy
    assert not from_tag.pod_identity
    old = resolve_versions("1.7.7", None, None)
    assert not old.efs_proxy
    assert not old.prefixed_handles
    assert old.path_attribute
    assert resolve_versions(None, "2.4.2", None).retries_access_point_denied


def test_one_outcome_per_zone_when_zones_differ(tmp_path: Path) -> None:
    """An unpinned pod with nodes in us-east-1a (mount target) and us-east-1c (none)."""
    base: dict[str, Any] = yaml.safe_load(BASE.read_text())
    pod = base["pod"]
    del pod["spec"]["nodeName"]
    node_c = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-c", "labels": {"topology.kubernetes.io/zone": "us-east-1c"}},
        "spec": {"providerID": "aws:///us-east-1c/i-0ccccccccccccccc3"},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.0.3.10"}]},
    }
    instance_c = {
        "InstanceId": "i-0ccccccccccccccc3",
        "PrivateIpAddress": "10.0.3.10",
        "SubnetId": "subnet-0nodecccccccccc3",
        "VpcId": "vpc-0123456789abcdef0",
        "Placement": {"AvailabilityZone": "us-east-1c"},
        "SecurityGroups": [{"GroupId": "sg-0node000000000001"}],
        "IamInstanceProfile": {"Arn": "arn:aws:iam::111122223333:instance-profile/NodeProfile"},
    }
    base["instances"]["Reservations"][0]["Instances"].append(instance_c)
    path = tmp_path / "inputs.yaml"
    path.write_text(yaml.safe_dump_all([*base.values(), node_c]))
    inventory = load_inventory([str(path)])
    outcomes = {o.node_or_zone: o for o in simulate_all(inventory, mount_chains(inventory))}
    assert set(outcomes) == {"us-east-1a", "us-east-1c"}
    assert outcomes["us-east-1a"].outcome == "mounted"
    assert outcomes["us-east-1c"].outcome == "failed"
    assert outcomes["us-east-1c"].cause == "no-mount-target-in-az"
