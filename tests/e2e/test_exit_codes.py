"""Every command's exit code on the same inputs (the "Exit codes" contract, issue 21).

0: ran, nothing at or above the threshold. 1: ran and found something (findings or an
inconclusive check, a failed or indeterminate mount, ranked causes, a denied or undecided
mount, lint findings). 2: usage error or no usable input; a bad file beside usable ones is
one line on stderr, not exit 2. The table runs each command on: inputs with something to
report, the same beside a bad file, inputs with nothing to report, the same beside a bad
file, only a bad file, and a workload without EFS volumes.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from efs_doctor.cli import main
from efs_doctor.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, exit_status

REPO = Path(__file__).resolve().parents[2]
SEED = str(REPO / "examples" / "seed-incident")
HEALTHY = str(REPO / "examples" / "healthy")
SEED_POLICY = str(REPO / "tests" / "fixtures" / "policies" / "seed-incident.json")
# efs-utils' answer when EFS denies the mount (the seed incident's error)
DENIED = "mount.nfs4: access denied by server while mounting 127.0.0.1:/"
ROLE = "arn:aws:iam::111122223333:role/app"
CLEAN_POLICY = """{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
 "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
 "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
 "Resource": "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0"}]}
"""
NO_EFS = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
"""

CASES = ("found", "found+bad", "clean", "clean+bad", "only-bad", "no-efs")


class Inputs:
    """The files of one case, made under ``root``."""

    def __init__(self, case: str, root: Path) -> None:
        self.case = case
        self.root = root
        self.bad_yaml = root / "broken.yaml"
        self.bad_yaml.write_text("kind: [\n", encoding="utf-8")
        self.bad_json = root / "broken.json"
        self.bad_json.write_text('{"Version": "2012-10-17", "Statement": [\n', encoding="utf-8")
        (root / "clean-policy.json").write_text(CLEAN_POLICY, encoding="utf-8")
        (root / "no-efs.yaml").write_text(NO_EFS, encoding="utf-8")

    @property
    def bad(self) -> bool:
        return "bad" in self.case

    def manifests(self) -> list[str]:
        good = {"found": [SEED], "clean": [HEALTHY], "no-efs": [str(self.root / "no-efs.yaml")]}
        paths = good.get(self.case.removesuffix("+bad"), [])
        return [*paths, str(self.bad_yaml)] if self.bad else paths

    def policies(self) -> list[str]:
        good = {"found": [SEED_POLICY], "clean": [str(self.root / "clean-policy.json")]}
        paths = good.get(self.case.removesuffix("+bad"), [])
        return [*paths, str(self.bad_json)] if self.bad else paths

    def error_text(self) -> str:
        return "my pod is sad" if self.case.startswith(("clean", "no-efs")) else DENIED


def _scan(i: Inputs) -> list[str]:
    return ["scan", *i.manifests()]


def _inventory(i: Inputs) -> list[str]:
    return ["inventory", *i.manifests()]


def _simulate(i: Inputs) -> list[str]:
    return ["simulate", *i.manifests()]


def _explain(i: Inputs) -> list[str]:
    return ["explain", "--error", i.error_text(), *i.manifests()]


def _diagnose(i: Inputs) -> list[str]:
    # every EFS mount (the manifests hold templates, no pods with events); the manifests
    # stand for the cluster: _files_as_cluster
    return ["diagnose", "-A", "--all-pods", "--format", "json"]


def _policy_check(i: Inputs) -> list[str]:
    return ["policy", "check", *i.policies()]


def _policy_simulate(i: Inputs) -> list[str]:
    # one decision from one policy: its identity policy beside it is part of that decision
    policy, *rest = i.policies() or [str(i.bad_json)]
    extra = [arg for path in rest for arg in ("--identity-policy", path)]
    return ["policy", "simulate", policy, "--principal", ROLE, *extra]


