"""The published permissions are exactly the calls the collectors make.

``test_live_denied.test_all_calls_are_made_with_every_permission`` shows a full run uses
every call in ``CALLS``; these tests show the files, the command and the docs say exactly
that list, no more and no less.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from efs_doctor.sources.aws_calls import CALLS
from efs_doctor.sources.k8s_live import LISTS
from efs_doctor.sources.live_permissions import (
    CLUSTER_ROLE_FILE,
    IAM_POLICY_FILE,
    cluster_role,
    cluster_role_text,
    iam_actions,
    iam_policy,
    iam_policy_text,
    read_data,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_data_files_are_generated_from_the_calls() -> None:
    assert read_data(IAM_POLICY_FILE) == iam_policy_text()
    assert read_data(CLUSTER_ROLE_FILE) == cluster_role_text()
    assert json.loads(read_data(IAM_POLICY_FILE)) == iam_policy()
    assert yaml.safe_load(read_data(CLUSTER_ROLE_FILE)) == cluster_role()


def test_iam_policy_is_exactly_the_read_calls() -> None:
    granted = {a for s in iam_policy()["Statement"] for a in s["Action"]}
    assert granted == {c.iam_action for c in CALLS if c.needs_permission}
    assert all(s["Effect"] == "Allow" for s in iam_policy()["Statement"])
    for action in granted:
        assert action.split(":")[1].startswith(("Describe", "List", "Get")), action


def test_cluster_role_is_exactly_the_lists() -> None:
    rules = cluster_role()["rules"]
    granted = {(g, r) for rule in rules for g in rule["apiGroups"] for r in rule["resources"]}
    assert granted == {(item.group, item.plural) for item in LISTS}
    assert all(rule["verbs"] == ["list"] for rule in rules)


def _fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)


def test_docs_carry_the_exact_policy_and_role_and_every_permission() -> None:
    assert _fenced("json")[0] == iam_policy_text()
    assert _fenced("yaml")[0] == cluster_role_text()
    text = DOC.read_text()
    for action in iam_actions():
        assert f"`{action}`" in text or action.split(":")[1] in text, action
    for item in LISTS:
        assert item.plural in text


def test_permissions_command_prints_the_files() -> None:
    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "efs_doctor", "permissions", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    assert run("iam") == iam_policy_text()
    assert run("kubernetes") == cluster_role_text()
    both = run()
    assert iam_policy_text() in both
    assert cluster_role_text() in both
