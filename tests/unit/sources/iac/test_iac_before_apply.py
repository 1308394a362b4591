"""IaC before apply (issue 18): templates and plans whose ids, ARNs, zones and parameters are
known only once deployed are still checked, through the same engines as deployed inputs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

REPO = Path(__file__).resolve().parents[4]
IAC = "tests/fixtures/iac"
Cli = Callable[..., CompletedProcess[str]]


def scan(cli: Cli, *paths: str) -> dict[str, Any]:
    result = cli("scan", "--format", "json", "--min-severity", "info", *paths, cwd=REPO)
    assert "Traceback" not in result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def codes(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for finding in document["findings"]:
        found.setdefault(finding["code"], []).append(finding)
    return found


# ---- item 1: a symbolic "this file system" ARN ------------------------------------------
BEFORE_DEPLOY = f"{IAC}/cloudformation/before-deploy"


def test_stack_region_and_account_in_resource_leave_the_policy_known(cli: Cli) -> None:
    """``${AWS::Region}``/``${AWS::AccountId}`` in the policy's Resource are the file system's
    own: the policy is evaluated, and the anonymous mount it does not admit is denied."""
    document = scan(cli, f"{BEFORE_DEPLOY}/stack-region-resource.yaml")
    (denied,) = codes(document)["AUTH001"]
    assert denied["location"]["object"] == "SharedVolume"
    assert denied["cause"] == "iam-option-missing"
    reasons = [i["reason"] for i in document["inconclusive"]]
    assert not any("policy is not among the inputs" in r for r in reasons)


def test_statements_without_resource_need_no_arn(cli: Cli) -> None:
    document = scan(cli, f"{BEFORE_DEPLOY}/no-resource.yaml")
    assert not {"AUTH001", "AUTH002", "MNT001"} & set(codes(document))


def test_a_literal_region_pattern_covers_this_file_system(cli: Cli) -> None:
    """The file system's region and account are unknown before deploy; the policy's own
    pattern ``...:eu-west-1:111122223333:file-system/*`` covers it, so the anonymous mount
    through a mount target is allowed (it used to be checked against a guessed us-east-1 ARN
    and denied)."""
    document = scan(cli, f"{BEFORE_DEPLOY}/literal-region-pattern.yaml")
    assert not {"AUTH001", "AUTH002", "MNT001"} & set(codes(document))


# ---- item 3: planned StorageClasses ---------------------------------------------------------
PLANNED = REPO / IAC / "terraform/planned-storage-classes"


def _planned_file_systems(path: Path) -> dict[str, str | None]:
    from efs_doctor.api import load_inventory, mount_chains

    inventory = load_inventory([str(path)])
    return {
        chain.planned.storage_class.name: chain.file_system_id
        for chain in mount_chains(inventory)
        if chain.planned is not None
    }


def test_planned_storage_classes_name_the_file_system_of_the_plan() -> None:
    """The chart's ``storageClasses[0].parameters.fileSystemId`` (a ``set`` entry) and the
    kubernetes provider's ``parameters.fileSystemId`` are the id of the file system the same
    plan creates: both planned volumes are checked against it."""
    found = _planned_file_systems(PLANNED / "plan.json")
    assert set(found) == {"efs-chart", "efs-team"}
    (fs_id,) = set(found.values())
    assert fs_id is not None
    assert fs_id.startswith("fs-00000000")


def test_without_the_configuration_file_system_id_is_linked_by_type(tmp_path: Path) -> None:
    """Plan only: the parameters map refers to the file system and to a namespace, which the
    plan does not split per key; fileSystemId takes the one file system id."""
    shutil.copy(PLANNED / "plan.json", tmp_path / "plan.json")
    assert _planned_file_systems(tmp_path / "plan.json") == _planned_file_systems(
        PLANNED / "plan.json"
    )


def test_a_parameter_that_stays_unknown_is_named(tmp_path: Path) -> None:
    from efs_doctor.api import load_inventory

    plan = json.loads((PLANNED / "plan.json").read_text())
    for change in plan["resource_changes"]:
        if change["address"] == "kubernetes_storage_class_v1.team":
            change["change"]["after"]["parameters"]["basePath"] = None
            change["change"]["after_unknown"]["parameters"]["basePath"] = True
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    inventory = load_inventory([str(tmp_path / "plan.json")])
    assert "efs-team" not in inventory.storage_classes
    (problem,) = [p for p in inventory.problems if "parameters.basePath" in p.message]
    assert "not checked" in problem.message


def test_the_chart_storage_class_is_reported_at_the_helm_release(cli: Cli) -> None:
    document = scan(cli, f"{IAC}/terraform/planned-storage-classes/plan.json")
    (perms,) = codes(document)["CSI009"]
    assert perms["location"]["object"] == "helm_release.aws_efs_csi_driver"


# ---- item 4: zones known only after apply, a 2049 rule pointing the wrong way ---------------
ZONE_UNKNOWN = REPO / IAC / "cloudformation/zone-unknown"


def test_a_mount_target_zone_known_only_after_apply_is_not_in_no_zone(cli: Cli) -> None:
    """The subnet is a parameter: the mount target's zone is unknown before deploy, so the
    node in us-east-1a may well have one (it used to be a critical no-mount-target-in-zone)."""
    document = scan(cli, str(ZONE_UNKNOWN.relative_to(REPO)))
    assert "NET001" not in codes(document)
    (unknown,) = [i for i in document["inconclusive"] if i["code"] == "NET001"]
    assert "known only after apply" in unknown["reason"]


def test_the_subnet_zone_is_the_mount_target_zone(cli: Cli, tmp_path: Path) -> None:
    # A mount target lives in its subnet's zone (EFS User Guide, manage-fs-access.html).
    for zone, expected in (("us-east-1b", True), ("us-east-1a", False)):
        folder = tmp_path / zone
        shutil.copytree(ZONE_UNKNOWN, folder)
        subnets = {
            "Subnets": [
                {
                    "SubnetId": "subnet-0aaaaaaaaaaaaaaa1",
                    "VpcId": "vpc-0a1b2c3d4e5f60718",
                    "AvailabilityZone": zone,
                    "CidrBlock": "10.0.32.0/20",
                }
            ]
        }
        (folder / "ec2-describe-subnets.json").write_text(json.dumps(subnets))
        document = scan(cli, str(folder))
        missing = codes(document).get("NET001", [])
        assert bool(missing) is expected, zone
        if expected:
            assert missing[0]["cause"] == "no-mount-target-in-az"
            assert missing[0]["location"]["object"] == "SharedVolume"


def test_a_2049_rule_from_the_mount_target_group_is_said_to_point_the_wrong_way() -> None:
    from efs_doctor.api import load_inventory

    inventory = load_inventory([str(ZONE_UNKNOWN)])
    (reversed_rule,) = [p for p in inventory.problems if "points the wrong way" in p.message]
    assert reversed_rule.location.object == "NfsFromEfsGroup"
    assert reversed_rule.location.line == 25
