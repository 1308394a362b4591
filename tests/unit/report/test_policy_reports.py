"""`scan --format openreports|policyreport`: the objects follow contracts.md ("Policy reports")
and validate against the report CRDs' schemas (tests/data/crds, strict: no undeclared field)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from crd_schemas import crd_errors
from efs_doctor.findings import Confidence, Finding, Inconclusive, Location, Report, Severity
from efs_doctor.report import policy_reports
from efs_doctor.report.policy_results import scan_results
from efs_doctor.rules import REGISTRY

REPO = Path(__file__).resolve().parents[3]
SCHEMAS = {
    "ClusterReport": ("openreports.io_clusterreports.yaml", "v1alpha1"),
    "Report": ("openreports.io_reports.yaml", "v1alpha1"),
    "ClusterPolicyReport": ("wgpolicyk8s.io_clusterpolicyreports.yaml", "v1alpha2"),
    "PolicyReport": ("wgpolicyk8s.io_policyreports.yaml", "v1alpha2"),
}


def documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def assert_valid(docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        file_name, version = SCHEMAS[doc["kind"]]
        assert crd_errors(doc, file_name, version) == [], doc["metadata"]["name"]
        results = doc["results"]
        shown = {
            value: sum(r["result"] == value for r in results)
            for value in ("pass", "fail", "warn", "error", "skip")
        }
        if "configuration" in doc:  # capped: the summary counts what was left out too
            assert all(doc["summary"][k] >= n for k, n in shown.items())
        else:
            assert doc["summary"] == shown


def seed_with_fs_group(tmp_path: Path) -> Path:
    """The seed incident plus an fsGroup on the Deployment (CSI013: a namespaced finding)."""
    root = tmp_path / "seed"
    shutil.copytree(REPO / "examples" / "seed-incident", root)
    deployment = root / "k8s" / "deployment.yaml"
    text = deployment.read_text(encoding="utf-8")
    assert "        runAsGroup: 1000\n" in text
    deployment.write_text(
        text.replace(
            "        runAsGroup: 1000\n", "        runAsGroup: 1000\n        fsGroup: 2000\n"
        ),
        encoding="utf-8",
    )
    return root


def test_seed_prints_a_cluster_report_with_the_auth001_result(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("scan", "examples/seed-incident", "--format", "openreports", cwd=REPO)
    assert done.returncode == 1, done.stderr  # findings: the exit code contract holds
    docs = documents(done.stdout)
    assert_valid(docs)
    [cluster] = docs
    assert (cluster["apiVersion"], cluster["kind"]) == ("openreports.io/v1alpha1", "ClusterReport")
    assert cluster["metadata"]["name"] == "efs-doctor-cluster"
    assert cluster["source"] == "efs-doctor"
    first = cluster["results"][0]
    assert (first["policy"], first["rule"], first["result"], first["severity"]) == (
        "AUTH001",
        "mount-anonymous-under-restrictive-policy",
        "fail",
        "critical",
    )
    assert first["category"] == "authorization"
    assert first["source"] == "efs-doctor"
    assert first["resources"] == [
        {"apiVersion": "v1", "kind": "PersistentVolume", "name": "efs-pv"}
    ]
    properties = first["properties"]
    assert properties["cause"] == "iam-option-missing"
    assert properties["expected_error"] == (
        "mount.nfs4: access denied by server while mounting 127.0.0.1:/"
    )
    assert properties["fix"] == "add `iam` to mountOptions"
    assert properties["location"] == "examples/seed-incident/k8s/pv-and-claim.yaml:15:5"
    assert properties["context"] == "examples/seed-incident"  # the PATH it was found under
    assert cluster["summary"]["fail"] == 2  # AUTH001 and AUTH005 (on the file system policy)


def test_namespaced_findings_go_to_their_namespace_report(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = seed_with_fs_group(tmp_path)
    for fmt, kinds in (
        ("openreports", ("ClusterReport", "Report")),
        ("policyreport", ("ClusterPolicyReport", "PolicyReport")),
    ):
        done = cli("scan", str(root), "--format", fmt)
        docs = documents(done.stdout)
        assert_valid(docs)
        assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
            (kinds[0], "efs-doctor-cluster"),
            (kinds[1], "efs-doctor-web"),
        ]
        namespaced = docs[1]
        assert namespaced["metadata"]["namespace"] == "web"
        [result] = namespaced["results"]
        assert result["policy"] == "CSI013"
        assert result["resources"] == [
            {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "web"}
        ]
        assert ("source" in docs[0]) is (fmt == "openreports")  # only OpenReports has it


def test_the_schema_check_refuses_what_the_api_server_would_drop_or_refuse(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("scan", "examples/seed-incident", "--format", "openreports", cwd=REPO)
    [cluster] = documents(done.stdout)
    result = cluster["results"][0]
    result["severity"] = "urgent"
    result["properties"]["count"] = 3  # properties are strings only
    result["ruleId"] = "AUTH001"  # not a field: pruned on apply
    errors = crd_errors(cluster, *SCHEMAS["ClusterReport"])
    assert len(errors) == 3, errors


def test_a_rerun_of_a_fixed_input_clears_the_cluster_report(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("scan", "examples/healthy", "--format", "openreports", cwd=REPO)
    assert done.returncode == 0, done.stderr
    [cluster] = documents(done.stdout)
    assert cluster["metadata"]["name"] == "efs-doctor-cluster"  # the same name: apply replaces
    assert cluster["results"] == []
    assert_valid([cluster])


def _finding(code: str, severity: Severity, obj: str, subjects: tuple[str, ...] = ()) -> Finding:
    return Finding(
        code=code,
        slug=next(r.slug for r in REGISTRY if r.code == code),
        severity=severity,
        confidence=Confidence.HIGH,
        message=f"{code} on {obj}",
        location=Location("x.yaml", 3, 1, obj),
        subjects=subjects,
    )


def test_results_follow_the_contract_for_every_kind_of_entry() -> None:
    report = Report(
        findings=(
            _finding("CSI006", Severity.CRITICAL, "PersistentVolume/pv-a"),
            _finding("AP003", Severity.LOW, "Pod/team-a/runner"),
            _finding(
                "NET002",
                Severity.CRITICAL,
                "sg-0123456789abcdef0",
                subjects=("Deployment/team-b/api", "PersistentVolumeClaim/team-b/data"),
            ),
        ),
        inconclusive=(
            Inconclusive("AUTH001", "fs-0123456789abcdef0", "the policy is not among the inputs"),
            Inconclusive("live", "kubernetes list pods", "forbidden (needs list pods)"),
        ),
        suppressed=(),
        files=(),
        objects=0,
        chains=0,
    )
    results = scan_results(report, REGISTRY)
    by_policy = {r.policy: r for r in results}
    assert by_policy["CSI006"].result == "fail"
    assert by_policy["CSI006"].namespace is None
    assert by_policy["AP003"].result == "warn"  # low severity
    assert by_policy["AP003"].namespace == "team-a"
    # an AWS object at fault: the Kubernetes objects it stops are the resources
    net = by_policy["NET002"]
    assert [(r.kind, r.namespace, r.name) for r in net.resources] == [
        ("Deployment", "team-b", "api"),
        ("PersistentVolumeClaim", "team-b", "data"),
    ]
    assert by_policy["AUTH001"].result == "skip"
    assert "the policy is not among the inputs" in by_policy["AUTH001"].message
    assert by_policy["live"].result == "error"
    docs = policy_reports.report_documents(
        results, policy_reports.REPORT_APIS["openreports"], timestamp=1767225600
    )
    assert_valid(docs)
    assert [d["metadata"].get("namespace") for d in docs] == [None, "team-a", "team-b"]
    assert docs[0]["summary"] == {"pass": 0, "fail": 1, "warn": 0, "error": 1, "skip": 1}
    assert docs[0]["results"][0]["timestamp"] == {"seconds": 1767225600, "nanos": 0}


def test_results_are_capped_and_the_cap_is_declared() -> None:
    many = tuple(
        _finding("CSI006", Severity.CRITICAL, f"PersistentVolume/pv-{n:05d}")
        for n in range(policy_reports.MAX_RESULTS + 5)
    )
    report = Report(many, (), (), (), 0, 0)
    [cluster] = policy_reports.report_documents(
        scan_results(report, REGISTRY), policy_reports.REPORT_APIS["openreports"], timestamp=0
    )
    assert len(cluster["results"]) == policy_reports.MAX_RESULTS
    assert cluster["summary"]["fail"] == policy_reports.MAX_RESULTS + 5
    assert cluster["configuration"] == {"limits": {"maxResults": policy_reports.MAX_RESULTS}}
    assert_valid([cluster])


@pytest.mark.parametrize("fmt", ["openreports", "policyreport"])
def test_inputs_nobody_here_wrote_give_valid_reports(cli, corpus: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """The EFS CSI driver's examples and 16 real projects' configurations (corpus/realworld,
    SOURCES.md there), each folder on its own."""
    realworld = corpus.parent / "realworld"
    folders = [corpus, *sorted(p for p in realworld.glob("*") if p.is_dir())]
    seen = 0
    for folder in folders:
        done = cli("scan", str(folder), "--format", fmt)
        assert done.returncode in (0, 1, 2), (folder.name, done.stderr)
        if done.returncode == 2:
            continue  # no usable input in that folder (IaC only)
        docs = documents(done.stdout)
        assert_valid(docs)
        seen += sum(len(d["results"]) for d in docs)
    assert seen > 0
