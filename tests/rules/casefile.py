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
          - code: CSI006
            object: PersistentVolume/efs-pv
            message_contains: [ReadOnlyMany, every mount of it fails]
            fix_contains: [ReadWriteMany]          # the fix's title
            patch_contains: ["+  accessModes: [ReadWriteMany]"]   # its unified diff
      - name: ReadWriteMany is fine               # a pass case: expects nothing
        base: healthy
        expect: []

Only the case's rule runs, so a case says exactly what that rule reports. Each expected
finding of the rule says the key facts of its message (``message_contains``) and of its fix:
the diff when it has one (``patch_contains``), else the title (``fix_contains``); ``line``
pins the primary location. ``inconclusive`` lists objects the rule must report as
inconclusive, when that is the point of the case; an entry may be ``{object: ...,
reason_contains: [...]}`` to say the key facts of the reason too. ``select: [all]`` runs
every rule, for a rule that reports what the others do not (MNT001). A rule that raises
fails its case: the runner raises :class:`~efs_doctor.errors.InternalError`, nothing turns
it into a result.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from efs_doctor import fixes
from efs_doctor.api import analyze, load_inventory
from efs_doctor.config import Config
from efs_doctor.findings import Finding, Inconclusive, Report

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
    # Rules that run: the case's own by default; ["all"] runs every rule.
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
    """The case's report as scan gives it: its rule only, every severity, fixes as diffs."""
    world = materialise(case, root)
    inventory = load_inventory([str(world)])
    errors = [str(p) for p in inventory.errors]
    assert not errors, f"case inputs do not load: {errors}"
    select = () if case.select == ["all"] else tuple(case.select or (case.rule,))
    report = analyze(inventory, Config(select=select, min_severity=_info()))
    assert case.rule in report.rules_run, f"{case.rule} did not run: {report.rules_run}"
    return fixes.render_patches(report)


# Rules whose case files have not said their findings' facts yet (their owner is on it).
FACTS_PENDING: tuple[str, ...] = ()


def missing_facts(case: Case) -> list[str]:
    """Expected findings of the case's rule that do not say their message's key facts."""
    if case.rule.startswith(FACTS_PENDING):
        return []
    return [
        f"{entry['code']} {entry['object']}: no message_contains"
        for entry in case.expect
        if entry.get("code") == case.rule and not entry.get("message_contains")
    ]


def _fits(entry: dict[str, Any], finding: Finding) -> bool:
    if (finding.code, finding.location.object or "") != (entry["code"], entry["object"]):
        return False
    if "line" in entry and finding.location.line != entry["line"]:
        return False
    fix = finding.fix
    texts = {
        "message_contains": finding.message,
        "patch_contains": (fix.patch or "") if fix is not None else "",
        "fix_contains": fix.title if fix is not None else "",
    }
    return all(fact in texts[key] for key in texts for fact in entry.get(key) or ())


def _assign(entries: list[dict[str, Any]], findings: list[Finding]) -> list[Finding] | None:
    """A distinct finding for each entry that fits it, or None (entries repeat a code and
    object when a rule reports one object twice, so first-fit is not enough)."""
    if not entries:
        return []
    for index, finding in enumerate(findings):
        if _fits(entries[0], finding):
            rest = _assign(entries[1:], findings[:index] + findings[index + 1 :])
            if rest is not None:
                return [finding, *rest]
    return None


def unmet_facts(case: Case, findings: Iterable[Finding]) -> list[str]:
    """What the case expects of its findings' facts and does not get, one line each."""
    found = list(findings)
    assigned = _assign(case.expect, found)
    if assigned is None:
        shown = "\n".join(_describe(f) for f in found)
        return [f"no distinct findings fit {case.expect}; found:\n{shown}"]
    problems = []
    for entry, finding in zip(case.expect, assigned, strict=True):
        fix = finding.fix
        if case.rule.startswith(FACTS_PENDING) or entry.get("code") != case.rule:
            continue
        if fix is not None and fix.patch and not entry.get("patch_contains"):
            problems.append(f"{entry['object']}: the fix has a diff; say it in patch_contains")
        elif fix is not None and not fix.patch and not entry.get("fix_contains"):
            problems.append(f"{entry['object']}: the fix has no diff; say it in fix_contains")
    return problems


def unmet_reasons(case: Case, inconclusive: Iterable[Inconclusive]) -> list[str]:
    """The objects the case expects inconclusive, and the facts of their reasons, that the
    report does not give."""
    found = list(inconclusive)
    problems = []
    for item in case.inconclusive:
        entry = {"object": item} if isinstance(item, str) else item
        reasons = [i.reason for i in found if i.object == entry["object"]]
        if not reasons:
            problems.append(f"no inconclusive for {entry['object']}: {found}")
        for text in entry.get("reason_contains") or ():
            if not any(text in reason for reason in reasons):
                problems.append(f"inconclusive {entry['object']}: no {text!r} in {reasons}")
    return problems


def _describe(finding: Finding) -> str:
    fix = finding.fix
    text = f"{finding.code} {finding.location}: {finding.message}"
    if fix is not None:
        text += f"\n  fix: {fix.title}\n" + "".join(
            f"  | {line}\n" for line in (fix.patch or "").splitlines()
        )
    return text


def _info() -> Any:
    from efs_doctor.findings import Severity

    return Severity.INFO
