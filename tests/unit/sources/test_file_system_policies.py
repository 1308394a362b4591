"""Several file system policies for one file system: an input problem naming them, and the
policy unknown (contracts.md), never "the last file read wins"; the corrected policy that
`scan --fix` writes next to its original supersedes it by name (sources/file_system_policies.py).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import ProblemLevel

Load = Callable[..., Inventory]
Write = Callable[[str, str], Path]
Cli = Callable[..., CompletedProcess[str]]
REPO = Path(__file__).resolve().parents[3]
FS = "fs-0123456789abcdef0"
ARN = f"arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/{FS}"
NODE_ROLE = "arn:aws:iam::111122223333:role/eks-node-group-role"


def _policy(principal: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": principal},
                "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                "Resource": ARN,
            }
        ],
    }


def _text(principal: str) -> str:
    return json.dumps(_policy(principal), indent=2)


def _errors(inventory: Inventory) -> list[str]:
    return [str(p) for p in inventory.problems if p.level is ProblemLevel.ERROR]


@pytest.mark.parametrize("reverse", [False, True], ids=["a-first", "b-first"])
def test_two_unrelated_policies_are_one_error_and_the_policy_is_unknown(
    load: Load, write: Write, reverse: bool
) -> None:
    a = write("aws/a.json", _text(NODE_ROLE))
    b = write("aws/b.json", _text("arn:aws:iam::111122223333:role/other"))
    first, second = (b, a) if reverse else (a, b)
    inventory = load(first, second)
    assert FS not in inventory.policies  # neither one: unknown
    assert _errors(inventory) == [
        f"{first}:1:1: file system policy for {FS} conflicts with {second}:1:1: neither is "
        "used, so the file system's policy is unknown; keep only the one EFS has "
        "(aws efs describe-file-system-policy)"
    ]


def test_a_saved_answer_and_a_bare_policy_conflict(load: Load, write: Write) -> None:
    answer = write(
        "aws/describe-file-system-policy.json",
        json.dumps({"FileSystemId": FS, "Policy": _text(NODE_ROLE)}),
    )
    bare = write("aws/z-policy.json", _text("*"))
    inventory = load(answer.parent)  # the folder: both files are read
    assert FS not in inventory.policies
    [error] = _errors(inventory)
    assert error.startswith(f"{answer}:1:1: file system policy for {FS} conflicts with {bare}:1:1")


def test_a_known_absence_and_a_policy_conflict(load: Load, write: Write) -> None:
    # PolicyNotFound means the default policy (contracts.md); a policy beside it contradicts it.
    absent = write(
        "aws/fs-policy.json",
        json.dumps({"FileSystemId": FS, "Error": {"Code": "PolicyNotFound", "Message": "none"}}),
    )
    policy = write("aws/policy.json", _text(NODE_ROLE))
    inventory = load(absent, policy)
    assert FS not in inventory.policies
    [error] = _errors(inventory)
    assert error.startswith(f"{absent}:1:1: file system policy for {FS} conflicts with {policy}")


def test_the_same_policy_twice_is_read_once(load: Load, write: Write) -> None:
    a = write("aws/a.json", _text(NODE_ROLE))
    answer = write(
        "aws/b.json", json.dumps({"FileSystemId": FS, "Policy": json.dumps(_policy(NODE_ROLE))})
    )
    inventory = load(a, answer)
    assert _errors(inventory) == []
    assert inventory.policies[FS].source.path == str(a)
    [debug] = [p for p in inventory.problems if p.level is ProblemLevel.DEBUG]
    assert (
        str(debug) == f"{answer}:1:1: file system policy for {FS}: the same as {a}:1:1; read once"
    )


@pytest.mark.parametrize(
    "corrected_first", [False, True], ids=["original-first", "corrected-first"]
)
def test_the_corrected_sibling_supersedes_its_original(
    load: Load, write: Write, corrected_first: bool
) -> None:
    original = write("aws/file-system-policy.json", _text("*"))
    corrected = write("aws/file-system-policy_corrected.json", _text(NODE_ROLE))
    paths = [corrected, original] if corrected_first else [original, corrected]
    inventory = load(*paths)
    assert _errors(inventory) == []
    policy = inventory.policies[FS]
    assert policy.source.path == str(corrected)
    assert policy.document == _policy(NODE_ROLE)
    [note] = [p for p in inventory.problems if p.level is ProblemLevel.WARNING]
    assert str(note) == (
        f"{corrected}:1:1: file system policy for {FS}: this corrected policy supersedes "
        f"{original}:1:1 (a <name>_corrected.json next to its original replaces it); the "
        "original is not evaluated, and EFS keeps using it until the corrected one is applied"
    )


def test_a_corrected_sibling_does_not_settle_a_third_policy(load: Load, write: Write) -> None:
    original = write("aws/file-system-policy.json", _text("*"))
    corrected = write("aws/file-system-policy_corrected.json", _text(NODE_ROLE))
    other = write("aws/other.json", _text("arn:aws:iam::111122223333:role/other"))
    inventory = load(original, corrected, other)
    assert FS not in inventory.policies
    [error] = _errors(inventory)
    assert error.startswith(f"{corrected}:1:1: file system policy for {FS} conflicts with {other}")


def test_a_corrected_file_elsewhere_is_not_a_sibling(load: Load, write: Write) -> None:
    original = write("aws/file-system-policy.json", _text("*"))
    elsewhere = write("old/file-system-policy_corrected.json", _text(NODE_ROLE))
    inventory = load(original, elsewhere)
    assert FS not in inventory.policies
    assert len(_errors(inventory)) == 1


@pytest.fixture
def healthy(tmp_path: Path) -> Path:
    target = tmp_path / "healthy"
    shutil.copytree(REPO / "examples" / "healthy", target)
    return target


def test_simulate_with_two_policies_is_indeterminate_and_names_both(
    cli: Cli, healthy: Path
) -> None:
    first = healthy / "aws" / "file-system-policy.json"
    second = healthy / "aws" / "zz-older-policy.json"
    second.write_text(_text("arn:aws:iam::111122223333:role/other"))
    result = cli("simulate", str(healthy), "--format", "json")
    assert result.returncode == 1, result.stderr  # indeterminate (contracts.md)
    [line] = [ln for ln in result.stderr.splitlines() if "conflicts with" in ln]
    assert line.startswith(f"{first}:1:1: file system policy for {FS} conflicts with {second}:1:1")
    [mount] = json.loads(result.stdout)["mounts"]
    assert mount["outcome"] == "indeterminate"
    assert mount["layer"] == "authorization"


def test_fix_then_rescan_reads_the_corrected_policy_with_a_note(cli: Cli, tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    shutil.copytree(REPO / "examples" / "seed-incident", seed)
    fixed = cli("scan", str(seed), "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    corrected = seed / "aws" / "file-system-policy_corrected.json"
    assert corrected.exists()
    again = cli("scan", str(seed), "--select", "AUTH")
    assert again.returncode == 0, again.stdout + again.stderr
    assert (
        f"{corrected}:1:1: warning: file system policy for {FS}: this corrected policy "
        f"supersedes {seed / 'aws' / 'file-system-policy.json'}:1:1"
    ) in again.stderr
    assert "conflicts with" not in again.stderr
