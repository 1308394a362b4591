"""The `policy check|simulate` command: exit codes, the JSON contract, bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

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
    # Root access is not in the file system policy; an identity policy (not given) may grant it.
    root = actions["elasticfilesystem:ClientRootAccess"]
    assert (root["decision"], root["reason"]) == ("indeterminate", "identity-policies-unknown")
    assert document["access"] == {"mount": True, "write": True, "root": None}


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


# ---- identity policies not among the inputs (issue 14, case 6) --------------------------------
# Same account: a file-system-policy Allow naming the principal, or an identity-policy Allow,
# suffices; another account needs both (efs-semantics.md §4.4 rules 2-3;
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
OTHER_ROLE = "arn:aws:iam::111122223333:role/batch"
MOUNT = "elasticfilesystem:ClientMount"


def _simulate_json(cli: Cli, policy: Path, principal: str, *extra: str) -> tuple[int, Any]:
    result = cli(
        "policy", "simulate", str(policy), "--principal", principal, "--format", "json", *extra
    )
    assert result.stderr == ""
    return result.returncode, json.loads(result.stdout)


def _mount(document: Any) -> tuple[str, str]:
    mount = document["actions"][MOUNT]
    return mount["decision"], mount["reason"]


def test_policy_simulate_same_account_role_without_identity_policies_is_unknown(
    cli: Cli, write: Callable[..., Path]
) -> None:
    policy = write("policy.json", json.dumps(ROLE_POLICY))  # names role/app, not role/batch
    code, document = _simulate_json(cli, policy, OTHER_ROLE)
    assert code == 1
    assert _mount(document) == ("indeterminate", "identity-policies-unknown")
    assert document["access"] == {"mount": None, "write": None, "root": None}
    assert document["notes"] == [f"the identity policies of {OTHER_ROLE} are not among the inputs"]
    text = cli("policy", "simulate", str(policy), "--principal", OTHER_ROLE)
    assert text.returncode == 1
    assert "the mount fails" not in text.stdout
    assert text.stdout.endswith(
        "result: cannot tell whether the mount succeeds: it depends on the identity policies of "
        f"{OTHER_ROLE}, which are not among the inputs (give them with --identity-policy FILE)\n"
    )


def test_policy_simulate_same_account_role_with_its_identity_policies_is_decided(
    cli: Cli, write: Callable[..., Path]
) -> None:
    policy = write("policy.json", json.dumps(ROLE_POLICY))
    grants = write(
        "grants.json",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": MOUNT, "Resource": FS}],
            }
        ),
    )
    unrelated = write(
        "unrelated.json",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            }
        ),
    )
    code, document = _simulate_json(cli, policy, OTHER_ROLE, "--identity-policy", str(grants))
    assert (code, _mount(document)) == (0, ("allow", "allowed-by-identity-policy"))
    assert document["notes"] == []
    code, document = _simulate_json(cli, policy, OTHER_ROLE, "--identity-policy", str(unrelated))
    assert (code, _mount(document)) == (1, ("deny", "implicit-deny"))


def test_policy_simulate_an_allow_naming_only_the_account_without_identity_policies_is_unknown(
    cli: Cli, write: Callable[..., Path]
) -> None:
    # Issue 14 case 2: an account principal delegates to the identity policies.
    account_policy = json.loads(json.dumps(ROLE_POLICY))
    account_policy["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::111122223333:root"}
    policy = write("policy.json", json.dumps(account_policy))
    code, document = _simulate_json(cli, policy, OTHER_ROLE)
    assert (code, _mount(document)) == (1, ("indeterminate", "identity-policies-unknown"))


def test_policy_simulate_the_role_the_policy_allows_stays_allowed(
    cli: Cli, write: Callable[..., Path]
) -> None:
    policy = write("policy.json", json.dumps(ROLE_POLICY))
    code, document = _simulate_json(cli, policy, "arn:aws:iam::111122223333:role/app")
    assert (code, _mount(document)) == (0, ("allow", "allowed-by-resource-policy"))
    assert document["access"]["mount"] is True


def test_policy_simulate_an_explicit_deny_stays_denied(
    cli: Cli, write: Callable[..., Path]
) -> None:
    deny_plain_nfs = json.loads(json.dumps(ROLE_POLICY))
    deny_plain_nfs["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": FS,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    policy = write("policy.json", json.dumps(deny_plain_nfs))
    code, document = _simulate_json(cli, policy, OTHER_ROLE, "--no-tls")
    assert (code, _mount(document)) == (1, ("deny", "explicit-deny"))
    assert document["access"] == {"mount": False, "write": False, "root": False}
    assert document["notes"] == []
    text = cli("policy", "simulate", str(policy), "--principal", OTHER_ROLE, "--no-tls")
    assert "result: the mount fails: mount.nfs4: access denied by server" in text.stdout


def test_policy_simulate_anonymous_stays_decided(cli: Cli, write: Callable[..., Path]) -> None:
    policy = write("policy.json", json.dumps(ROLE_POLICY))
    code, document = _simulate_json(cli, policy, "anonymous")
    assert (code, _mount(document)) == (1, ("deny", "implicit-deny"))


def test_policy_simulate_cross_account_needs_the_file_system_policy(
    cli: Cli, write: Callable[..., Path]
) -> None:
    other_account = "arn:aws:iam::444455556666:role/app"
    policy = write("policy.json", json.dumps(ROLE_POLICY))
    code, document = _simulate_json(cli, policy, other_account)
    assert (code, _mount(document)) == (1, ("deny", "implicit-deny"))  # not named: decided
    naming_it = json.loads(json.dumps(ROLE_POLICY))
    naming_it["Statement"][0]["Principal"] = {"AWS": other_account}
    named = write("named.json", json.dumps(naming_it))
    code, document = _simulate_json(cli, named, other_account)
    # Named: its own account's identity policy must allow too, and that is not given.
    assert (code, _mount(document)) == (1, ("indeterminate", "identity-policies-unknown"))
