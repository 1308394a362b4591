"""Reading rule case files (``tests/rules/cases/<CODE>.yaml``) and running one case.

A case file holds named cases, each a small world of inputs and the findings expected in it::

    rule: CSI006
    cases:
      - name: ReadOnlyMany PV is rejected          # a fail case: expects the rule's code
        base: healthy                              # optional: start from examples/<base>
        files:                                     # written under the case directory
          k8s/pv-and-claim.yaml: |
            ...
        remove: [aws/file-system-policy.json]      # optional: drop files of the base
        expect:
          - {code: CSI006, object: PersistentVolume/efs-pv}
      - name: ReadWriteMany is fine               # a pass case: expects nothing
        base: healthy
        expect: []

Only the case's rule runs, so a case says exactly what that rule reports (``select: [all]``
runs every rule, for a rule that reports what the others do not). ``inconclusive``
lists objects the rule must report as inconclusive, when that is the point of the case.

The key facts of a message are asserted with ``message_contains`` (substrings the finding's
message must hold) on an ``expect`` entry; an ``inconclusive`` entry may be
``{object: ..., reason_contains: [...]}`` to do the same for the reason::

        expect:
          - {code: IDN002, object: ServiceAccount/kube-system/efs-csi-node-sa,
             message_contains: [does not admit, falls back to the node instance role]}
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from efs_doctor.api import analyze, load_inventory
from efs_doctor.config import Config
from efs_doctor.findings import Report

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "rules" / "cases"
EXAMPLES = REPO / "examples"


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    files: dict[str, str]
    expect: list[dict[str, Any]]
    base: str | None = None
    remove: list[str] = field(default_factory=list)
    inconclusive: list[str | dict[str, Any]] = field(default_factory=list)
    # Rules that run: the case's own by default; ["all"] runs every rule (a case of a rule
    # that reports what the others do not, MNT001, says so with every rule on).
    select: list[str] = field(default_factory=list)

    @property
    def fails(self) -> bool:
        return any(e.get("code") == self.rule for e in self.expect)


def load_cases(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Case(
            rule=data["rule"],
            name=item["name"],
            files=item.get("files") or {},
            expect=item.get("expect") or [],
            base=item.get("base"),
            remove=item.get("remove") or [],
            inconclusive=item.get("inconclusive") or [],
            select=item.get("select") or [],
        )
        for item in data["cases"]
    ]


def all_cases() -> list[Case]:
    return [case for path in sorted(CASES.glob("*.yaml")) for case in load_cases(path)]


def materialise(case: Case, root: Path) -> Path:
    world = root / "world"
    if case.base:
        shutil.copytree(EXAMPLES / case.base, world, ignore=shutil.ignore_patterns("*.md"))
    world.mkdir(exist_ok=True)
    for name in case.remove:
        (world / name).unlink()
    for name, text in case.files.items():
        target = world / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return world


def run_case(case: Case, root: Path) -> Report:
    world = materialise(case, root)
    inventory = load_inventory([str(world)])
    errors = [str(p) for p in inventory.errors]
    assert not errors, f"case inputs do not load: {errors}"
    select = () if case.select == ["all"] else tuple(case.select or (case.rule,))
    return analyze(inventory, Config(select=select, min_severity=_info()))


def _info() -> Any:
    from efs_doctor.findings import Severity

    return Severity.INFO


def fact_problems(case: Case, report: Report) -> list[str]:
    """The ``message_contains`` / ``reason_contains`` facts the report does not state."""
    problems: list[str] = []
    for entry in case.expect:
        messages = [
            f.message
            for f in report.findings
            if (f.code, f.location.object) == (entry["code"], entry["object"])
        ]
        for text in entry.get("message_contains", ()):
            if not any(text in message for message in messages):
                problems.append(f"{entry['code']} {entry['object']}: no {text!r} in {messages}")
    for item in case.inconclusive:
        if isinstance(item, str):
            continue
        reasons = [i.reason for i in report.inconclusive if i.object == item["object"]]
        for text in item.get("reason_contains", ()):
            if not any(text in reason for reason in reasons):
                problems.append(f"inconclusive {item['object']}: no {text!r} in {reasons}")
    return problems
