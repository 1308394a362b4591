"""An AWS CLI listing whose list is not a list (issue 21, item 5).

``{"MountTargets": "oops"}`` is not "no mount targets": it is one ``file:line:col`` error
naming the field and the type found, and the section does not count as provided, so the
engines say "not provided" instead of reading "none exist".
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from efs_doctor.api import load_inventory
from efs_doctor.cli import main
from efs_doctor.model.problems import ProblemLevel
from efs_doctor.sources import aws_snapshot

REPO = Path(__file__).resolve().parents[3]
HEALTHY = REPO / "examples" / "healthy"

# Every listing answer: (its listing key, the section it provides).
LISTINGS = [
    ("FileSystems", aws_snapshot.FILE_SYSTEMS),
    ("MountTargets", aws_snapshot.MOUNT_TARGETS),
    ("AccessPoints", aws_snapshot.ACCESS_POINTS),
    ("SecurityGroups", aws_snapshot.SECURITY_GROUPS),
    ("NetworkInterfaces", aws_snapshot.NETWORK_INTERFACES),
    ("Subnets", aws_snapshot.SUBNETS),
    ("Vpcs", aws_snapshot.VPCS),
    ("NetworkAcls", aws_snapshot.NETWORK_ACLS),
    ("Reservations", aws_snapshot.INSTANCES),
    ("RoleDetailList", aws_snapshot.IAM),
]
WRONG = [("oops", "a string"), (5, "a number"), (None, "null"), ({"a": 1}, "a mapping")]


@pytest.mark.parametrize(("key", "section"), LISTINGS)
@pytest.mark.parametrize(("value", "described"), WRONG)
def test_a_listing_that_is_not_a_list(
    key: str, section: str, value: object, described: str, tmp_path: Path
) -> None:
    path = tmp_path / "answer.json"
    path.write_text(f'{{\n  "{key}": {json.dumps(value)}\n}}\n', encoding="utf-8")
    inventory = load_inventory([str(path)])
    [problem] = inventory.problems
    assert problem.level is ProblemLevel.ERROR
    assert str(problem) == (
        f"{path}:2:{len(key) + 7}: AWS CLI answer: field {key} must be a list, got {described}; "
        "not read"
    )
    assert not inventory.has(section)


# a list of strings under SecurityGroups is describe-mount-target-security-groups' answer
@pytest.mark.parametrize(
    ("key", "section"), [row for row in LISTINGS if row[0] != "SecurityGroups"]
)
def test_an_item_that_is_not_an_object(key: str, section: str, tmp_path: Path) -> None:
    path = tmp_path / "answer.json"
    path.write_text(f'{{"{key}": [\n  "oops"\n]}}\n', encoding="utf-8")
    inventory = load_inventory([str(path)])
    [problem] = inventory.problems
    assert str(problem) == (
        f"{path}:2:3: AWS CLI answer: field {key}.0 must be an object, got a string; not read"
    )
    assert not inventory.has(section)


def test_instances_nested_in_a_reservation(tmp_path: Path) -> None:
    path = tmp_path / "instances.json"
    path.write_text('{"Reservations": [\n  {"Instances": 7}\n]}\n', encoding="utf-8")
    inventory = load_inventory([str(path)])
    assert [str(p) for p in inventory.problems] == [
        f"{path}:2:17: AWS CLI answer: field Reservations.0.Instances must be a list, got a "
        "number; not read"
    ]
    assert not inventory.has(aws_snapshot.INSTANCES)


@pytest.mark.parametrize("corrupt_first", [True, False])
def test_one_unreadable_answer_leaves_the_section_unknown_in_any_order(
    corrupt_first: bool, tmp_path: Path
) -> None:
    good = tmp_path / "a.json"
    good.write_text('{"MountTargets": []}', encoding="utf-8")
    bad = tmp_path / "b.json"
    bad.write_text('{"MountTargets": "oops"}', encoding="utf-8")
    inventory = load_inventory([str(bad), str(good)] if corrupt_first else [str(good), str(bad)])
    assert not inventory.has(aws_snapshot.MOUNT_TARGETS)
    well_formed = load_inventory([str(good)])
    assert well_formed.has(aws_snapshot.MOUNT_TARGETS)  # an empty list is a known "none"


@pytest.fixture
def corrupt_mount_targets(tmp_path: Path) -> Path:
    """The healthy example with its describe-mount-targets answer corrupted."""
    example = tmp_path / "healthy"
    shutil.copytree(HEALTHY, example)
    answer = example / "aws" / "efs-describe-mount-targets.json"
    answer.write_text('{\n    "MountTargets": "oops"\n}\n', encoding="utf-8")
    return example


def test_corrupt_mount_targets_are_not_a_missing_mount_target(
    corrupt_mount_targets: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = corrupt_mount_targets / "aws" / "efs-describe-mount-targets.json"
    assert main(["scan", str(corrupt_mount_targets), "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"{answer}:2:21: AWS CLI answer: field MountTargets must be a list, got a string; not read"
    ]
    report = json.loads(out)
    # before: NET001 critical "have no available mount target"; now it cannot be checked
    assert report["findings"] == []
    assert {"code": "NET001", "object": "fs-0123456789abcdef0"}.items() <= next(
        item for item in report["inconclusive"] if item["code"] == "NET001"
    ).items()
    assert main(["simulate", str(corrupt_mount_targets), "--format", "json"]) == 1
    [mount] = json.loads(capsys.readouterr().out)["mounts"]
    assert (mount["outcome"], mount["cause"]) == ("indeterminate", None)
    assert mount["reason"].startswith("mount targets not provided")
