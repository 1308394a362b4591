"""Live mode under faults (issue 9, item 4): throttling with retries, timeouts, refused
connections, 5xx, truncated answers, pagination that stops halfway, expired credentials.

On a healthy cluster (moto + the fake Kubernetes API) every answer in means "every mount
succeeds", exit 0. Each fault must end as an Inconclusive that names what was not read,
the run must finish in bounded time, a partial answer must never stand for a whole one, and
the verdict must not be given as fine: ``diagnose`` and ``scan --live`` exit 1, and a mount
whose network path was not read is not "mounted".
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import live_seed as seed
import pytest
from fake_kube import FakeKube
from faults import (
    AwsFault,
    FaultyKube,
    KubeFault,
    error,
    read_timeout,
    second_page_fails,
    throttled,
    truncated,
)
from faults_kit import (
    SERVICE,
    build_healthy,
    collect_with,
    faulty_clients,
    healthy_objects,
    reasons,
    run_cli,
    whats,
)

pytestmark = pytest.mark.live


@pytest.fixture
def healthy(aws: str) -> seed.AwsSeed:
    return build_healthy(aws)


@pytest.fixture
def kube(healthy: seed.AwsSeed, kube_env: Path) -> Any:
    with FakeKube(healthy_objects(healthy)) as server:
        server.kubeconfig(kube_env)
        yield server


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _diagnose(kubeconfig: Path) -> tuple[int, dict[str, Any], str]:
    """Every EFS mount in the cluster (``-A --all-pods``), as JSON."""
    args = ("diagnose", "-A", "--all-pods", "--format", "json", "--kubeconfig", str(kubeconfig))
    code, out, err = run_cli(*args)
    return code, json.loads(out) if out.strip() else {}, err


# ---- the healthy baseline ---------------------------------------------------------------------


def test_without_faults_every_mount_succeeds_and_nothing_is_missing(
    kube: FakeKube, kube_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    collection, _inventory = collect_with(kube_env)
    assert collection.inconclusive == []
    with faulty_clients(monkeypatch, []):
        code, report, _err = _diagnose(kube_env)
    assert code == 0
    assert [m["outcome"] for m in report["mounts"]] == ["mounted"]
    assert report["inconclusive"] == []


# ---- AWS --------------------------------------------------------------------------------------


def test_throttling_is_retried_until_it_succeeds(kube: FakeKube, kube_env: Path) -> None:
    fault = AwsFault("DescribeMountTargets", throttled(2))
    collection, inventory = collect_with(kube_env, [fault])
    assert fault.attempts == 3  # two throttled, the third answered by moto
    assert collection.inconclusive == []
    assert len(inventory.mount_targets) == 3


def test_throttling_that_never_stops_leaves_that_answer_inconclusive(
    kube: FakeKube, kube_env: Path, healthy: seed.AwsSeed
) -> None:
    fault = AwsFault("DescribeSecurityGroups", throttled(None))
    began = time.monotonic()
    collection, inventory = collect_with(kube_env, [fault])
    assert time.monotonic() - began < 60
    assert fault.attempts >= 3  # retried before giving up
    [item] = collection.inconclusive
    assert item.what.startswith("aws ec2 DescribeSecurityGroups")
    assert "RequestLimitExceeded" in item.reason
    assert item.missing_permission is None  # throttling is not a missing permission
    assert inventory.security_groups == {}  # nothing invented
    assert len(inventory.mount_targets) == 3  # the rest was read


def test_read_timeouts_are_retried_then_inconclusive(kube: FakeKube, kube_env: Path) -> None:
    fault = AwsFault("DescribeNetworkInterfaces", read_timeout())
    collection, inventory = collect_with(kube_env, [fault])
    assert fault.attempts >= 2
    assert [w for w in whats(collection) if "DescribeNetworkInterfaces" in w]
    assert "ReadTimeoutError" in next(
        r for w, r in reasons(collection).items() if "Interfaces" in w
    )
    assert inventory.network_interfaces == {}


def test_server_errors_are_retried_then_inconclusive(kube: FakeKube, kube_env: Path) -> None:
    fault = AwsFault("DescribeSubnets", error(500, "InternalError"))
    collection, inventory = collect_with(kube_env, [fault])
    assert fault.attempts >= 2
    [item] = collection.inconclusive
    assert item.what.startswith("aws ec2 DescribeSubnets")
    assert item.reason.startswith("InternalError")
    assert inventory.subnets == {}


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("DescribeFileSystems", b'{"FileSystems": [{"FileSystemId": "fs-0123456789abcdef0"}]}'),
        (
            "DescribeSecurityGroups",
            b"<DescribeSecurityGroupsResponse><securityGroupInfo><item><groupId>sg-1</groupId>"
            b"</item></securityGroupInfo></DescribeSecurityGroupsResponse>",
        ),
    ],
)
def test_a_truncated_answer_is_a_failure_not_an_empty_list(
    kube: FakeKube, kube_env: Path, operation: str, body: bytes
) -> None:
    """botocore reads a cut-off JSON answer as one without any list: that must not pass for
    "no file systems"."""
    collection, inventory = collect_with(kube_env, [AwsFault(operation, truncated(body))])
    [item] = [i for i in collection.inconclusive if operation in i.what]
    assert "MalformedAnswer" in item.reason or "ResponseParserError" in item.reason
    assert "\n" not in item.reason
    assert len(item.reason) <= 200
    section = inventory.file_systems if SERVICE[operation] == "efs" else inventory.security_groups
    assert section == {}


def test_pagination_that_stops_halfway_keeps_no_partial_list(
    kube: FakeKube, kube_env: Path, healthy: seed.AwsSeed
) -> None:
    fs_id = healthy.file_system_ids[0]
    first_page = {
        "MountTargets": [
            {
                "MountTargetId": "fsmt-0aaaaaaaaaaaaaaa1",
                "FileSystemId": fs_id,
                "SubnetId": "subnet-1",
                "LifeCycleState": "available",
                "IpAddress": "10.0.0.9",
                "AvailabilityZoneName": "us-east-1a",
            }
        ],
        "NextMarker": "page-2",
    }
    fault = AwsFault("DescribeMountTargets", second_page_fails(json.dumps(first_page).encode()))
    collection, inventory = collect_with(kube_env, [fault])
    assert fault.attempts >= 2  # page one, then page two (retried)
    assert any(w.startswith(f"aws efs DescribeMountTargets ({fs_id})") for w in whats(collection))
    # the one mount target of page one is not taken for the file system's only one
    assert inventory.mount_targets == {}


def test_expired_credentials_say_so_for_every_call(kube: FakeKube, kube_env: Path) -> None:
    codes = {"efs": "ExpiredTokenException", "ec2": "RequestExpired"}
    faults = [AwsFault(op, error(400, codes.get(SERVICE[op], "ExpiredToken"))) for op in SERVICE]
    collection, inventory = collect_with(kube_env, faults)
    aws_items = [i for i in collection.inconclusive if i.what.startswith("aws ") and "(" in i.what]
    assert aws_items
    for item in aws_items:
        assert item.reason.startswith("AWS rejected the credentials"), item
    assert inventory.file_systems == {}
    assert inventory.mount_targets == {}


def test_a_refused_aws_endpoint_ends_in_bounded_time(
    kube: FakeKube, kube_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    began = time.monotonic()
    collection, inventory = collect_with(kube_env)
    assert time.monotonic() - began < 90
    # every call ("aws efs DescribeFileSystems"); "aws eks" alone says the cluster name is
    # unknown, since the instances carrying it could not be read
    aws_items = [
        i for i in collection.inconclusive if i.what.startswith("aws ") and i.what != "aws eks"
    ]
    assert aws_items
    for item in aws_items:  # the first call to a service says why, the rest are skipped
        assert "cannot reach the endpoint" in item.reason or "did not answer" in item.reason
    assert inventory.persistent_volumes  # Kubernetes was still read
    assert inventory.file_systems == {}


# ---- Kubernetes -------------------------------------------------------------------------------


def _collect_kube(healthy: seed.AwsSeed, kube_env: Path, faults: dict[str, KubeFault]) -> Any:
    with FaultyKube(healthy_objects(healthy), faults) as server:
        server.kubeconfig(kube_env)
        began = time.monotonic()
        collection, inventory = collect_with(kube_env, timeout=2)
        return collection, inventory, time.monotonic() - began


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (KubeFault("status", 500), "API error 500"),
        (KubeFault("status", 503), "API error 503"),
        (KubeFault("truncated"), "DecodeError"),
        (KubeFault("drop"), "cannot reach the API server"),
        (KubeFault("hang", seconds=6), "cannot reach the API server"),
        (KubeFault("status", 401), "the cluster rejected the credentials (401 Unauthorized)"),
    ],
    ids=["500", "503", "truncated", "dropped", "timeout", "401"],
)
def test_a_failing_list_is_inconclusive_and_the_others_are_read(
    healthy: seed.AwsSeed, kube_env: Path, fault: KubeFault, reason: str
) -> None:
    collection, inventory, seconds = _collect_kube(
        healthy, kube_env, {"persistentvolumeclaims": fault}
    )
    assert seconds < 60
    item = reasons(collection)["kubernetes list persistentvolumeclaims"]
    assert reason in item
    assert inventory.claims == {}
    assert inventory.persistent_volumes  # the other lists were read
    assert inventory.nodes


def test_a_list_whose_second_page_fails_keeps_no_partial_list(
    healthy: seed.AwsSeed, kube_env: Path
) -> None:
    collection, inventory, _seconds = _collect_kube(
        healthy, kube_env, {"nodes": KubeFault("page-two", 500)}
    )
    assert "API error 500" in reasons(collection)["kubernetes list nodes"]
    assert inventory.nodes == {}  # not the one node of page one


def test_a_refused_api_server_ends_in_bounded_time(healthy: seed.AwsSeed, kube_env: Path) -> None:
    server = FakeKube(healthy_objects(healthy))
    server.kubeconfig(kube_env)  # never started: nothing listens on its port
    server.httpd.server_close()
    began = time.monotonic()
    collection, inventory = collect_with(kube_env, timeout=2)
    assert time.monotonic() - began < 60
    lists = [i for i in collection.inconclusive if i.what.startswith("kubernetes list")]
    assert len(lists) >= 10
    assert all("cannot reach the API server" in i.reason for i in lists)
    assert inventory.persistent_volumes == {}


# ---- the verdict ------------------------------------------------------------------------------

AWS_FAULTS = {
    "security groups throttled": ("DescribeSecurityGroups", throttled(None)),
    "mount targets cut off": ("DescribeMountTargets", truncated(b'{"MountTargets": []}')),
    "interfaces time out": ("DescribeNetworkInterfaces", read_timeout()),
}


@pytest.mark.parametrize("name", sorted(AWS_FAULTS))
def test_an_aws_fault_on_the_mount_path_is_never_reported_as_mounted(
    kube: FakeKube, kube_env: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    operation, answer = AWS_FAULTS[name]
    with faulty_clients(monkeypatch, [AwsFault(operation, answer)]):
        code, report, err = _diagnose(kube_env)
    assert code == 1
    assert "verdict incomplete" in err
    assert [m["outcome"] for m in report["mounts"]] == ["indeterminate"]
    assert any(operation in item["what"] for item in report["inconclusive"])


@pytest.mark.parametrize(
    "plural", ["persistentvolumeclaims", "pods", "storageclasses", "csidrivers", "events"]
)
def test_a_kubernetes_list_that_failed_makes_the_verdict_incomplete(
    healthy: seed.AwsSeed, kube_env: Path, monkeypatch: pytest.MonkeyPatch, plural: str
) -> None:
    """Even where the simulated mount does not depend on the list, the run says what it
    could not read and does not exit 0."""
    with FaultyKube(healthy_objects(healthy), {plural: KubeFault("status", 500)}) as server:
        server.kubeconfig(kube_env)
        with faulty_clients(monkeypatch, []):
            code, report, err = _diagnose(kube_env)
            text_code, text, _ = run_cli(
                "diagnose", "-A", "--all-pods", "--kubeconfig", str(kube_env)
            )
    assert code == 1
    assert text_code == 1
    assert "verdict incomplete" in err
    assert any(plural in item["what"] for item in report["inconclusive"])
    assert plural in text


def test_scan_live_with_a_fault_is_not_clean(
    kube: FakeKube, kube_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("scan", "--live", "--format", "json", "--kubeconfig", str(kube_env))
    with faulty_clients(monkeypatch, []):
        _code, clean, _err = run_cli(*args)
    fault = AwsFault("DescribeSecurityGroups", error(500, "InternalError"))
    with faulty_clients(monkeypatch, [fault]):
        code, out, _err = run_cli(*args)
    assert [i for i in json.loads(clean)["inconclusive"] if i["code"] == "live"] == []
    assert code == 1
    live = [i for i in json.loads(out)["inconclusive"] if i["code"] == "live"]
    assert any("DescribeSecurityGroups" in i["object"] for i in live)


def test_a_snapshot_taken_under_a_fault_scans_as_incomplete_not_fine(
    kube: FakeKube, kube_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The gap travels with the snapshot: SNAPSHOT.md names it, and the offline simulation
    of the snapshot cannot say the mount works (the security groups are unknown)."""
    out = tmp_path / "snapshot"
    fault = AwsFault("DescribeSecurityGroups", throttled(None))
    with faulty_clients(monkeypatch, [fault]):
        code, _stdout, err = run_cli("snapshot", "-o", str(out), "--kubeconfig", str(kube_env))
    assert code == 0, err
    assert "DescribeSecurityGroups" in (out / "SNAPSHOT.md").read_text()
    assert not list(out.rglob("describe-security-groups*.json"))
    code, simulated, _err = run_cli("simulate", "--format", "json", str(out))
    assert code == 1
    assert [m["outcome"] for m in json.loads(simulated)["mounts"]] == ["indeterminate"]
