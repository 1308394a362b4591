"""Lint details the YAML cases do not cover: size limits, positions, fix texts, presets."""

from __future__ import annotations

import json

from efs_doctor.engine.iam import lint_policy, parse_policy_text


def _policy(statements: int) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"Role{i}",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::111122223333:role/role-{i:04d}"},
                "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                "Resource": "*",
            }
            for i in range(statements)
        ],
    }


def test_size_over_20000_characters_is_an_error() -> None:
    # efs-semantics.md §4.4: policy size limit 20,000 characters.
    findings = lint_policy(parse_policy_text(json.dumps(_policy(120))))
    assert [(f.code, f.severity) for f in findings] == [("policy-too-large", "error")]


def test_size_over_the_limit_only_with_whitespace_is_a_warning() -> None:
    text = json.dumps(_policy(90), indent=8)
    assert len(text) > 20_000
    findings = lint_policy(parse_policy_text(text))
    assert [(f.code, f.severity) for f in findings] == [("policy-too-large", "warning")]


def test_findings_carry_positions_and_fixes() -> None:
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "elasticfilesystem:ClientMount",
                    "Resource": "*",
                    "Condition": {
                        "Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"},
                        "StringLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/eks-*"},
                    },
                }
            ],
        },
        indent=2,
    )
    (finding,) = lint_policy(parse_policy_text(text))
    assert finding.code == "unenforced-condition-key"
    assert (finding.line, finding.column) == (16, 11)
    assert finding.json_path == '$.Statement[0].Condition.StringLike["aws:PrincipalArn"]'
    # A wildcard cannot move into Principal, so the generic fix is offered.
    assert finding.fix is not None
    assert "elasticfilesystem:AccessPointArn" in finding.fix


def test_console_preset_names_the_options() -> None:
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": ["elasticfilesystem:ClientMount"],
                    "Resource": "*",
                    "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
                }
            ],
        }
    )
    (finding,) = lint_policy(parse_policy_text(text))
    assert finding.code == "console-preset"
    assert finding.severity == "info"
    assert "Prevent root access by default" in finding.message
    assert "Enforce read-only access by default" in finding.message
    assert "anonymous clients can still mount" in finding.message
