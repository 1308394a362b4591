"""IaC before apply (issue 18): templates and plans whose ids, ARNs, zones and parameters are
known only once deployed are still checked, through the same engines as deployed inputs."""

from __future__ import annotations

import json
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
