"""The pre-commit hook (.pre-commit-hooks.yaml), run by pre-commit itself against a
temporary git repository: it fails on the seed incident, passes after `efs-doctor scan
--fix`, takes its directories from `args` or the configuration file, and says what to do
when it has neither (https://pre-commit.com/#new-hooks)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from integration_kit import EXAMPLES, REPO, tool

PRE_COMMIT = tool("pre-commit")
pytestmark = pytest.mark.skipif(PRE_COMMIT is None, reason="no pre-commit (dev extra)")
SEED_ERROR = "access denied by server while mounting 127.0.0.1:/"


def test_hook_definition_follows_what_a_whole_directory_scan_needs() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "efs-doctor"
    assert hook["language"] == "python"
    assert hook["entry"].startswith("efs-doctor scan ")  # a console script of the package
    assert hook["pass_filenames"] is False  # findings join files: never one file alone
    assert hook["require_serial"] is True
    assert hook["types_or"] == ["yaml", "json"]
    assert "args" not in hook  # a user's args replace the hook's


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the module: the hook's environment is built once per rev."""
    return tmp_path_factory.mktemp("pre-commit-home")


class Repository:
    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.env = {
            **os.environ,
            "PRE_COMMIT_HOME": str(home),
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "NO_COLOR": "1",
        }
        self.run("git", "init", "-q", ".")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args,
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def commit(self, message: str) -> None:
        self.run("git", "add", "-A")
        assert self.run("git", "commit", "-q", "-m", message).returncode == 0

    def try_hook(self) -> subprocess.CompletedProcess[str]:
        assert PRE_COMMIT is not None
        return self.run(PRE_COMMIT, "try-repo", str(REPO), "efs-doctor", "--all-files")


def _needs_git_checkout() -> None:
    if not (REPO / ".git").exists():
        pytest.skip("pre-commit installs hooks from a git repository; this is not a checkout")


def test_fails_on_the_seed_incident_and_passes_after_the_fix(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    _needs_git_checkout()
    repository = Repository(tmp_path, pre_commit_home)
    shutil.copytree(EXAMPLES / "seed-incident", tmp_path / "deploy")
    (tmp_path / ".efs-doctor.toml").write_text('paths = ["deploy"]\n', encoding="utf-8")
    repository.commit("the seed incident")

    failing = repository.try_hook()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "efs-doctor..." in failing.stdout
    assert "Failed" in failing.stdout
    assert "deploy/k8s/pv-and-claim.yaml:15:5: AUTH001 critical" in failing.stdout
    assert SEED_ERROR in failing.stdout

    fixed = repository.run(sys.executable, "-m", "efs_doctor", "scan", "--fix")
    assert fixed.returncode == 0, fixed.stderr
    repository.commit("efs-doctor scan --fix")
    passing = repository.try_hook()
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout


def test_directories_from_args_and_the_message_without_any(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    _needs_git_checkout()
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    repository = Repository(tmp_path, pre_commit_home)
    shutil.copytree(EXAMPLES / "seed-incident", tmp_path / "deploy")
    hook = {"id": "efs-doctor", "args": ["--select", "AUTH005", "deploy/"]}
    config = {"repos": [{"repo": str(REPO), "rev": head, "hooks": [hook]}]}
    (tmp_path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    repository.commit("seed with a hook configuration")
    assert PRE_COMMIT is not None
    with_args = repository.run(PRE_COMMIT, "run", "--all-files")
    assert with_args.returncode == 1, with_args.stdout + with_args.stderr
    assert "AUTH005" in with_args.stdout
    assert "AUTH001" not in with_args.stdout  # --select from args reached the scan

    hook["args"] = []
    (tmp_path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    repository.commit("no directories")
    without = repository.run(PRE_COMMIT, "run", "--all-files")
    assert without.returncode == 1
    assert "exit code: 2" in without.stdout
    assert "set paths in .efs-doctor.toml" in without.stdout
