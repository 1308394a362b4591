"""Every rule's named pass and fail cases (STYLE.md convention 10): the rule reports exactly
the expected codes at the expected objects, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from casefile import Case, all_cases, fact_problems, run_case

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}: {c.name}" for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    report = run_case(case, tmp_path)
    found = sorted((f.code, f.location.object or "") for f in report.findings)
    expected = sorted((e["code"], e["object"]) for e in case.expect)
    details = "\n".join(f"{f.code} {f.location}: {f.message}" for f in report.findings)
    assert found == expected, f"findings differ:\n{details}"
    for entry in case.expect:
        if "line" in entry:
            lines = {
                f.location.line
                for f in report.findings
                if (f.code, f.location.object) == (entry["code"], entry["object"])
            }
            assert entry["line"] in lines, f"{entry} not at line {entry['line']}: {lines}"
    for item in case.inconclusive:
        obj = item if isinstance(item, str) else item["object"]
        assert obj in {i.object for i in report.inconclusive}, report.inconclusive
    assert not fact_problems(case, report)
