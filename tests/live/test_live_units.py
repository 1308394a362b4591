"""Collector details: multi-page answers (botocore Stubber), the read-only guard, error
classification, kubeconfig handling, Kubernetes paging and selectors, secret cleaning."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from fake_kube import FakeKube

from efs_doctor.sources.aws_calls import AwsCaller, Failure, ReadOnlyViolation
from efs_doctor.sources.aws_live import AwsOptions, AwsTargets, collect_aws
from efs_doctor.sources.k8s_live import KubeOptions, collect_kubernetes, load_config
from efs_doctor.sources.live_clean import REDACTED, clean_kubernetes_object, cli_shape
from efs_doctor.sources.live_records import Collection

pytestmark = pytest.mark.live


def _client(service: str) -> Any:
    return boto3.client(
        service,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        endpoint_url="http://127.0.0.1:9",  # never reached: the Stubber answers
    )


# ---- AWS -------------------------------------------------------------------------------


def test_access_points_are_read_across_pages() -> None:
    efs = _client("efs")
    caller = AwsCaller({"efs": efs}, collection := Collection())
    stub = Stubber(efs)

    def ap(n: int) -> dict[str, Any]:
        return {"AccessPointId": f"fsap-{n:017x}", "FileSystemId": "fs-0123456789abcdef0"}

    stub.add_response(
        "describe_access_points",
        {"AccessPoints": [ap(1), ap(2)], "NextToken": "page-2"},
        {"MaxResults": 100},
    )
    stub.add_response(
        "describe_access_points",
        {"AccessPoints": [ap(3)]},
        {"MaxResults": 100, "NextToken": "page-2"},
    )
    with stub:
        answer = caller.call("efs", "DescribeAccessPoints", "")
    stub.assert_no_pending_responses()
    assert isinstance(answer, dict)
    assert [a["AccessPointId"][-1] for a in answer["AccessPoints"]] == ["1", "2", "3"]
    assert "NextToken" not in answer
    assert collection.calls.count("aws") == 2  # both pages recorded


def test_security_groups_and_associations_are_read_across_pages() -> None:
    ec2, eks = _client("ec2"), _client("eks")
    caller = AwsCaller({"ec2": ec2, "eks": eks}, Collection())
    filters = [{"Name": "group-id", "Values": ["sg-1", "sg-2"]}]
    with Stubber(ec2) as stub:
        stub.add_response(
            "describe_security_groups",
            {"SecurityGroups": [{"GroupId": "sg-1"}], "NextToken": "t"},
            {"Filters": filters, "MaxResults": 1000},
        )
        stub.add_response(
            "describe_security_groups",
            {"SecurityGroups": [{"GroupId": "sg-2"}]},
            {"Filters": filters, "MaxResults": 1000, "NextToken": "t"},
        )
        groups = caller.call("ec2", "DescribeSecurityGroups", "", Filters=filters)
    assert isinstance(groups, dict)
    assert [g["GroupId"] for g in groups["SecurityGroups"]] == ["sg-1", "sg-2"]
    summary = {"clusterName": "prod", "namespace": "kube-system", "serviceAccount": "a"}
    with Stubber(eks) as stub:
        stub.add_response(
            "list_pod_identity_associations",
            {"associations": [{**summary, "associationId": "a-1"}], "nextToken": "n"},
            {"clusterName": "prod", "maxResults": 100},
        )
        stub.add_response(
            "list_pod_identity_associations",
            {"associations": [{**summary, "associationId": "a-2"}]},
            {"clusterName": "prod", "maxResults": 100, "nextToken": "n"},
        )
        listed = caller.call("eks", "ListPodIdentityAssociations", "", clusterName="prod")
    assert isinstance(listed, dict)
    assert [a["associationId"] for a in listed["associations"]] == ["a-1", "a-2"]


def test_a_mutating_call_is_refused_before_it_is_sent() -> None:
    efs = _client("efs")
    AwsCaller({"efs": efs}, Collection())
    with pytest.raises(ReadOnlyViolation):
        efs.create_file_system(CreationToken="never")


@pytest.mark.parametrize(
    ("code", "status", "expected", "permission"),
    [
        ("AccessDeniedException", 403, "access denied", "elasticfilesystem:DescribeFileSystems"),
        ("ExpiredTokenException", 400, "rejected the credentials", None),
        ("InternalServerError", 500, "InternalServerError", None),
    ],
)
def test_errors_become_inconclusive(
    code: str, status: int, expected: str, permission: str | None
) -> None:
    efs = _client("efs")
    collection = Collection()
    caller = AwsCaller({"efs": efs}, collection)
    with Stubber(efs) as stub:
        stub.add_client_error("describe_file_systems", code, "boom", http_status_code=status)
        assert caller.call("efs", "DescribeFileSystems", "") is None
    [item] = collection.inconclusive
    assert expected in item.reason
    assert item.missing_permission == permission


def test_expected_errors_are_answers() -> None:
    efs = _client("efs")
    caller = AwsCaller({"efs": efs}, collection := Collection())
    with Stubber(efs) as stub:
        stub.add_client_error("describe_file_system_policy", "PolicyNotFound", "none", 404)
        answer = caller.call(
            "efs",
            "DescribeFileSystemPolicy",
            "fs",
            expected=frozenset({"PolicyNotFound"}),
            FileSystemId="fs-0123456789abcdef0",
        )
    assert answer == Failure("PolicyNotFound", "none")
    assert collection.inconclusive == []


def test_no_credentials_is_said_once(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    collection = Collection()
    targets = AwsTargets(file_system_ids={"fs-0123456789abcdef0"}, instance_ids={"i-1"})
    collect_aws(AwsOptions(region="us-east-1", cluster="prod"), targets, collection)
    assert [str(i) for i in collection.inconclusive] == [
        "aws: no AWS credentials found (default chain, --profile)"
    ]


def test_cli_shape_is_json() -> None:
    import datetime

    answer = {
        "ResponseMetadata": {"RequestId": "r"},
        "NextToken": "t",
        "FileSystems": [{"CreationTime": datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)}],
    }
    assert cli_shape(answer) == {"FileSystems": [{"CreationTime": "2026-01-02T00:00:00+00:00"}]}


# ---- Kubernetes --------------------------------------------------------------------------


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_kubeconfig_files_merge_and_eks_hints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = "arn:aws:eks:eu-west-1:123456789012:cluster/prod"
    first = _write(
        tmp_path / "a",
        {
            "current-context": arn,
            "clusters": [{"name": arn, "cluster": {"server": "https://example.invalid"}}],
            "contexts": [{"name": arn, "context": {"cluster": arn, "user": "u"}}],
            "users": [],
        },
    )
    exec_user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", "staging", "--region", "us-west-2"],
        }
    }
    second = _write(
        tmp_path / "b",
        {
            "current-context": "other",
            "clusters": [{"name": "c2", "cluster": {"server": "https://b.invalid"}}],
            "contexts": [{"name": "staging", "context": {"cluster": "c2", "user": "u"}}],
            "users": [{"name": "u", "user": exec_user}],
        },
    )
    monkeypatch.setenv("KUBECONFIG", f"{first}:{second}")
    config, hints = load_config(KubeOptions())
    assert config.context_name == arn
    assert (hints.cluster_name, hints.region) == ("prod", "eu-west-1")
    _, hints = load_config(KubeOptions(context="staging"))
    assert (hints.cluster_name, hints.region) == ("staging", "us-west-2")


def test_missing_context_is_inconclusive(tmp_path: Path, kube_env: Path) -> None:
    with FakeKube([]) as kube:
        kube.kubeconfig(kube_env)
        collection = Collection()
        collect_kubernetes(KubeOptions(context="nope"), collection)
    assert [i.what for i in collection.inconclusive] == ["kubernetes"]
    assert "nope" in collection.inconclusive[0].reason


def test_lists_page_with_continue_and_send_selectors(kube_env: Path) -> None:
    pods = [
        {
            "kind": "Pod",
            "metadata": {"name": f"p{i}", "namespace": "ns"},
            "spec": {"volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "c"}}]},
        }
        for i in range(1200)
    ]
    with FakeKube(pods) as kube:
        kube.kubeconfig(kube_env)
        collection = Collection()
        collect_kubernetes(KubeOptions(), collection)
        requests = list(kube.requests)
    pod_requests = [r for r in requests if r.path == "/api/v1/pods"]
    assert len(pod_requests) == 3
    assert [bool(r.query.get("continue")) for r in pod_requests] == [False, True, True]
    assert all(r.query["limit"] == "500" for r in pod_requests)
    selectors = {r.query.get("fieldSelector") for r in requests if r.path == "/api/v1/events"}
    assert selectors == {"reason=FailedMount", "reason=ProvisioningFailed"}
    assert {r.method for r in requests} == {"GET"}
    [document] = [d for d in collection.documents if d.path == "kubernetes/pods.json"]
    assert len(document.data["items"]) == 1200
    assert document.data["kind"] == "PodList"


def test_wrong_token_and_no_server_are_inconclusive(kube_env: Path) -> None:
    with FakeKube([]) as kube:
        kube.kubeconfig(kube_env)
        kube.token = "rotated"
        collection = Collection()
        collect_kubernetes(KubeOptions(), collection)
    assert {i.reason for i in collection.inconclusive} == {
        "the cluster rejected the credentials (401 Unauthorized)"
    }
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = json.loads(kube_env.read_text())
    config["clusters"][0]["cluster"]["server"] = f"http://127.0.0.1:{port}"
    kube_env.write_text(json.dumps(config))
    collection = Collection()
    collect_kubernetes(KubeOptions(timeout=2), collection)
    assert collection.inconclusive
    assert all("cannot reach" in i.reason for i in collection.inconclusive)


def test_cleaning_keeps_the_driver_and_redacts_the_rest() -> None:
    def workload(image: str) -> dict[str, Any]:
        return {
            "kind": "DaemonSet",
            "metadata": {"name": "x", "managedFields": [{"manager": "kubectl"}]},
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "c",
                                "image": image,
                                "args": ["--endpoint=unix:/csi/csi.sock"],
                                "env": [
                                    {"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::1:role/r"},
                                    {"name": "TOKEN", "value": "s3cret"},
                                ],
                            }
                        ]
                    }
                }
            },
        }

    obj = clean_kubernetes_object(workload("amazon/aws-efs-csi-driver:v3.4.1"))
    assert "managedFields" not in obj["metadata"]
    container = obj["spec"]["template"]["spec"]["containers"][0]
    assert container["env"] == [
        {"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::1:role/r"},
        {"name": "TOKEN", "value": REDACTED},
    ]
    assert container["args"] == ["--endpoint=unix:/csi/csi.sock"]


def test_secret_looking_words_are_redacted_and_the_rest_kept() -> None:
    from efs_doctor.sources.live_clean import redact_words

    script = "chown -R 1000:1000 /data && DB_PASSWORD=hunter2 api_key: 'abc' ./run"
    words = [
        "sh",
        "-c",
        script,
        "--token",
        "t0ken-value",
        "--client-secret=s3",
        "AKIAABCDEFGHIJKLMNOP",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "/var/lib/kubelet/pods/ABCdef1234567890abcdefABCDEF/volumes",
        "--v=2",
    ]
    cleaned = redact_words(words)
    assert cleaned[:2] == ["sh", "-c"]
    assert cleaned[2] == (
        f"chown -R 1000:1000 /data && DB_PASSWORD={REDACTED} api_key: {REDACTED} ./run"
    )
    assert cleaned[3:] == [
        "--token",
        REDACTED,
        f"--client-secret={REDACTED}",
        REDACTED,
        REDACTED,
        "/var/lib/kubelet/pods/ABCdef1234567890abcdefABCDEF/volumes",
        "--v=2",
    ]


def test_an_expired_continue_token_restarts_the_list_once(kube_env: Path) -> None:
    pvs = [
        {
            "kind": "PersistentVolume",
            "metadata": {"name": f"pv{i}"},
            "spec": {"csi": {"driver": "efs.csi.aws.com", "volumeHandle": "fs-12345678"}},
        }
        for i in range(700)
    ]
    with FakeKube(pvs, expire_once={"persistentvolumes"}) as kube:
        kube.kubeconfig(kube_env)
        collection = Collection()
        collect_kubernetes(KubeOptions(), collection)
        requests = [r for r in kube.requests if r.path == "/api/v1/persistentvolumes"]
    assert len(requests) == 4  # page 1, expired page 2, then page 1 and 2 again
    [document] = [d for d in collection.documents if d.path == "kubernetes/persistentvolumes.json"]
    assert len(document.data["items"]) == 700
    assert collection.inconclusive == []


def test_in_cluster_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from efs_doctor.sources import k8s_live

    account = tmp_path / "sa"
    account.mkdir()
    (account / "token").write_text("in-cluster-token")
    (account / "namespace").write_text("tools")
    (account / "ca.crt").write_text("")
    monkeypatch.setattr(k8s_live, "SERVICE_ACCOUNT_DIR", str(account))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.100.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    config, hints = load_config(KubeOptions())
    assert config.cluster.server == "https://10.100.0.1:443"
    assert (hints.context, hints.namespace) == ("in-cluster", "tools")


def test_an_unknown_profile_is_said_once(aws: str) -> None:
    collection = Collection()
    collect_aws(AwsOptions(profile="no-such-profile"), AwsTargets(), collection)
    [item] = collection.inconclusive
    assert item.what == "aws"
    assert "no-such-profile" in item.reason
