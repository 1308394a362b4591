"""What every rule module provides, and small helpers to build findings from model objects.

A rule module holds ``META`` (:class:`RuleMeta`), a docstring with the fixed headings
(:data:`DOC_HEADINGS`), and ``check(context) -> Iterable[Finding | Inconclusive]``. The
registry in ``efs_doctor.rules`` wraps each module in a :class:`Rule`; nothing registers
itself on import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, cast

from efs_doctor.findings import (
    Confidence,
    Finding,
    Fix,
    Inconclusive,
    Location,
    Related,
    Severity,
)

if TYPE_CHECKING:
    from efs_doctor.engine.analysis import Context

DOC_HEADINGS = (
    "What it checks",
    "Why it breaks mounts",
    "Example",
    "Use instead",
    "Limits",
    "Fix safety",
    "References",
)

AREAS = {
    "authorization": "AUTH",
    "csi": "CSI",
    "network": "NET",
    "identity": "IDN",
    "access_points": "AP",
    "mount": "MNT",
    "kubernetes": "K8S",
}

Result = Finding | Inconclusive


@dataclass(frozen=True, slots=True)
class RuleMeta:
    code: str
    slug: str
    summary: str
    severity: Severity  # default; a finding may say otherwise
    confidence: Confidence  # default; lowered when an input is partial
    needs: tuple[str, ...]  # inputs it reads: "manifests", "file-system-policy", ...
    cause: str | None = None  # the causes.md id a finding of this rule confirms
    # Other ids its findings may carry, when the mount engine names the cause (AUTH001 reports
    # the engine's classification of a denial, for instance).
    causes: tuple[str, ...] = ()
    # A security weakness (wider access than intended), not only a mount that fails: SARIF
    # marks its findings as security alerts for code scanning (report/sarif.py).
    security: bool = False

    @property
    def all_causes(self) -> tuple[str, ...]:
        return ((self.cause,) if self.cause else ()) + self.causes

    def finding(
        self,
        message: str,
        location: Location,
        *,
        related: Iterable[Related] = (),
        expected_error: str | None = None,
        fix: Fix | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        chain: str | None = None,
        subjects: Iterable[str] = (),
        cause: str | None = None,
    ) -> Finding:
        return Finding(
            code=self.code,
            slug=self.slug,
            severity=severity or self.severity,
            confidence=confidence or self.confidence,
            message=message,
            location=location,
            related=tuple(related),
            expected_error=expected_error,
            cause=cause if cause is not None else self.cause,
            fix=fix,
            chain=chain,
            subjects=tuple(dict.fromkeys(subjects)),
        )

    def inconclusive(self, obj: str, reason: str) -> Inconclusive:
        return Inconclusive(self.code, obj, reason)


class _RuleModule(Protocol):
    META: RuleMeta

    def check(self, context: Context) -> Iterable[Result]: ...


@dataclass(frozen=True, slots=True)
class Rule:
    meta: RuleMeta
    check: Callable[[Context], Iterable[Result]]
    doc: str
    module: str

    @property
    def code(self) -> str:
        return self.meta.code

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def area(self) -> str:
        return self.module.split(".")[-2]

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        typed = cast(_RuleModule, module)
        return cls(typed.META, typed.check, (module.__doc__ or "").strip(), module.__name__)


def doc_sections(doc: str) -> dict[str, str]:
    """The docstring split at the fixed headings (a heading is a line of its own followed by
    a line of dashes); text before the first heading is under ``""``."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    lines = doc.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        underline = lines[index + 1] if index + 1 < len(lines) else ""
        if line.strip() and underline.strip() and set(underline.strip()) == {"-"}:
            current = line.strip()
            sections[current] = []
            index += 2
            continue
        sections[current].append(line)
        index += 1
    return {key: "\n".join(value).strip() for key, value in sections.items()}


def object_key(obj: Any) -> str:
    """``Kind/name`` for cluster-scoped objects, ``Kind/namespace/name`` for namespaced ones;
    the id for AWS objects."""
    meta = getattr(obj, "meta", None)
    if meta is not None:
        kind = str(getattr(obj, "kind", type(obj).__name__))
        if meta.namespace:
            return f"{kind}/{meta.namespace}/{meta.name}"
        return f"{kind}/{meta.name}"
    for attribute in ("id", "arn", "file_system_id"):
        value = getattr(obj, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(obj).__name__


def at(obj: Any, *field_path: str | int) -> Location:
    """The location of ``field_path`` in ``obj`` (or of the nearest enclosing known field),
    labelled with the object's key."""
    return cast(Location, obj.source.location(*field_path, object_name=object_key(obj)))