# command -> (argv builder, expected code per case in CASES order; None: not applicable)
TABLE: dict[str, tuple[Callable[[Inputs], list[str]], tuple[int | None, ...]]] = {
    "scan": (_scan, (1, 1, 0, 0, 2, 0)),
    "inventory": (_inventory, (0, 0, 0, 0, 2, 0)),
    "simulate": (_simulate, (1, 1, 0, 0, 2, 0)),
    # the error text is the input; PATHs only add context, so unreadable ones leave the text
    # explained (ranked causes: 1)
    "explain": (_explain, (1, 1, 0, 0, 1, 0)),
    "diagnose": (_diagnose, (1, 1, 0, 0, 2, 0)),
    "policy check": (_policy_check, (1, 1, 0, 0, 2, None)),
    # every file is part of the one decision: an unreadable identity policy leaves it unmade
    "policy simulate": (_policy_simulate, (1, 2, 0, 2, 2, None)),
}


def _files_as_cluster(monkeypatch: pytest.MonkeyPatch, paths: list[str]) -> None:
    """``diagnose`` reads the cluster; here it reads ``paths`` through the same loader live
    mode feeds (architecture.md: live mode reuses the offline path). Only the collection is
    replaced: selection, simulation and the exit decision are the command's."""
    from efs_doctor.api import load_inventory
    from efs_doctor.commands import live_args
    from efs_doctor.sources.live_records import Collection

    def collect(_args: argparse.Namespace) -> tuple[Collection, object]:
        return Collection(), load_inventory(paths)

    monkeypatch.setattr(live_args, "collect_inventory_live", collect)


ROWS = [
    pytest.param(command, case, code, id=f"{command}-{case}")
    for command, (_build, codes) in TABLE.items()
    for case, code in zip(CASES, codes, strict=True)
    if code is not None
]


@pytest.mark.parametrize(("command", "case", "expected"), ROWS)
def test_exit_code(
    command: str,
    case: str,
    expected: int,
    *,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build = TABLE[command][0]
    inputs = Inputs(case, tmp_path)
    if command == "diagnose":
        _files_as_cluster(monkeypatch, inputs.manifests())
    code = main(build(inputs))
    _out, err = capsys.readouterr()
    assert code == expected, err
    assert "Traceback" not in err
    assert "internal error" not in err
    if inputs.bad and expected != EXIT_INPUT and command != "diagnose":
        # the bad file is one line, the rest is used (live mode reads no files)
        bad = inputs.bad_json if command.startswith("policy") else inputs.bad_yaml
        assert sum(line.startswith(f"{bad}:") for line in err.splitlines()) == 1, err


@pytest.mark.parametrize(
    ("usable", "found", "code"),
    [(True, 0, EXIT_OK), (True, 3, EXIT_FINDINGS), (False, 0, EXIT_INPUT), (False, 2, EXIT_INPUT)],
)
def test_exit_status_decides_in_one_place(usable: bool, found: int, code: int) -> None:
    assert exit_status(usable=usable, found=found) == code


@pytest.mark.parametrize(
    ("rule", "threshold", "code"),
    [
        ("AUTH007", "low", EXIT_FINDINGS),  # high: could not tell whether access is read-only
        ("AUTH007", "critical", EXIT_OK),  # ... below the threshold asked for
        ("NET001", "critical", EXIT_FINDINGS),  # critical: could not tell if mount targets exist
    ],
)
def test_scan_with_only_an_inconclusive_check(
    rule: str, threshold: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """A check that could not decide fails the scan unless its rule is below the threshold."""
    manifests = str(Path(HEALTHY) / "k8s")  # no AWS answers: the AWS-side checks cannot decide
    argv = ["scan", manifests, "--select", rule, "--min-severity", threshold, "--format", "json"]
    assert main(argv) == code
    document = json.loads(capsys.readouterr().out)
    assert document["findings"] == []
    assert [item["code"] for item in document["inconclusive"]] == [rule]
