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


FS = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0"
ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": FS,
        }
    ],
}


def test_simulate_allowed_mount_exits_0_with_the_contract(
    cli: Cli, write: Callable[..., Path]
) -> None:
    policy = write("policy.json", json.dumps(ROLE_POLICY))
    session = "arn:aws:sts::111122223333:assumed-role/app/efs-mount-helper"
    result = cli("policy", "simulate", str(policy), "--principal", session, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) >= {"schema_version", "principal", "context", "actions", "access"}
    assert document["principal"] == "arn:aws:iam::111122223333:role/app"
    assert document["principal_session"] == session
    assert document["context"] == {
        "aws:SecureTransport": "true",
        "elasticfilesystem:AccessedViaMountTarget": "true",
    }
    actions = document["actions"]
    assert list(actions) == [
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
        "elasticfilesystem:ClientRootAccess",
    ]
    for entry in actions.values():
        assert set(entry) >= {"decision", "reason", "statements"}
    assert actions["elasticfilesystem:ClientMount"]["reason"] == "allowed-by-resource-policy"
    assert document["access"] == {"mount": True, "write": True, "root": False}


def test_simulate_policy_not_found_uses_the_default_policy(
    cli: Cli, write: Callable[..., Path]
) -> None:
    saved = {"FileSystemId": "fs-0123456789abcdef0", "Error": {"Code": "PolicyNotFound"}}
    path = write("fs-policy.json", json.dumps(saved))
    result = cli("policy", "simulate", str(path), "--principal", "anonymous")
    assert result.returncode == 0, result.stderr
    assert "default-policy" in result.stdout
    assert "result: the mount succeeds, read-write; root keeps uid 0" in result.stdout


def test_simulate_with_an_identity_policy(cli: Cli, write: Callable[..., Path]) -> None:
    deny_only = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Resource": FS,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    identity = {
        "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "elasticfilesystem:Client*", "Resource": "*"}
            ],
        }
    }
    policy = write("policy.json", json.dumps(deny_only))
    role_policy = write("role.json", json.dumps(identity))
    args = ["policy", "simulate", str(policy), "--principal", "arn:aws:iam::111122223333:role/app"]
    result = cli(*args, "--identity-policy", str(role_policy), "--format", "json")
    assert result.returncode == 0, result.stderr
    mount = json.loads(result.stdout)["actions"]["elasticfilesystem:ClientMount"]
    assert mount["reason"] == "allowed-by-identity-policy"
    result = cli(*args, "--identity-policy", str(role_policy), "--no-tls")
    assert result.returncode == 1
    assert "explicit-deny" in result.stdout


def test_simulate_bad_principal_is_a_usage_error(cli: Cli) -> None:
    result = cli("policy", "simulate", SEED, "--principal", "app")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "not an IAM or STS principal ARN" in result.stderr


def test_grammar_errors_exit_2_one_line_each(cli: Cli, write: Callable[..., Path]) -> None:
    bad = write(
        "bad.json",
        '{"Version": "2012-10-17", "Statement": [\n'
        '  {"Effect": "Permit", "Principal": "*", "Action": "Client", "Resource": "*"}]}\n',
    )
    for command in (["check"], ["simulate", "--principal", "anonymous"]):
        result = cli("policy", command[0], str(bad), *command[1:])
        assert result.returncode == 2, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 2
        assert lines[0].startswith(f"{bad}:2:4: Effect must be")
        assert lines[1].startswith(f'{bad}:2:42: "Client" is not an action')


def test_missing_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    result = cli("policy", "check", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "nope.json" in result.stderr


def test_check_json_and_clean_exit(cli: Cli, write: Callable[..., Path]) -> None:
    policy = write("policy.json", json.dumps(ROLE_POLICY))
    result = cli("policy", "check", str(policy), "--format", "json")
    assert result.returncode == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["summary"] == {"files": 1, "findings": 0}
    result = cli("policy", "check", SEED, "--format", "json")
    assert result.returncode == 1
    (entry,) = json.loads(result.stdout)["files"]
    codes = [finding["code"] for finding in entry["findings"]]
    assert codes == ["unenforced-condition-key"]
    assert entry["findings"][0]["location"]["line"] == 17


def test_check_reads_stdin(cli: Cli) -> None:
    result = cli("policy", "check", "-", stdin=json.dumps(ROLE_POLICY))
    assert result.returncode == 0, result.stderr
