"""``scan --fix`` and ``--diff`` on a copy of the seed incident: the fixes are the ones the
healthy example shows, and a re-scan no longer reports what was fixed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(REPO / "examples" / "seed-incident", target)
    return target


def test_diff_prints_the_patches_and_changes_nothing(seed: Path, cli) -> None:  # type: ignore[no-untyped-def]
    before = (seed / "k8s" / "pv-and-claim.yaml").read_text()
    result = cli("scan", str(seed), "--diff")
    assert result.returncode == 1
    assert "+  mountOptions:\n+    - iam\n" in result.stdout
    assert "+++ " + str(seed / "aws" / "file-system-policy_corrected.json") in result.stdout
    assert (seed / "k8s" / "pv-and-claim.yaml").read_text() == before
    assert not (seed / "aws" / "file-system-policy_corrected.json").exists()


def test_fix_then_rescan_passes(seed: Path, cli) -> None:  # type: ignore[no-untyped-def]
    fixed = cli("scan", str(seed), "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "wrote" in fixed.stderr
    # The PV edit is exactly the healthy example's PV (comments and layout kept).
    healthy = (REPO / "examples" / "healthy" / "k8s" / "pv-and-claim.yaml").read_text()
    assert (seed / "k8s" / "pv-and-claim.yaml").read_text() == healthy
    again = cli("scan", str(seed), "--select", "AUTH")
    assert again.returncode == 0, again.stdout
    assert cli("scan", str(seed)).returncode == 0


def test_only_safe_fixes_without_unsafe_flag(seed: Path, cli, write) -> None:  # type: ignore[no-untyped-def]
    # CSI006's fix is safe, AUTH002's has no edit: --fix applies the first only.
    pv = seed / "k8s" / "pv-and-claim.yaml"
    pv.write_text(pv.read_text().replace("- ReadWriteMany", "- ReadOnlyMany", 1))
    result = cli("scan", str(seed), "--fix", "--select", "CSI006")
    assert result.returncode == 0, result.stdout + result.stderr
    text = pv.read_text()
    assert "ReadOnlyMany" not in text
    assert "readOnly: true" in text
