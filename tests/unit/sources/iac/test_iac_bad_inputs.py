"""Bad IaC inputs: each problem is one clear line naming where, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from efs_doctor.api import load_inventory
from efs_doctor.model.problems import ProblemLevel

BAD = Path(__file__).resolve().parents[3] / "fixtures" / "iac" / "bad"

EXPECTED = {
    "truncated-plan.json": "invalid JSON: ",
    "future-format-plan.json": "Terraform JSON format_version '2.0' is not supported",
    "malformed-plan.json": "Terraform JSON: resource_changes must be a list",
    "unknown-tag.yaml": "invalid CloudFormation YAML: could not determine a constructor for "
    "the tag '!Frobnicate'",
    "python-tag.yaml": "invalid CloudFormation YAML: could not determine a constructor",
    "alias.yaml": "YAML aliases/anchors are not accepted in templates",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_unusable_input_is_one_error_line(name: str) -> None:
    inventory = load_inventory([str(BAD / name)])
    errors = inventory.errors
    assert len(errors) == 1
    assert EXPECTED[name] in errors[0].message
    assert "\n" not in str(errors[0])
    assert errors[0].location.path == str(BAD / name)
    assert errors[0].location.line is not None
    assert inventory.is_empty


def test_odd_intrinsics_skip_only_the_resources_they_are_in() -> None:
    inventory = load_inventory([str(BAD / "odd-intrinsics.yaml")])
    messages = sorted(p.message for p in inventory.problems if p.level is not ProblemLevel.DEBUG)
    assert messages == [
        "BadGetAtt: Fn::GetAtt takes [LogicalId, Attribute]; resource skipped",
        "BadJoin: Fn::Join takes a list of values; resource skipped",
        "FileSystem: FileSystemPolicy Statement[0].Principal is known only at deploy time; "
        "the file system's policy is unknown",
        "TargetToNowhere: Ref to NoSuchFileSystem, which is not a resource or parameter; "
        "resource skipped",
        "UnknownFunction: unknown intrinsic function Fn::Frobnicate; resource skipped",
    ]
    (fs_id,) = inventory.file_systems
    assert fs_id not in inventory.policies  # unknown, not the default policy
    (target,) = inventory.mount_targets.values()
    assert target.file_system_id == fs_id


def test_wrong_types_in_a_plan_are_warnings_and_errors_not_crashes() -> None:
    inventory = load_inventory([str(BAD / "wrong-types-plan.json")])
    messages = [p.message for p in inventory.problems if p.level is not ProblemLevel.DEBUG]
    assert any("spec.csi.volumeHandle must be a string" in m for m in messages)
    assert any(
        m.startswith("aws_efs_file_system_policy.broken: policy is not valid JSON")
        for m in messages
    )
    assert inventory.policies == {}


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.iterdir()))
def test_cli_never_shows_a_traceback(name: str, cli: Callable[..., CompletedProcess[str]]) -> None:
    for command in ("inventory", "scan"):
        result = cli(command, str(BAD / name))
        assert "Traceback" not in result.stderr + result.stdout
        assert result.returncode in (0, 1, 2)
