"""``efs-doctor scan`` command line: exit codes, selection, thresholds, suppressions, output
file, and the ``rules``/``rule`` commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = "examples/seed-incident"


def test_unknown_selector_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("scan", SEED, "--select", "NOPE1", cwd=REPO)
    assert result.returncode == 2
    assert "no rule matches NOPE1" in result.stderr


def test_no_usable_input_exits_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("scan", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "efs-doctor: no usable input"


def test_ignore_by_slug_and_threshold(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "scan",
        SEED,
        "--ignore",
        "mount-anonymous-under-restrictive-policy",
        "--format",
        "json",
        cwd=REPO,
    )
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert codes == ["AUTH005"]
    high = cli("scan", SEED, "--min-severity", "critical", "--format", "json", cwd=REPO)
    document = json.loads(high.stdout)
    assert [f["code"] for f in document["findings"]] == ["AUTH001"]
    assert document["summary"]["below_threshold"] == 1
    none = cli("scan", SEED, "--select", "CSI,NET", cwd=REPO)
    assert none.returncode == 0


def test_suppression_by_annotation_is_counted(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed = tmp_path / "seed"
    shutil.copytree(REPO / SEED, seed)
    pv = seed / "k8s" / "pv-and-claim.yaml"
    pv.write_text(
        pv.read_text().replace(
            "  name: efs-pv\n",
            "  name: efs-pv\n  annotations:\n"
            '    efs-doctor.io/ignore: "AUTH001: tracked in INC-42, fixed by the policy change"\n',
            1,
        )
    )
    result = cli("scan", str(seed), "--format", "json", "--select", "AUTH001")
    document = json.loads(result.stdout)
    assert result.returncode == 0
    assert document["summary"]["suppressed"] == 1
    assert document["suppressed"][0]["reason"].startswith("tracked in INC-42")


def test_output_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.sarif"
    result = cli("scan", SEED, "--format", "sarif", "--output", str(out), cwd=REPO)
    assert result.returncode == 1
    assert result.stdout == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"


def test_rules_and_rule_commands(cli) -> None:  # type: ignore[no-untyped-def]
    listing = cli("rules")
    assert listing.returncode == 0
    assert "AUTH001" in listing.stdout
    assert "NET002" in listing.stdout
    page = cli("rule", "mount-anonymous-under-restrictive-policy")
    assert page.returncode == 0
    assert "## Why it breaks mounts" in page.stdout
    unknown = cli("rule", "XYZ999")
    assert unknown.returncode == 2
    assert "XYZ999" in unknown.stderr
    assert "internal error" not in unknown.stderr
