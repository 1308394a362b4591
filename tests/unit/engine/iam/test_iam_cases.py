"""Runs the table-driven cases in tests/iam_cases/*.yaml (format: tests/iam_cases/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from efs_doctor.engine.iam import (
    NfsRequest,
    evaluate_client_access,
    lint_policy,
    parse_policy,
)
from efs_doctor.engine.iam.evaluate import Request, authorize
from efs_doctor.engine.iam.principals import ANONYMOUS, principal_from_arn

CASES_DIR = Path(__file__).resolve().parents[4] / "tests" / "iam_cases"
FS_ARN = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0"
EFS = "elasticfilesystem:"


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        defaults = document.get("defaults", {})
        for case in document["cases"]:
            assert case.get("source"), f"{path.name}: case {case['name']!r} cites no source"
            params.append(
                pytest.param(document["kind"], defaults, case, id=f"{path.stem}: {case['name']}")
            )
    return params


def _context(raw: dict[str, Any] | None) -> dict[str, str | tuple[str, ...]]:
    out: dict[str, str | tuple[str, ...]] = {}
    for key, value in (raw or {}).items():
        out[key.lower()] = tuple(value) if isinstance(value, list) else str(value)
    return out


def _principal(text: str) -> Any:
    return ANONYMOUS if text == "anonymous" else principal_from_arn(text)


def _parse(document: Any, kind: str = "resource") -> Any:
    parsed = parse_policy(document, kind=kind)  # type: ignore[arg-type]
    assert parsed.ok, [p.format() for p in parsed.errors]
    return parsed


def run_condition(_defaults: dict[str, Any], case: dict[str, Any]) -> None:
    document: dict[str, Any] = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "elasticfilesystem:ClientMount",
                "Resource": "*",
                "Condition": case["condition"],
            }
        ]
    }
    version = case.get("version", "2012-10-17")
    if version is not None:
        document["Version"] = version
    policy = _parse(document)
    request = Request(EFS + "ClientMount", FS_ARN, ANONYMOUS, _context(case.get("context")), None)
    result = authorize(request, policy.compiled)
    assert (result.decision == "allow") is case["expect"], result.statements


def run_match(defaults: dict[str, Any], case: dict[str, Any]) -> None:
    statement = {"Effect": "Allow", "Principal": "*", **case["statement"]}
    policy = _parse({"Version": "2012-10-17", "Statement": [statement]})
    action = case.get("action", defaults.get("action"))
    resource = case.get("resource", defaults.get("resource"))
    request = Request(action, resource, ANONYMOUS, {}, None)
    assert (authorize(request, policy.compiled).decision == "allow") is case["expect"]


def run_evaluation(defaults: dict[str, Any], case: dict[str, Any]) -> None:
    policy = _parse(case["policy"]).compiled if "policy" in case else None
    identities = [_parse(p, "identity").compiled for p in case.get("identity_policies", [])]
    request = Request(
        case.get("action", defaults.get("action")),
        case.get("resource", FS_ARN),
        _principal(case["principal"]),
        _context(case.get("context")),
        str(case.get("resource_account", defaults.get("resource_account"))),
    )
    result = authorize(request, policy, identities)
    assert {"decision": result.decision, "reason": result.reason} == case["expect"]


def run_efs(defaults: dict[str, Any], case: dict[str, Any]) -> None:
    raw = case["policy"]
    known = raw != "unknown"
    fs_policy = None if raw in ("absent", "unknown") else _parse(raw)
    given = case.get("identity_policies", [])
    identities = [_parse(p, "identity") for p in given] if given != "unknown" else []
    request = NfsRequest(**{**defaults.get("request", {}), **case.get("request", {})})
    evaluation = evaluate_client_access(
        fs_policy, known, identities, request, identities_known=given != "unknown"
    )
    for key, want in case["expect"].items():
        if key == "access":
            assert evaluation.access.to_json() == want
            continue
        decision = evaluation.decisions[EFS + key]
        got = {"decision": decision.decision, "reason": decision.reason}
        if isinstance(want, str):
            assert got["decision"] == want, decision.summary
        else:
            assert got == want, decision.summary


def run_lint(_defaults: dict[str, Any], case: dict[str, Any]) -> None:
    parsed = parse_policy(case["policy"], kind=case.get("kind", "resource"))
    codes = {finding.code for finding in lint_policy(parsed)}
    assert set(case["expect"]) <= codes, codes
    if not case["expect"]:
        assert not codes, codes
    assert not set(case.get("absent", [])) & codes, codes


RUNNERS = {
    "condition": run_condition,
    "match": run_match,
    "evaluation": run_evaluation,
    "efs": run_efs,
    "lint": run_lint,
}


@pytest.mark.parametrize(("kind", "defaults", "case"), _load())
def test_iam_case(kind: str, defaults: dict[str, Any], case: dict[str, Any]) -> None:
    RUNNERS[kind](defaults, case)
