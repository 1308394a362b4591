"""What a scan reports: findings, inconclusive checks, and the report that holds them.

A :class:`Finding` has one primary :class:`Location` (``file:line:column`` of the field at
fault, or the id/ARN of an AWS object and the file it was read from), annotated related
locations (the policy statement that denies, the security group that blocks), the error a
mount will show, and an optional :class:`Fix`. Severity says how bad it is if true;
confidence says how sure the rule is (STYLE.md conventions 6 and 7).

Fixes are declarative: a rule says *what* to change (:class:`YamlEdit`, :class:`NewFile`);
``efs_doctor.fixes`` turns that into a unified diff and applies it, so rules stay pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal, Self

from efs_doctor.model.source import Location

__all__ = [
    "Confidence",
    "Finding",
    "Fix",
    "FixSafety",
    "Inconclusive",
    "Location",
    "NewFile",
    "Related",
    "Report",
    "Severity",
    "Summary",
    "YamlEdit",
    "docs_command",
]


def docs_command(code: str) -> str:
    """How a user reads a rule's page. The page ships with the package (the rule's docstring,
    from which docs/rules/<CODE>.md is generated), so the command works offline and always
    matches the installed version; no web address is printed while the project publishes
    none."""
    return f"efs-doctor rule {code}"


class _Ranked(Enum):
    """An enum whose members compare by their position in the declaration (first = worst)."""

    @property
    def rank(self) -> int:
        return list(type(self)).index(self)

    def at_least(self, threshold: Self) -> bool:
        return self.rank <= threshold.rank

    @classmethod
    def parse(cls, text: str) -> Self:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(member.value for member in cls)
            raise ValueError(f"{text!r} is not one of {names}") from None


class Severity(_Ranked):
    """How bad the problem is if the finding is true."""

    CRITICAL = "critical"  # the mount fails
    HIGH = "high"  # the mount fails on some nodes/zones, or access is not what is needed
    MEDIUM = "medium"  # works today, breaks on a likely change; or an unenforced intent
    LOW = "low"  # a caveat worth knowing
    INFO = "info"  # context, not a problem


class Confidence(_Ranked):
    """How sure the rule is that the finding is true."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class FixSafety(Enum):
    """``safe``: the fix grants no principal any access that the configuration does not
    already express (it can only narrow access or make existing grants usable).
    ``unsafe``: it may widen access; review it before applying."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True)
class Related:
    """A secondary location with a note saying why it matters."""

    location: Location
    note: str


YamlOperation = Literal["append", "set", "remove", "replace", "delete"]


@dataclass(frozen=True, slots=True)
class YamlEdit:
    """A change to one field of one Kubernetes object in a YAML file.

    ``append``: add ``value`` to the list at ``field`` (created if absent) unless present;
    ``remove``: drop ``value`` from that list (the key goes when the list empties);
    ``replace``: replace ``value`` in that list by ``new_value``, in place;
    ``set``: set the scalar at ``field`` to ``value``;
    ``delete``: delete the key at ``field`` (and its mapping when that empties).
    """

    path: str
    kind: str
    name: str
    namespace: str | None
    operation: YamlOperation
    field: tuple[str, ...]
    value: str | bool | int
    new_value: str | None = None


@dataclass(frozen=True, slots=True)
class NewFile:
    """A file written next to an input (never over an existing file)."""

    path: str
    content: str


Edit = YamlEdit | NewFile


@dataclass(frozen=True, slots=True)
class Fix:
    """A way to resolve a finding: its edits, whether it is safe, and the diff they make."""

    title: str
    safety: FixSafety
    edits: tuple[Edit, ...] = ()
    patch: str | None = None  # unified diff; filled in by efs_doctor.fixes

    @property
    def applicable(self) -> bool:
        return bool(self.edits)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found: where, how bad, how sure, the error the mount shows, and its fix."""

    code: str
    slug: str
    severity: Severity
    confidence: Confidence
    message: str
    location: Location
    related: tuple[Related, ...] = ()
    expected_error: str | None = None
    cause: str | None = None  # an id from causes.md
    fix: Fix | None = None
    chain: str | None = None  # label of the mount chain, for grouping in reports
    subjects: tuple[str, ...] = ()  # object keys whose annotations may suppress it
    context: str | None = None  # the context it was found in (docs/contracts.md, "Contexts")

    @property
    def docs(self) -> str:
        return docs_command(self.code)

    @property
    def sort_key(self) -> tuple[int, int, str, str, int, str]:
        loc = self.location
        return (
            self.severity.rank,
            self.confidence.rank,
            self.code,
            loc.path or loc.object or "",
            loc.line or 0,
            self.message,
        )


@dataclass(frozen=True, slots=True)
class Inconclusive:
    """A rule could not decide for ``object`` because an input is missing."""

    code: str
    object: str
    reason: str
    context: str | None = None


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding that an annotation on the object suppressed, and the annotation's reason."""

    finding: Finding
    reason: str
    by: str  # the object whose annotation suppressed it


@dataclass(frozen=True, slots=True)
class Summary:
    """The counts a report ends with."""

    files: int
    objects: int
    chains: int
    findings: int
    by_severity: Mapping[str, int]
    inconclusive: int
    suppressed: int
    below_threshold: int = 0


@dataclass(frozen=True, slots=True)
class Report:
    """What a scan found in the files it read: findings, inconclusive checks, suppressions."""

    findings: tuple[Finding, ...]
    inconclusive: tuple[Inconclusive, ...]
    suppressed: tuple[Suppressed, ...]
    files: tuple[str, ...]
    objects: int
    chains: int
    rules_run: tuple[str, ...] = ()  # codes, in registry order
    below_threshold: int = 0
    notes: tuple[str, ...] = field(default=())  # e.g. malformed suppressions
    # chain heading (chain_heading) -> the simulated mount path of a chain whose mount
    # fails (text diagram)
    mount_paths: Mapping[str, str] = field(default_factory=dict)
    contexts: tuple[str, ...] = ()  # the contexts analysed, in input order

    @property
    def summary(self) -> Summary:
        by_severity = {severity.value: 0 for severity in Severity}
        for finding in self.findings:
            by_severity[finding.severity.value] += 1
        return Summary(
            files=len(self.files),
            objects=self.objects,
            chains=self.chains,
            findings=len(self.findings),
            by_severity=by_severity,
            inconclusive=len(self.inconclusive),
            suppressed=len(self.suppressed),
            below_threshold=self.below_threshold,
        )


def chain_heading(chain: str, context: str | None, several_contexts: bool) -> str:
    """How a chain is named where reports group by chain: with several contexts the same
    names (a base rendered through two overlays) are different chains."""
    return f"{chain} (in {context})" if several_contexts and context else chain
