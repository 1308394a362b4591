"""What a scan reports: enabled rules, thresholds, and suppressions by annotation.

Rules are chosen by code (``AUTH001``), code prefix (``AUTH``, ``NET0``), slug
(``mount-anonymous-under-restrictive-policy``) or ``ALL`` (STYLE.md convention 2: either
form is accepted everywhere). A finding below ``min_severity`` or ``min_confidence`` is
left out of the report and of the exit status, and counted as below the threshold.

Suppressions live on the Kubernetes object and carry a reason (STYLE.md convention 13)::

    metadata:
      annotations:
        efs-doctor.io/ignore: "CSI006: the claim is only ever mounted by one reader"

Several suppressions go on separate lines of the value. The per-rule form
``efs-doctor.io/ignore-<slug-or-code>: "<reason>"`` is accepted too. An entry without a
reason suppresses nothing and is reported as a note.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from efs_doctor.findings import Confidence, Severity

IGNORE_ANNOTATION = "efs-doctor.io/ignore"
IGNORE_PREFIX = "efs-doctor.io/ignore-"


class Named(Protocol):
    """Anything with a rule's two names (a rule, a finding)."""

    @property
    def code(self) -> str: ...

    @property
    def slug(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RuleName:
    """The names a rule answers to."""

    code: str
    slug: str


def matches(selector: str, rule: Named) -> bool:
    """Whether ``selector`` (code, code prefix, slug or ALL) names ``rule``."""
    text = selector.strip()
    if text.upper() == "ALL":
        return True
    if text.lower() == rule.slug:
        return True
    return rule.code.startswith(text.upper()) and bool(text)


@dataclass(frozen=True, slots=True)
class Config:
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    min_severity: Severity = Severity.LOW
    min_confidence: Confidence = Confidence.LOW

    def enabled(self, rule: Named) -> bool:
        if self.select and not any(matches(s, rule) for s in self.select):
            return False
        return not any(matches(s, rule) for s in self.ignore)

    def reportable(self, severity: Severity, confidence: Confidence) -> bool:
        return severity.at_least(self.min_severity) and confidence.at_least(self.min_confidence)

    def unknown_selectors(self, rules: Iterable[Named]) -> list[str]:
        """Selectors that name no rule (a typo should be a usage error, not a silent no-op)."""
        known = list(rules)
        return [
            s for s in (*self.select, *self.ignore) if not any(matches(s, rule) for rule in known)
        ]


def split_selectors(values: Sequence[str] | None) -> tuple[str, ...]:
    """``["AUTH001,CSI", "NET"]`` -> ``("AUTH001", "CSI", "NET")``."""
    out: list[str] = []
    for value in values or ():
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Suppression:
    selector: str
    reason: str


def parse_suppressions(annotations: Mapping[str, str]) -> tuple[list[Suppression], list[str]]:
    """The suppressions in an object's annotations, and problems with malformed entries."""
    found: list[Suppression] = []
    problems: list[str] = []
    for key, value in annotations.items():
        if key == IGNORE_ANNOTATION:
            for line in str(value).splitlines():
                if not line.strip():
                    continue
                selector, sep, reason = line.partition(":")
                if not sep or not reason.strip() or not selector.strip():
                    problems.append(
                        f'{IGNORE_ANNOTATION} entry "{line.strip()}" has no reason; write '
                        '"<code-or-slug>: <why>"; not applied'
                    )
                    continue
                found.append(Suppression(selector.strip(), reason.strip()))
        elif key.startswith(IGNORE_PREFIX):
            selector = key[len(IGNORE_PREFIX) :]
            if not str(value).strip():
                problems.append(f"{key} has no reason; not applied")
                continue
            found.append(Suppression(selector, str(value).strip()))
    return found, problems
