"""Rule selection, thresholds and suppression annotations."""

from __future__ import annotations

from efs_doctor.config import Config, RuleName, matches, parse_suppressions, split_selectors
from efs_doctor.findings import Confidence, Severity

RULE = RuleName("AUTH001", "mount-anonymous-under-restrictive-policy")


def test_selectors_accept_code_prefix_slug_and_all() -> None:
    assert matches("AUTH001", RULE)
    assert matches("auth", RULE)
    assert matches("ALL", RULE)
    assert matches("mount-anonymous-under-restrictive-policy", RULE)
    assert not matches("AUTH002", RULE)
    assert not matches("CSI", RULE)
    assert not matches("", RULE)


def test_select_and_ignore() -> None:
    assert Config(select=("AUTH",)).enabled(RULE)
    assert not Config(select=("AUTH",), ignore=("AUTH001",)).enabled(RULE)
    assert not Config(select=("NET",)).enabled(RULE)
    assert Config().unknown_selectors([RULE]) == []
    assert Config(select=("NOPE",)).unknown_selectors([RULE]) == ["NOPE"]


def test_split_selectors() -> None:
    assert split_selectors(["AUTH001, CSI", "NET"]) == ("AUTH001", "CSI", "NET")
    assert split_selectors(None) == ()


def test_thresholds() -> None:
    config = Config(min_severity=Severity.HIGH, min_confidence=Confidence.MEDIUM)
    assert config.reportable(Severity.CRITICAL, Confidence.HIGH)
    assert not config.reportable(Severity.MEDIUM, Confidence.HIGH)
    assert not config.reportable(Severity.CRITICAL, Confidence.LOW)


def test_suppressions_need_a_reason() -> None:
    found, problems = parse_suppressions(
        {
            "efs-doctor.io/ignore": "AUTH001: known, INC-42\nCSI006\n",
            "efs-doctor.io/ignore-fsgroup-not-applied": "directory is chowned by an init job",
            "efs-doctor.io/ignore-CSI002": " ",
        }
    )
    assert [(s.selector, s.reason) for s in found] == [
        ("AUTH001", "known, INC-42"),
        ("fsgroup-not-applied", "directory is chowned by an init job"),
    ]
    assert len(problems) == 2
