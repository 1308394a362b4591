"""The `policy check|simulate` command: exit codes, the JSON contract, bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"

Cli = Callable[..., CompletedProcess[str]]
SEED = str(FIXTURES / "policies" / "seed-incident.json")


def test_seed_policy_denies_anonymous_mount(cli: Cli) -> None:
    # efs-semantics.md §4.8: anonymous client, aws:PrincipalArn absent => implicit deny.
    result = cli("policy", "simulate", SEED, "--principal", "anonymous", "--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["principal"] == "anonymous"
    mount = document["actions"]["elasticfilesystem:ClientMount"]
    assert (mount["decision"], mount["reason"]) == ("deny", "implicit-deny")
    condition = mount["statements"][0]["conditions"][0]
    assert condition["key"] == "aws:PrincipalArn"
    assert condition["context_value"] is None
    assert document["access"] == {"mount": False, "write": False, "root": False}


def test_seed_policy_check_reports_unenforced_key_with_fix(cli: Cli) -> None:
    result = cli("policy", "check", SEED)
    assert result.returncode == 1, result.stderr
    assert "[unenforced-condition-key]" in result.stdout
    assert 'fix: name the role(s) in Principal instead: "Principal": {"AWS": [' in result.stdout


def test_invalid_json_is_one_line_with_position(cli: Cli, write: Callable[..., Path]) -> None:
    bad = write("bad.json", '{\n  "Version": "2012-10-17",\n  "Statement": [\n}\n')
    result = cli("policy", "check", str(bad))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith(f"{bad}:4:1: invalid JSON")
    assert "Traceback" not in result.stderr
