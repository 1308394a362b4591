"""SARIF as GitHub code scanning reads it (docs/where-it-runs.md, "SARIF"): paths relative to
the repository's top level with ``%SRCROOT%``, rule properties code scanning uses, no
fingerprint of our own, and findings without a file left out of the results with a note.
Every document is validated against the SARIF 2.1.0 schema."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
Cli = Callable[..., subprocess.CompletedProcess[str]]
SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))


def _valid(document: dict[str, Any]) -> dict[str, Any]:
    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
    assert sorted(e.message for e in validator.iter_errors(document)) == []
    run: dict[str, Any] = document["runs"][0]
    return run


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    shutil.copytree(EXAMPLES / "seed-incident", tmp_path / "repo" / "deploy" / "seed")
    return tmp_path / "repo"


def test_uris_are_relative_to_the_repository_wherever_the_scan_runs(cli: Cli, repo: Path) -> None:
    runs = []
    for cwd, path in ((repo, "deploy/seed"), (repo / "deploy", "seed")):
        result = cli("scan", path, "--format", "sarif", cwd=cwd)
        assert result.returncode == 1, result.stderr
        runs.append(_valid(json.loads(result.stdout)))
    for run in runs:
        assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.as_uri() + "/"}}
        artifacts = [
            loc["physicalLocation"]["artifactLocation"]
            for result in run["results"]
            for loc in (*result["locations"], *result.get("relatedLocations", ()))
            if "physicalLocation" in loc
        ]
        assert artifacts
        assert all(a["uriBaseId"] == "%SRCROOT%" for a in artifacts)
        assert {a["uri"] for a in artifacts} >= {
            "deploy/seed/k8s/pv-and-claim.yaml",
            "deploy/seed/aws/file-system-policy.json",
        }
    # the same alerts from either directory (messages quote paths as given, as in the text)
    first, second = ([(r["ruleId"], r["locations"]) for r in run["results"]] for run in runs)
    assert first == second


def test_a_file_outside_the_repository_keeps_its_absolute_uri(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    shutil.copytree(EXAMPLES / "seed-incident", tmp_path / "elsewhere")
    result = cli("scan", str(tmp_path / "elsewhere"), "--format", "sarif", cwd=repo)
    run = _valid(json.loads(result.stdout))
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (tmp_path / "elsewhere/k8s/pv-and-claim.yaml").as_uri()}


def test_rule_properties_for_code_scanning(cli: Cli) -> None:
    result = cli("scan", "examples/seed-incident", "--format", "sarif", cwd=REPO)
    run = _valid(json.loads(result.stdout))
    rules = {rule["id"]: rule["properties"] for rule in run["tool"]["driver"]["rules"]}
    # a mount failure: problem.severity, no security tag
    assert rules["AUTH001"]["problem.severity"] == "error"
    assert rules["AUTH001"]["precision"] == "high"
    assert rules["AUTH001"]["tags"] == ["authorization"]
    assert "security-severity" not in rules["AUTH001"]
    # an unenforced condition key may admit principals the policy meant to exclude
    assert rules["AUTH005"]["tags"] == ["authorization", "security"]
    assert rules["AUTH005"]["security-severity"] == "5.5"  # medium: 4.0-6.9
    assert "problem.severity" not in rules["AUTH005"]
    assert rules["AUTH009"]["security-severity"] == "3.0"  # low
    severities = {"critical", "high", "medium", "low", "info"}
    assert all(not severities & set(props["tags"]) for props in rules.values())
    assert {r["ruleId"] for r in run["results"]} == {"AUTH001", "AUTH005"}
    assert all("partialFingerprints" not in r for r in run["results"])
    for rule in run["tool"]["driver"]["rules"]:  # the page itself, no placeholder address
        assert "helpUri" not in rule
        assert rule["help"]["markdown"].startswith(f"# {rule['id']} {rule['name']}\n")


def test_findings_without_a_file_become_notifications(cli: Cli) -> None:
    manifests = "\n---\n".join(
        p.read_text("utf-8") for p in sorted((EXAMPLES / "seed-incident" / "k8s").glob("*.yaml"))
    )
    result = cli(
        "scan", "-", "examples/seed-incident/aws", "--format", "sarif", stdin=manifests, cwd=REPO
    )
    assert result.returncode == 1, result.stderr
    run = _valid(json.loads(result.stdout))
    # AUTH001 is located at the PV, read from stdin; AUTH005 at the policy file
    assert [r["ruleId"] for r in run["results"]] == ["AUTH005"]
    (note,) = [
        n
        for n in run["invocations"][0]["toolExecutionNotifications"]
        if n["descriptor"]["id"] == "AUTH001"
    ]
    assert note["level"] == "warning"
    assert note["message"]["text"].startswith("AUTH001 at <stdin>:")
    assert "left out of the results" in note["message"]["text"]
    assert run["properties"]["summary"]["findings"] == 2  # still counted


def test_real_world_repositories_give_valid_relative_sarif(
    cli: Cli, corpus: Path, tmp_path: Path
) -> None:
    """The 16 real-world configurations (corpus/realworld, SOURCES.md there), each scanned
    from inside its folder of one repository: valid SARIF, every file under %SRCROOT% with
    the folder in its path."""
    realworld = corpus.parent / "realworld"
    if not realworld.is_dir():
        pytest.skip(f"no real-world corpus at {realworld}")
    shutil.copytree(realworld, tmp_path / "repo")
    (tmp_path / "repo" / ".git").mkdir()
    scanned = 0
    for folder in sorted(p for p in (tmp_path / "repo").iterdir() if p.name[:2].isdigit()):
        result = cli("scan", ".", "--format", "sarif", cwd=folder)
        if result.returncode == 2:  # nothing efs-doctor reads (an eksctl config, a TF module)
            continue
        scanned += 1
        run = _valid(json.loads(result.stdout))
        for item in run["results"]:
            artifact = item["locations"][0]["physicalLocation"]["artifactLocation"]
            assert artifact["uriBaseId"] == "%SRCROOT%"
            assert artifact["uri"].startswith(f"{folder.name}/")
    assert scanned >= 12
