"""`efs-doctor diagnose` end to end on the seed incident built in moto and the fake API.

The pod is stuck on a static PV without mountOptions for a file system whose policy allows
``Client*`` to ``{"AWS": "*"}`` only under ``ArnLike aws:PrincipalArn`` of two roles; mount
targets are in every node zone and the security groups admit TCP 2049 from the nodes. The
verdict must be the authorization layer, cause ``iam-option-missing``, with the fix (add
``iam`` to the PV's mountOptions and grant the principal).
"""

from __future__ import annotations

import json
from pathlib import Path

import live_seed as seed
import pytest
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


def test_every_chain_without_arguments(
    seeded: tuple[dict[str, str], seed.AwsSeed, FakeKube],
) -> None:
    env, _built, _kube = seeded
    done = efs_doctor(["diagnose", "--format", "json"], env)
    assert done.returncode == 1
    assert [m["pod"] for m in json.loads(done.stdout)["mounts"]] == [POD]


def test_unknown_pod_and_bad_arguments(
    seeded: tuple[dict[str, str], seed.AwsSeed, FakeKube],
) -> None:
    env, _built, _kube = seeded
    done = efs_doctor(["diagnose", "web/nope"], env)
    assert done.returncode == 2
    assert "web/nope: no such pod" in done.stderr
    done = efs_doctor(["diagnose", POD, "--all-namespaces"], env)
    assert done.returncode == 2
    assert "not both" in done.stderr


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
