"""The rule catalogue is complete and consistent (STYLE.md conventions 1-3, 9, 10)."""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter

from casefile import CASES, all_cases

import efs_doctor.rules as rules_package
from efs_doctor.rules import REGISTRY, find_rule
from efs_doctor.rules.base import AREAS, DOC_HEADINGS, doc_sections


def _area_modules() -> set[str]:
    found = set()
    for area in AREAS:
        package = importlib.import_module(f"efs_doctor.rules.{area}")
        for info in pkgutil.iter_modules(package.__path__):
            found.add(f"efs_doctor.rules.{area}.{info.name}")
    return found


def test_every_rule_module_is_registered() -> None:
    registered = {rule.module for rule in REGISTRY}
    assert _area_modules() - registered == set()
    assert registered - _area_modules() == set()


def test_no_area_package_outside_the_known_areas() -> None:
    packages = {i.name for i in pkgutil.iter_modules(rules_package.__path__) if i.ispkg}
    assert packages == set(AREAS)


def test_codes_and_slugs_are_unique() -> None:
    for counter in (Counter(r.code for r in REGISTRY), Counter(r.slug for r in REGISTRY)):
        assert [k for k, n in counter.items() if n > 1] == []


def test_module_is_named_by_its_slug_and_code_by_its_area() -> None:
    for rule in REGISTRY:
        assert rule.module.rsplit(".", 1)[-1] == rule.slug.replace("-", "_")
        prefix = AREAS[rule.area]
        assert rule.code.startswith(prefix), rule.code
        assert rule.code[len(prefix) :].isdigit(), rule.code


def test_docstrings_have_the_fixed_headings_in_order() -> None:
    for rule in REGISTRY:
        sections = doc_sections(rule.doc)
        assert sections.get(""), f"{rule.code}: no opening paragraph"
        headings = [h for h in sections if h]
        assert headings == list(DOC_HEADINGS), f"{rule.code}: {headings}"
        for heading in DOC_HEADINGS:
            assert sections[heading], f"{rule.code}: empty section {heading}"


def test_every_rule_has_pass_and_fail_cases() -> None:
    cases = all_cases()
    for rule in REGISTRY:
        mine = [c for c in cases if c.rule == rule.code]
        assert (CASES / f"{rule.code}.yaml").is_file(), f"{rule.code}: no case file"
        assert any(c.fails for c in mine), f"{rule.code}: no fail case"
        assert any(not c.fails for c in mine), f"{rule.code}: no pass case"


def test_case_files_name_registered_rules() -> None:
    codes = {r.code for r in REGISTRY}
    for path in CASES.glob("*.yaml"):
        assert path.stem in codes, f"{path.name} names no registered rule"
    for case in all_cases():
        assert case.rule in codes


def test_find_rule_by_code_or_slug() -> None:
    first = REGISTRY[0]
    assert find_rule(first.code.lower()) is first
    assert find_rule(first.slug) is first
    assert find_rule("NOPE999") is None
