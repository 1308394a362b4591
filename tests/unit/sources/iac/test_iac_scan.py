"""``efs-doctor scan`` on IaC: the seed incident in Terraform and in a CDK synthesized
template reports its findings at the IaC resources (issue 10, "Done when")."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[4]
IAC = "tests/fixtures/iac"
Cli = Callable[..., CompletedProcess[str]]


def scan(cli: Cli, path: str, fmt: str = "json") -> tuple[int, Any]:
    result = cli("scan", "--format", fmt, path, cwd=REPO)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def by_code(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for finding in document["findings"]:
        found.setdefault(finding["code"], []).append(finding)
    return found


def test_terraform_seed_findings_at_the_pv_resource_and_the_policy_resource(cli: Cli) -> None:
    status, document = scan(cli, f"{IAC}/terraform/seed/plan.json")
    assert status == 1
    findings = by_code(document)
    (anonymous,) = findings["AUTH001"]  # mount without iam under a restrictive policy
    assert anonymous["location"] == {
        "path": f"{IAC}/terraform/seed/kubernetes.tf",
        "line": 15,
        "column": 7,
        "object": "kubernetes_persistent_volume_v1.efs",
    }
    assert anonymous["expected_error"].endswith(
        "mount.nfs4: access denied by server while mounting 127.0.0.1:/"
    )
    assert any(r["path"].endswith("seed/main.tf") for r in anonymous["related"])
    (unenforced,) = findings["AUTH005"]  # aws:PrincipalArn is not enforced for NFS clients
    assert unenforced["location"]["object"] == "aws_efs_file_system_policy.shared"
    assert unenforced["location"]["path"] == f"{IAC}/terraform/seed/main.tf"
    assert "aws:PrincipalArn" in unenforced["message"]


def test_cdk_template_findings_at_the_manifest_and_the_file_system(cli: Cli) -> None:
    status, document = scan(cli, f"{IAC}/cdk/seed/cdk.out")
    assert status == 1
    findings = by_code(document)
    template = f"{IAC}/cdk/seed/cdk.out/SharedStorage.template.json"
    (anonymous,) = findings["AUTH001"]
    assert anonymous["location"]["object"] == "SharedVolume62BA02CB"
    assert anonymous["location"]["path"] == template
    no_mount = findings["AUTH003"]  # the CDK default policy grants no ClientMount
    assert {f["location"]["object"] for f in no_mount} == {"SharedFs4FA368F7"}
    assert all(f["location"]["path"] == template for f in no_mount)


@pytest.mark.parametrize(
    ("scenario", "obj"),
    [
        ("module-efs", "kubernetes_persistent_volume_v1.shared"),
        ("blueprints-sc", "kubernetes_storage_class_v1.efs"),
    ],
)
def test_reported_defaults_are_found_at_the_kubernetes_resource(
    cli: Cli, scenario: str, obj: str
) -> None:
    status, document = scan(cli, f"{IAC}/terraform/{scenario}/plan.json")
    assert status == 1
    (anonymous,) = by_code(document)["AUTH001"]
    assert anonymous["location"]["object"] == obj
    assert anonymous["location"]["path"] == f"{IAC}/terraform/{scenario}/kubernetes.tf"


def test_sarif_uses_the_tf_file_and_the_address(cli: Cli) -> None:
    status, document = scan(cli, f"{IAC}/terraform/seed/plan.json", "sarif")
    assert status == 1
    locations = {r["ruleId"]: r["locations"][0] for r in document["runs"][0]["results"]}
    physical = locations["AUTH001"]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == f"{IAC}/terraform/seed/kubernetes.tf"
    assert physical["region"]["startLine"] == 15
    logical = locations["AUTH001"]["logicalLocations"][0]
    assert logical["fullyQualifiedName"] == "kubernetes_persistent_volume_v1.efs"


def test_linked_access_point_handle_mounts_with_iam(cli: Cli) -> None:
    status, document = scan(cli, f"{IAC}/terraform/access-point-handle/plan.json")
    assert "AUTH001" not in by_code(document)
    assert status in (0, 1)


def test_fixes_are_given_in_iac_terms(cli: Cli) -> None:
    _, document = scan(cli, f"{IAC}/terraform/seed/plan.json")
    findings = by_code(document)
    mount_fix = findings["AUTH001"][0]["fix"]
    assert "spec.mount_options of kubernetes_persistent_volume_v1.efs" in mount_fix["title"]
    assert '+    mount_options = ["iam"]' in mount_fix["patch"]
    policy_fix = findings["AUTH005"][0]["fix"]
    assert 'data "aws_iam_policy_document" "shared_corrected"' in policy_fix["patch"]
    assert "resources = [aws_efs_file_system.shared.arn]" in policy_fix["patch"]
    _, cdk = scan(cli, f"{IAC}/cdk/seed/cdk.out")
    # The CDK default policy grants ClientWrite/ClientRootAccess but never ClientMount: the
    # mount engine names that cause (efs-semantics.md §4.6), so adding `iam` alone is no fix;
    # the corrected policy is, in CDK terms.
    denied = by_code(cdk)["AUTH001"][0]
    assert denied["cause"] == "policy-missing-clientmount"
    assert denied["fix"] is None
    title = by_code(cdk)["AUTH003"][0]["fix"]["title"]
    assert "SharedFs4FA368F7" in title
    assert "fileSystemPolicy" in title


def test_fix_does_not_write_into_the_terraform_configuration(cli: Cli, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "seed"
    shutil.copytree(REPO / IAC / "terraform" / "seed", copy)
    before = {p.name: p.read_text() for p in copy.iterdir()}
    result = cli("scan", "--fix", str(copy / "plan.json"), cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert {p.name: p.read_text() for p in copy.iterdir()} == before
