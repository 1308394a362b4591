"""The EFS CSI driver's own examples (``../shared/corpus/csi-driver-examples``): these are
working examples, so every finding on them must be a real caveat. Every finding they yield is
listed here with the reason it is right; a new finding fails the test until it is reviewed.

Each example directory is scanned on its own, and so is every spec file (several files of
``cross_account_mount`` define the same PV name as alternatives, so a directory scan sees only
the last one)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from efs_doctor.api import analyze, load_inventory
from efs_doctor.config import Config
from efs_doctor.findings import Severity

# (path relative to the corpus, code, object) -> why the finding is right
EXPECTED: dict[tuple[str, str, str], str] = {
    ("cross_account_mount", "CSI001", "PersistentVolume/efs-pv"): (
        "pv.yaml's volumeHandle is the placeholder 'efs:[Filesystem ID]': applied as is, the "
        "node plugin rejects it (a file system id must be fs- plus lower-case hex)"
    ),
    ("cross_account_mount/specs/pv.yaml", "CSI001", "PersistentVolume/efs-pv"): (
        "same placeholder handle as above"
    ),
    ("cross_account_mount/specs/pv-mounttargetip.yaml", "CSI001", "PersistentVolume/efs-pv"): (
        "same placeholder handle as above"
    ),
    ("cross_account_mount/specs/pv-mounttargetip.yaml", "CSI007", "PersistentVolume/efs-pv"): (
        "mounttargetip is the placeholder '[MOUNT TARGET IP ADDRESS]'; driver v3.0.1+ rejects a "
        "mounttargetip that is not an IP address"
    ),
}


def _targets(corpus: Path) -> list[Path]:
    directories = sorted(p for p in corpus.iterdir() if p.is_dir())
    files = sorted(corpus.rglob("*.yaml"))
    return [*directories, *files]


def _findings(path: Path) -> list[tuple[str, str]]:
    report = analyze(load_inventory([str(path)]), Config(min_severity=Severity.INFO))
    return [(f.code, f.location.object or "") for f in report.findings]


def test_every_corpus_finding_is_listed_with_its_reason(corpus: Path) -> None:
    found: dict[tuple[str, str, str], int] = {}
    for target in _targets(corpus):
        relative = target.relative_to(corpus).as_posix()
        for code, obj in _findings(target):
            key = (relative, code, obj)
            found[key] = found.get(key, 0) + 1
    unexplained = sorted(set(found) - set(EXPECTED))
    missing = sorted(set(EXPECTED) - set(found))
    assert unexplained == [], "new findings on the driver's examples: review them"
    assert missing == [], "listed findings no longer reported"


def test_every_corpus_file_loads_and_resolves(corpus: Path) -> None:
    for target in _targets(corpus):
        inventory = load_inventory([str(target)])
        assert inventory.errors == [], [str(p) for p in inventory.errors]


@pytest.mark.parametrize(
    "example", ["static_provisioning", "dynamic_provisioning", "access_points", "volume_path"]
)
def test_missing_aws_state_is_counted_as_inconclusive(corpus: Path, example: str, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("scan", str(corpus / example), "--format", "json")
    document = json.loads(result.stdout)
    assert result.returncode == 1  # checks that could not decide: not a clean scan
    assert document["findings"] == []
    assert document["summary"]["inconclusive"] >= 1
    assert {i["code"] for i in document["inconclusive"]} >= {"AUTH001"}


def test_a_missing_corpus_is_one_summary_line(tmp_path: Path) -> None:
    """Without the corpus, every test that needs it is skipped under one ``-ra`` line that
    says where it was looked for and how to point the tests at it (CONTRIBUTING.md)."""
    import os
    import re
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    absent = tmp_path / "no-corpus"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist"),
            *("-ra", "tests/e2e/test_scan_corpus.py"),
            *("tests/unit/sources/test_csi_driver_corpus.py", "-k", "not missing_corpus"),
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "EFS_DOCTOR_CORPUS": str(absent)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1, skipped
    assert f"the EFS CSI driver example corpus is not at {absent}" in skipped[0]
    assert "set EFS_DOCTOR_CORPUS (CONTRIBUTING.md" in skipped[0]
    folded = re.match(r"SKIPPED \[(\d+)\] tests/conftest\.py:\d+: ", skipped[0])
    total = re.search(r"(\d+) skipped", result.stdout)
    assert folded is not None
    assert total is not None
    assert int(folded.group(1)) == int(total.group(1)) > 1  # every skip, in that one line
