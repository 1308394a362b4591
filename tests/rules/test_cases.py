"""Every rule's named pass and fail cases (STYLE.md convention 10): the rule reports exactly
the expected codes at the expected objects and nothing else, each finding with the key facts
of its message and of its fix the case names, and it never raises."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from casefile import Case, all_cases, missing_facts, run_case, unmet_facts, unmet_reasons

from efs_doctor.engine.analysis import Context
from efs_doctor.errors import InternalError
from efs_doctor.findings import Confidence, Severity
from efs_doctor.rules.base import Result, Rule, RuleMeta

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}: {c.name}" for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    assert not missing_facts(case)
    report = run_case(case, tmp_path)
    found = sorted((f.code, f.location.object or "") for f in report.findings)
    expected = sorted((e["code"], e["object"]) for e in case.expect)
    details = "\n".join(f"{f.code} {f.location}: {f.message}" for f in report.findings)
    assert found == expected, f"findings differ:\n{details}"
    problems = unmet_facts(case, report.findings)
    assert not problems, "\n".join(problems)
    problems = unmet_reasons(case, report.inconclusive)
    assert not problems, "\n".join(problems)


def test_a_rule_that_raises_fails_its_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import efs_doctor.rules

    def check(context: Context) -> Iterator[Result]:
        yield meta.inconclusive("*", "about to fail")
        raise KeyError(len(context.chains))

    meta = RuleMeta("TEST901", "raises", "a bug", Severity.HIGH, Confidence.HIGH, ("manifests",))
    rule = Rule(meta, check, "A bug.", "tests.rules.test_cases")
    monkeypatch.setattr(efs_doctor.rules, "REGISTRY", (*efs_doctor.rules.REGISTRY, rule))
    case = Case(rule="TEST901", name="raises", files={}, expect=[], base="healthy")
    with pytest.raises(
        InternalError, match=r"^internal error in rule TEST901 \(raises\): KeyError: 1$"
    ):
        run_case(case, tmp_path)


def test_facts_are_checked_per_finding(tmp_path: Path) -> None:
    """Two findings of one rule on one object: each expected entry needs its own finding,
    and a fact of one does not pass for the other."""
    [case] = [c for c in CASES if c.name == "CIFS-style dir_mode and file_mode"]
    report = run_case(case, tmp_path)
    assert unmet_facts(case, report.findings) == []
    both_dir = [dict(e, message_contains=["`dir_mode=0777`"]) for e in case.expect]
    swapped = Case(case.rule, case.name, case.files, both_dir, case.base)
    assert unmet_facts(swapped, report.findings)[0].startswith("no distinct findings fit")
    unsaid = [dict(e, patch_contains=[]) for e in case.expect]
    assert unmet_facts(Case(case.rule, case.name, case.files, unsaid, case.base), report.findings)
