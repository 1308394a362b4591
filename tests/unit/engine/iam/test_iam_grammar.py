"""Policy grammar: precise messages with JSON paths and line:column positions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from efs_doctor.engine.iam import PolicyTextError, parse_policy, parse_policy_text
from efs_doctor.engine.iam.documents import read_policy_input
from efs_doctor.engine.iam.positions import json_marks

GOOD: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "elasticfilesystem:ClientMount",
            "Resource": "*",
        }
    ],
}


def _messages(document: object, kind: str = "resource") -> list[tuple[str, str, str]]:
    parsed = parse_policy(document, kind=kind)  # type: ignore[arg-type]
    return [(p.severity, p.json_path, p.message) for p in parsed.problems]


def test_a_valid_policy_has_no_problems() -> None:
    assert _messages(GOOD) == []
    assert parse_policy(GOOD).ok


def test_statement_may_be_a_single_object() -> None:
    parsed = parse_policy({**GOOD, "Statement": GOOD["Statement"][0]})
    assert parsed.ok
    assert len(parsed.policy.statements) == 1


def test_unknown_element_suggests_the_spelling() -> None:
    statement = {**GOOD["Statement"][0], "Resourc": "*"}
    del statement["Resource"]
    problems = _messages({**GOOD, "Statement": [statement]})
    assert (
        "error",
        "$.Statement[0].Resourc",
        'unknown statement element "Resourc" (did you mean "Resource"?); expected one of Sid, '
        "Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition",
    ) in problems


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        ({"Effect": "allow"}, "$.Statement[0].Effect", 'Effect must be "Allow" or "Deny"'),
        (
            {"Principal": "arn:aws:iam::111122223333:role/app"},
            "$.Statement[0].Principal",
            "Principal must be",
        ),
        (
            {"Principal": {"AWS": "arn:aws:iam::111122223333:role/*"}},
            "$.Statement[0].Principal.AWS",
            "wildcards are not allowed",
        ),
        ({"Action": "ClientMount"}, "$.Statement[0].Action", "is not an action"),
        ({"Action": ["*", "Mount"]}, "$.Statement[0].Action[1]", "is not an action"),
        ({"Action": []}, "$.Statement[0].Action", "empty list"),
        ({"Resource": "fs-0123"}, "$.Statement[0].Resource", "is not"),
        (
            {"Condition": {"StringEqualz": {"aws:username": "a"}}},
            "$.Statement[0].Condition.StringEqualz",
            "unknown condition operator",
        ),
        (
            {"Condition": {"NullIfExists": {"aws:username": "true"}}},
            "$.Statement[0].Condition.NullIfExists",
            "Null takes no IfExists",
        ),
        (
            {"Condition": {"ForSomeValues:StringEquals": {"aws:TagKeys": "a"}}},
            '$.Statement[0].Condition["ForSomeValues:StringEquals"]',
            "unknown set operator",
        ),
        (
            {"Condition": {"StringEquals": {"aws:username": {"x": 1}}}},
            '$.Statement[0].Condition.StringEquals["aws:username"]',
            "condition values must be",
        ),
        ({"NotAction": "*"}, "$.Statement[0]", "both Action and NotAction"),
    ],
)
def test_errors_name_the_json_path(change: dict[str, object], path: str, fragment: str) -> None:
    statement = {**GOOD["Statement"][0], **change}
    problems = [p for p in _messages({**GOOD, "Statement": [statement]}) if p[0] == "error"]
    assert any(p[1] == path and fragment in p[2] for p in problems), problems


def test_principal_is_required_in_a_file_system_policy_and_refused_in_an_identity_policy() -> None:
    statement = dict(GOOD["Statement"][0])
    without = {k: v for k, v in statement.items() if k != "Principal"}
    assert "Principal is required" in _messages({**GOOD, "Statement": [without]})[0][2]
    assert "not allowed in an identity-based policy" in _messages(GOOD, "identity")[0][2]


def test_value_warnings_keep_the_statement() -> None:
    statement = {
        **GOOD["Statement"][0],
        "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "soon"}},
    }
    parsed = parse_policy({**GOOD, "Statement": [statement]})
    assert parsed.ok
    assert parsed.problems[0].severity == "warning"
    assert "is not a number" in parsed.problems[0].message


def test_statements_with_errors_are_left_out_of_the_model() -> None:
    broken = {**GOOD["Statement"][0], "Effect": "Permit"}
    parsed = parse_policy({**GOOD, "Statement": [broken, GOOD["Statement"][0]]})
    assert not parsed.ok
    assert [s.index for s in parsed.policy.statements] == [1]


def test_positions_come_from_the_text() -> None:
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        '    {"Effect": "Alow", "Principal": "*", "Action": "*", "Resource": "*"}\n  ]\n}\n'
    )
    parsed = parse_policy_text(text, path="p.json")
    (problem,) = parsed.errors
    assert (problem.line, problem.column) == (4, 6)
    assert problem.format("p.json").startswith('p.json:4:6: Effect must be "Allow" or "Deny"')


def test_json_errors_carry_their_position() -> None:
    with pytest.raises(PolicyTextError) as caught:
        parse_policy_text('{"Version": "2012-10-17",\n "Statement": [}\n')
    assert (caught.value.line, caught.value.column) == (2, 16)


def test_duplicate_keys_are_refused_with_the_second_position() -> None:
    text = '{"Version": "2012-10-17",\n "Statement": [],\n "Statement": []}'
    with pytest.raises(PolicyTextError) as caught:
        parse_policy_text(text)
    assert "duplicate key" in caught.value.message
    assert caught.value.line == 3


def test_json_marks_for_keys_and_items() -> None:
    text = '{"a": [1, {"b": "x"}],\n\t"c": "\\u00e9"}'
    marks = json_marks(text)
    assert marks[("a",)] == (1, 2)
    assert marks[("a", 1)] == (1, 11)
    assert marks[("a", 1, "b")] == (1, 12)
    assert marks[("c",)] == (2, 2)


def test_describe_file_system_policy_output_is_unwrapped() -> None:
    inner = json.dumps(GOOD)
    text = json.dumps({"FileSystemId": "fs-0123456789abcdef0", "Policy": inner}, indent=2)
    loaded = read_policy_input(text)
    assert loaded.file_system_id == "fs-0123456789abcdef0"
    assert loaded.parsed is not None
    assert loaded.parsed.ok


def test_policy_not_found_means_known_absent() -> None:
    text = json.dumps(
        {
            "FileSystemId": "fs-0123456789abcdef0",
            "Error": {"Code": "PolicyNotFound", "Message": "x"},
        }
    )
    loaded = read_policy_input(text)
    assert loaded.known_absent


def test_get_role_policy_output_keeps_positions() -> None:
    text = json.dumps(
        {
            "RoleName": "app",
            "PolicyName": "efs",
            "PolicyDocument": {
                **GOOD,
                "Statement": [{"Effect": "Allow", "Action": "x", "Resource": "*"}],
            },
        },
        indent=2,
    )
    loaded = read_policy_input(text, kind="identity")
    assert loaded.parsed is not None
    (problem,) = loaded.parsed.errors
    assert problem.json_path == "$.Statement[0].Action"
    assert problem.line == 9
