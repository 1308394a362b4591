"""The rule registry: one explicit, ordered tuple (STYLE.md convention 3).

Order matters: findings of equal severity are reported in registry order, and the most
common causes of a failing mount come first. A rule module that is not listed here never
runs; ``tests/rules/test_catalogue.py`` fails when one is missing.
"""

from __future__ import annotations

from efs_doctor.rules.authorization import (
    mount_anonymous_under_restrictive_policy,
)
from efs_doctor.rules.base import Rule

REGISTRY: tuple[Rule, ...] = tuple(
    Rule.from_module(module)
    for module in (
        # authorization
        mount_anonymous_under_restrictive_policy,
    )
)


def find_rule(name: str) -> Rule | None:
    """The rule with this code or slug (case-insensitive)."""
    wanted = name.strip().lower()
    return next((r for r in REGISTRY if wanted in (r.code.lower(), r.slug)), None)
