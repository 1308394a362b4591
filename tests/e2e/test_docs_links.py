"""The ``docs:`` pointer of every finding works: it is the command that prints the rule's
page, which ships with the package, and no output carries a placeholder web address."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown"])
def test_no_placeholder_address_in_any_format(cli: Cli, fmt: str) -> None:
    result = cli("scan", "examples/seed-incident", "--format", fmt, cwd=REPO)
    assert result.returncode == 1, result.stderr
    assert "github.com/efs-doctor" not in result.stdout
    assert "efs-doctor rule AUTH001" in result.stdout or fmt == "sarif"


def test_the_docs_command_of_each_finding_prints_its_page(cli: Cli) -> None:
    result = cli("scan", "examples/seed-incident", "--format", "json", cwd=REPO)
    findings = json.loads(result.stdout)["findings"]
    assert findings
    for finding in findings:
        command = finding["docs"].split()
        assert command[:2] == ["efs-doctor", "rule"]
        page = cli(*command[1:], cwd=REPO)
        assert page.returncode == 0
        assert page.stdout.startswith(f"# {finding['code']} {finding['slug']}\n")
        # the same page as docs/rules in the repository (both generated from the docstring)
        shipped = (REPO / "docs" / "rules" / f"{finding['code']}.md").read_text("utf-8")
        assert page.stdout == shipped


def test_rules_json_points_at_the_same_command(cli: Cli) -> None:
    rows = json.loads(cli("rules", "--format", "json").stdout)["rules"]
    assert all(re.fullmatch(rf"efs-doctor rule {r['code']}", r["docs"]) for r in rows)
