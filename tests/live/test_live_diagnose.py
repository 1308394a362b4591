"""`efs-doctor diagnose` end to end on the seed incident built in moto and the fake API.

The pod is stuck on a static PV without mountOptions for a file system whose policy allows
``Client*`` to ``{"AWS": "*"}`` only under ``ArnLike aws:PrincipalArn`` of two roles; mount
targets are in every node zone and the security groups admit TCP 2049 from the nodes. The
verdict must be the authorization layer, cause ``iam-option-missing``, with the fix (add
``iam`` to the PV's mountOptions and grant the principal).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import live_seed as seed
import pytest
import yaml
from fake_kube import FakeKube
from live_helpers import child_env, efs_doctor

pytestmark = pytest.mark.live
POD = f"web/{seed.POD}"


@pytest.fixture
def seeded(aws: str, tmp_path: Path) -> tuple[dict[str, str], seed.AwsSeed, FakeKube]:
    built = seed.build_aws(aws)
    kube = FakeKube(seed.kube_objects(built)).__enter__()
    env = child_env(aws, kube.kubeconfig(tmp_path / "kubeconfig.json"))
    yield env, built, kube
    kube.__exit__(None, None, None)


def test_diagnose_names_the_cause_and_the_fix(
    seeded: tuple[dict[str, str], seed.AwsSeed, FakeKube],
) -> None:
    env, built, _kube = seeded
    done = efs_doctor(["diagnose", POD], env)
    assert done.returncode == 1, done.stderr
    text = done.stdout
    assert "FAILED at authorization (cause iam-option-missing)" in text
    assert "EFS sees anonymous" in text
    assert "1. iam-option-missing (confirmed" in text
    assert "fix: Add `iam` to the PV's spec.mountOptions" in text
    assert "access denied by server while mounting 127.0.0.1:/" in text  # the predicted error
    assert built.file_system_ids[0] in text
    assert "Traceback" not in done.stderr


def test_diagnose_json_follows_the_contract(
    seeded: tuple[dict[str, str], seed.AwsSeed, FakeKube],
) -> None:
    env, built, kube = seeded
    done = efs_doctor(["diagnose", "--all-namespaces", "--format", "json"], env)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["schema_version"] == 1
    assert report["pods"] == [POD]
    [mount] = report["mounts"]
    assert (mount["pod"], mount["outcome"], mount["layer"], mount["cause"]) == (
        POD,
        "failed",
        "authorization",
        "iam-option-missing",
    )
    assert mount["principal"] == "anonymous"
    assert mount["file_system_id"] == built.file_system_ids[0]
    [event] = report["events"]
    assert (event["object"], event["reason"], event["count"]) == (f"Pod {POD}", "FailedMount", 14)
    top = report["causes"][0]
    assert (top["id"], top["status"]) == ("iam-option-missing", "confirmed")
    assert "mountOptions" in top["fix"]
    assert {"what", "reason", "missing_permission"} <= set(report["inconclusive"][0])
    assert {r.method for r in kube.requests} == {"GET"}


def test_diagnose_as_openreports_puts_the_pod_mount_in_its_namespace_report(
    seeded: tuple[dict[str, str], seed.AwsSeed, FakeKube],
) -> None:
    """`diagnose -A --format openreports`: one result per simulated mount, in the pod's
    namespace, valid against the OpenReports CRD (tests/data/crds), named apart from scan's."""
    from crd_schemas import crd_errors

    env, built, _kube = seeded
    done = efs_doctor(["diagnose", "--all-namespaces", "--format", "openreports"], env)
    assert done.returncode == 1, done.stderr
    docs = [d for d in yaml.safe_load_all(done.stdout) if d]
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("ClusterReport", "efs-doctor-mounts-cluster"),
        ("Report", "efs-doctor-mounts-web"),
    ]
    assert crd_errors(docs[0], "openreports.io_clusterreports.yaml", "v1alpha1") == []
    assert crd_errors(docs[1], "openreports.io_reports.yaml", "v1alpha1") == []
    [mount] = docs[1]["results"]
    assert (mount["policy"], mount["rule"], mount["result"], mount["category"]) == (
        "efs-mount",
        "iam-option-missing",
        "fail",
        "authorization",
    )
    assert mount["resources"][0] == {
        "apiVersion": "v1",
        "kind": "Pod",
        "name": seed.POD,
        "namespace": "web",
    }
    properties = mount["properties"]
    assert properties["cause_status"] == "confirmed"  # the pod's FailedMount event says so
    assert "mountOptions" in properties["fix"]
    assert properties["file_system"] == built.file_system_ids[0]
    # what could not be read is an error result of the cluster report
    assert {r["result"] for r in docs[0]["results"]} == {"error"}
    assert docs[0]["summary"]["error"] == len(docs[0]["results"])


def test_diagnose_reports_need_every_namespace() -> None:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH")}
    done = efs_doctor(["diagnose", "--format", "openreports"], {**env, "HOME": "/nonexistent"})
    assert done.returncode == 2
    assert "--format openreports needs --all-namespaces" in done.stderr


