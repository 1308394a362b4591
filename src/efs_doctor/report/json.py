"""``efs-doctor scan --format json``: schema version 1 (docs/contracts.md).

The types below *are* the schema: the report is built field by field from them, never by
dumping internal objects (STYLE.md convention 12). Version 1 may gain fields; renaming or
removing one makes version 2.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from efs_doctor.findings import Finding, Fix, Location, Report

SCHEMA_VERSION = 1


class LocationJson(TypedDict):
    path: str | None
    line: int | None
    column: int | None
    object: str | None


class RelatedJson(LocationJson):
    note: str


class FixJson(TypedDict):
    title: str
    safety: Literal["safe", "unsafe"]
    patch: str | None


class FindingJson(TypedDict):
    code: str
    slug: str
    severity: Literal["critical", "high", "medium", "low", "info"]
    confidence: Literal["high", "medium", "low"]
    message: str
    location: LocationJson
    related: list[RelatedJson]
    expected_error: str | None
    cause: str | None
    fix: FixJson | None
    docs: str
    chain: str | None
    context: str | None


class InconclusiveJson(TypedDict):
    code: str
    object: str
    reason: str
    context: str | None


class SuppressedJson(TypedDict):
    code: str
    object: str | None
    by: str
    reason: str


class SummaryJson(TypedDict):
    files: int
    objects: int
    chains: int
    findings: int
    by_severity: dict[str, int]
    inconclusive: int
    suppressed: int
    below_threshold: int


class ScanJson(TypedDict):
    schema_version: int
    findings: list[FindingJson]
    inconclusive: list[InconclusiveJson]
    suppressed: list[SuppressedJson]
    notes: list[str]
    summary: SummaryJson


def location_json(location: Location) -> LocationJson:
    return {
        "path": location.path,
        "line": location.line,
        "column": location.column,
        "object": location.object,
    }


def related_json(location: Location, note: str) -> RelatedJson:
    return {
        "path": location.path,
        "line": location.line,
        "column": location.column,
        "object": location.object,
        "note": note,
    }


def fix_json(fix: Fix | None) -> FixJson | None:
    if fix is None:
        return None
    return {"title": fix.title, "safety": fix.safety.value, "patch": fix.patch}


def finding_json(finding: Finding) -> FindingJson:
    return {
        "code": finding.code,
        "slug": finding.slug,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "message": finding.message,
        "location": location_json(finding.location),
        "related": [related_json(r.location, r.note) for r in finding.related],
        "expected_error": finding.expected_error,
        "cause": finding.cause,
        "fix": fix_json(finding.fix),
        "docs": finding.docs,
        "chain": finding.chain,
        "context": finding.context,
    }


def scan_json(report: Report) -> ScanJson:
    summary = report.summary
    return {
        "schema_version": SCHEMA_VERSION,
        "findings": [finding_json(f) for f in report.findings],
        "inconclusive": [
            {"code": i.code, "object": i.object, "reason": i.reason, "context": i.context}
            for i in report.inconclusive
        ],
        "suppressed": [
            {
                "code": s.finding.code,
                "object": s.finding.location.object,
                "by": s.by,
                "reason": s.reason,
            }
            for s in report.suppressed
        ],
        "notes": list(report.notes),
        "summary": {
            "files": summary.files,
            "objects": summary.objects,
            "chains": summary.chains,
            "findings": summary.findings,
            "by_severity": dict(summary.by_severity),
            "inconclusive": summary.inconclusive,
            "suppressed": summary.suppressed,
            "below_threshold": summary.below_threshold,
        },
    }


def render(report: Report) -> str:
    import json

    return json.dumps(scan_json(report), indent=2) + "\n"
