"""The composite GitHub Action (action.yml): its metadata validates against the action
schema and keeps inputs out of shell text, it pins upload-sarif by commit, and its steps
(action/run.sh) run here as a runner would run them, on the bundled examples."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from integration_kit import EXAMPLES, REPO, Runner

DATA = REPO / "tests" / "data"
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
# actions/checkout and friends are GitHub's; upload-sarif v4 as of its 4.36.2 release
# (github/codeql-action tag v4.36.2 is commit 8aad20d150bbac5944a9f9d289da16a4b0d87c1e).
UPLOAD_SARIF = "github/codeql-action/upload-sarif@8aad20d150bbac5944a9f9d289da16a4b0d87c1e"


def _schema_errors(document: Any, schema_file: str) -> list[str]:
    schema = json.loads((DATA / schema_file).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document))


def test_action_metadata_validates_against_the_action_schema() -> None:
    assert _schema_errors(ACTION, "github-action.schema.json") == []
    assert ACTION["runs"]["using"] == "composite"


def test_a_broken_action_does_not_validate() -> None:
    # the schema check can fail: a run step without its shell is refused
    broken = json.loads(json.dumps(ACTION))
    del broken["runs"]["steps"][0]["shell"]
    assert _schema_errors(broken, "github-action.schema.json") != []


def test_inputs_reach_the_shell_only_through_env() -> None:
    steps = ACTION["runs"]["steps"]
    used: set[str] = set()
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], step["name"]  # no template injection
            assert step["run"].startswith('bash "$GITHUB_ACTION_PATH/action/run.sh" ')
        for value in (*step.get("env", {}).values(), *step.get("with", {}).values()):
            used.update(re.findall(r"\binputs\.([a-z-]+)", str(value)))
        used.update(re.findall(r"\binputs\.([a-z-]+)", str(step.get("if", ""))))
        used.update(re.findall(r"\binputs\.([a-z-]+)", str(step.get("working-directory", ""))))
    assert used == set(ACTION["inputs"])  # every input is used, none is undeclared


def test_upload_sarif_is_pinned_by_commit_with_a_category() -> None:
    (upload,) = [s for s in ACTION["runs"]["steps"] if "uses" in s]
    assert upload["uses"] == UPLOAD_SARIF
    assert upload["with"]["category"] == "${{ inputs.category }}"
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    assert upload["if"] == "${{ inputs.upload-sarif == 'true' }}"
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    assert f"uses: {UPLOAD_SARIF} # v4.36.2" in text
    assert ACTION["inputs"]["fail-on"]["default"] == "never"  # fails only when asked


def _workflow_example() -> dict[str, Any]:
    """The workflow example in docs/where-it-runs.md (the yaml block after its marker)."""
    text = (REPO / "docs" / "where-it-runs.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- workflow example -->\s*```yaml\n(.*?)```", text, re.DOTALL)
    assert found, "docs/where-it-runs.md lost its workflow example"
    document: dict[Any, Any] = yaml.safe_load(found.group(1))
    # PyYAML reads YAML 1.1, where the key `on` is the boolean true; GitHub reads a string
    document["on"] = document.pop(True)
    return document


def test_documented_workflow_validates_and_grants_what_upload_needs() -> None:
    workflow = _workflow_example()
    assert _schema_errors(workflow, "github-workflow.schema.json") == []
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = {s.get("uses", "").split("@")[0]: s for s in job["steps"]}
    assert "efs-doctor/efs-doctor" in steps
    assert set(steps["efs-doctor/efs-doctor"].get("with", {})) <= set(ACTION["inputs"])


def _validated(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA)
    assert sorted(e.message for e in validator.iter_errors(document)) == []
    return document


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checked-out repository with the two examples under k8s/ (as actions/checkout);
    they describe one file system with two policies, so each is scanned on its own."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for example in ("seed-incident", "healthy"):
        shutil.copytree(EXAMPLES / example, tmp_path / "k8s" / example)
    return tmp_path


def test_steps_scan_write_relative_sarif_and_fail_only_when_asked(
    installed: tuple[Runner, Path], workspace: Path
) -> None:
    runner, efs_doctor = installed
    assert efs_doctor.is_file()
    # working-directory: k8s, paths given on two lines
    scan = runner.step(
        "scan",
        workspace / "k8s",
        EFS_DOCTOR_BIN=str(efs_doctor),
        EFS_DOCTOR_PATHS="seed-incident/k8s\n seed-incident/aws \n",
    )
    assert scan.returncode == 0, scan.stdout + scan.stderr
    assert "access denied by server while mounting 127.0.0.1:/" in scan.stdout  # the log
    outputs = runner.outputs()
    assert outputs["exit-code"] == "1"
    assert outputs["findings"] == "2"
    assert Path(outputs["source-root"]).resolve() == workspace.resolve()
    run = _validated(Path(outputs["sarif-file"]))["runs"][0]
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in run["results"]
        for loc in result["locations"]
    }
    assert uris == {
        "k8s/seed-incident/k8s/pv-and-claim.yaml",
        "k8s/seed-incident/aws/file-system-policy.json",
    }
    gates = {}
    for fail_on in ("never", "critical", "high"):
        gate = runner.step(
            "gate",
            workspace,
            EFS_DOCTOR_BIN=str(efs_doctor),
            EFS_DOCTOR_SARIF=outputs["sarif-file"],
            EFS_DOCTOR_FAIL_ON=fail_on,
        )
        gates[fail_on] = (gate.returncode, gate.stdout.strip())
    assert gates["never"] == (0, "")
    assert gates["critical"] == (
        1,
        "::error title=efs-doctor::1 finding(s) at or above critical (fail-on)",
    )
    assert gates["high"][0] == 1


def test_a_healthy_scan_passes_every_gate(installed: tuple[Runner, Path], workspace: Path) -> None:
    runner, efs_doctor = installed
    scan = runner.step(
        "scan", workspace, EFS_DOCTOR_BIN=str(efs_doctor), EFS_DOCTOR_PATHS="k8s/healthy"
    )
    assert scan.returncode == 0, scan.stdout + scan.stderr
    outputs = runner.outputs()
    assert (outputs["exit-code"], outputs["findings"]) == ("0", "0")
    gate = runner.step(
        "gate",
        workspace,
        EFS_DOCTOR_BIN=str(efs_doctor),
        EFS_DOCTOR_SARIF=outputs["sarif-file"],
        EFS_DOCTOR_FAIL_ON="high",
    )
    assert gate.returncode == 0
    assert gate.stdout.strip() == "efs-doctor: no finding at or above high"


def test_a_broken_run_fails_the_step_whatever_fail_on_says(
    installed: tuple[Runner, Path], workspace: Path
) -> None:
    runner, efs_doctor = installed
    scan = runner.step(
        "scan", workspace, EFS_DOCTOR_BIN=str(efs_doctor), EFS_DOCTOR_PATHS="no/such/dir"
    )
    assert scan.returncode == 2
    assert "::error title=efs-doctor::efs-doctor scan exited 2" in scan.stdout


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"EFS_DOCTOR_FAIL_ON": "medium"}, "fail-on must be high, critical or never"),
        ({"EFS_DOCTOR_VERSION": "--index-url=https://example.invalid"}, "version must be"),
    ],
)
def test_bad_inputs_stop_the_install_step(
    tmp_path: Path, inputs: dict[str, str], message: str
) -> None:
    runner = Runner(tmp_path, tmp_path / "out")
    result = runner.step("install", tmp_path, EFS_DOCTOR_PYTHON=sys.executable, **inputs)
    assert result.returncode == 2
    assert message in result.stdout
    assert not (tmp_path / "efs-doctor-venv").exists()  # refused before installing anything