def test_every_chain_without_arguments(
    seeded: tuple[dict[str, str], seed.AwsSeed, FakeKube],
) -> None:
    env, _built, _kube = seeded
    done = efs_doctor(["diagnose", "-A", "--all-pods", "--format", "json"], env)
    assert done.returncode == 1
    assert [m["pod"] for m in json.loads(done.stdout)["mounts"]] == [POD]


@pytest.fixture
def two_pods(aws: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The seed plus a second pod on the same claim with no event; the kubeconfig context's
    namespace is ``default``, both pods are in ``web``."""
    built = seed.build_aws(aws)
    quiet = seed.pod_object(built.instances[1]["PrivateDnsName"], name="web-quiet")
    with FakeKube([*seed.kube_objects(built), quiet]) as kube:
        yield child_env(aws, kube.kubeconfig(tmp_path / "kubeconfig.json"))


def test_namespaces_as_kubectl_reads_them_and_failing_is_the_filter(
    two_pods: dict[str, str],
) -> None:
    """-A is every namespace and -n one, the context's by default (as kubectl reads them);
    --failing, the default, keeps the pods with a failure event, --all-pods every EFS mount
    (issue 21 item 7)."""

    def pods(*args: str) -> list[str]:
        done = efs_doctor(["diagnose", *args, "--no-aws", "--format", "json"], two_pods)
        assert done.returncode in (0, 1), done.stderr
        return sorted(m["pod"] for m in json.loads(done.stdout)["mounts"])

    assert pods("-A") == [POD]
    assert pods("-A", "--failing") == [POD]
    assert pods("--all-namespaces", "--all-pods") == sorted([POD, "web/web-quiet"])
    assert pods("-n", "web") == [POD]
    assert pods("--namespace", "web", "--all-pods") == sorted([POD, "web/web-quiet"])
    assert pods() == []  # the context's namespace, default, has no pod
    assert pods("--all-pods") == []
    assert pods("-n", "web", "web-quiet") == ["web/web-quiet"]  # a named pod, failing or not

    done = efs_doctor(["diagnose", "--no-aws"], two_pods)
    assert done.returncode == 0, done.stderr
    assert (
        "efs-doctor diagnose: no pod in namespace default with a failure event mounts an EFS "
        "volume (1 in other namespaces: -A; every EFS mount: --all-pods)"
    ) in done.stderr.splitlines()
    assert "0 mount(s)" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([POD, "--all-namespaces"], "give a pod or --all-namespaces, not both"),
        ([POD, "-A"], "give a pod or --all-namespaces, not both"),
        ([POD, "--failing"], "give a pod or --failing, not both"),
        ([POD, "--all-pods"], "give a pod or --all-pods, not both"),
        ([POD, "-n", "other"], f"{POD!r} is not in namespace 'other'"),
        (["-A", "-n", "web"], "argument -n/--namespace: not allowed with argument -A"),
        (["--failing", "--all-pods"], "argument --all-pods: not allowed with argument --failing"),
    ],
)
def test_contradicting_arguments_are_usage_errors(args: list[str], message: str) -> None:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH")}
    done = efs_doctor(["diagnose", *args], {**env, "HOME": "/nonexistent"})  # no cluster read
    assert done.returncode == 2
    assert message in done.stderr


def test_unknown_pod(
    seeded: tuple[dict[str, str], seed.AwsSeed, FakeKube],
) -> None:
    env, _built, _kube = seeded
    done = efs_doctor(["diagnose", "web/nope"], env)
    assert done.returncode == 2
    assert "web/nope: no such pod" in done.stderr


def test_without_aws_the_verdict_is_indeterminate_and_says_why(aws: str, tmp_path: Path) -> None:
    """AWS cannot be reached at all: the run completes, Kubernetes alone gives the chain,
    the verdict is indeterminate, and every AWS gap is listed."""
    built = seed.build_aws(aws)
    with FakeKube(seed.kube_objects(built)) as kube:
        env = child_env(
            aws,
            kube.kubeconfig(tmp_path / "kubeconfig.json"),
            AWS_ENDPOINT_URL="http://127.0.0.1:9",  # nothing listens: every call fails
            AWS_MAX_ATTEMPTS="1",
        )
        done = efs_doctor(["diagnose", POD, "--format", "json", "--timeout", "2"], env)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["mounts"][0]["outcome"] == "indeterminate"
    assert report["inconclusive"]
    reasons = {i["what"]: i["reason"] for i in report["inconclusive"]}
    assert reasons.pop("aws eks").startswith("the EKS cluster name is unknown")
    assert all(r.startswith(("cannot reach", "skipped")) for r in reasons.values())


def test_no_aws_reads_only_kubernetes(
    seeded: tuple[dict[str, str], seed.AwsSeed, FakeKube],
) -> None:
    env, _built, _kube = seeded
    done = efs_doctor(["-v", "diagnose", POD, "--no-aws", "--format", "json"], env)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["mounts"][0]["outcome"] == "indeterminate"
    assert "0 AWS requests" in done.stderr
