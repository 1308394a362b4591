"""SARIF 2.1.0 for code scanning (GitHub and others): one rule descriptor per rule that ran,
results with their primary and related locations, inconclusive checks as notifications.

Built from plain dictionaries; tests validate every document against the OASIS schema
(tests/data/sarif-schema-2.1.0.json; dependencies.md §6).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from efs_doctor import __version__
from efs_doctor.findings import Finding, Location, Report, Severity, docs_url
from efs_doctor.rules.base import Rule, doc_sections
from efs_doctor.rules.docs import public_doc, rule_markdown

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/efs-doctor/efs-doctor"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def _uri(path: str) -> str:
    if path.startswith("/"):
        return "file://" + quote(path)
    return quote(path.replace("\\", "/"))


def _location(
    location: Location, *, index: int | None = None, note: str | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if index is not None:
        out["id"] = index
    if location.path:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(location.path)}}
        if location.line:
            region: dict[str, Any] = {"startLine": location.line}
            if location.column:
                region["startColumn"] = location.column
            physical["region"] = region
        out["physicalLocation"] = physical
    if location.object:
        out["logicalLocations"] = [{"fullyQualifiedName": location.object, "kind": "resource"}]
    if note is not None:
        out["message"] = {"text": note}
    return out


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    doc = public_doc(rule.doc)
    sections = doc_sections(doc)
    return {
        "id": rule.code,
        "name": rule.slug,
        "shortDescription": {"text": rule.meta.summary},
        "fullDescription": {"text": sections.get("", rule.meta.summary) or rule.meta.summary},
        "helpUri": docs_url(rule.code),
        "help": {"text": doc, "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.meta.severity]},
        "properties": {
            "severity": rule.meta.severity.value,
            "confidence": rule.meta.confidence.value,
            "tags": [rule.area, rule.meta.severity.value],
        },
    }


def _fingerprint(finding: Finding) -> str:
    text = f"{finding.code}\0{finding.location.object}\0{finding.location.path}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    message = finding.message
    if finding.expected_error:
        message += f"\nExpected error: {finding.expected_error}"
    properties: dict[str, Any] = {
        "slug": finding.slug,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
    }
    if finding.expected_error:
        properties["expectedError"] = finding.expected_error
    if finding.cause:
        properties["cause"] = finding.cause
    if finding.chain:
        properties["chain"] = finding.chain
    if finding.context:
        properties["context"] = finding.context
    if finding.fix is not None:
        properties["fix"] = {
            "title": finding.fix.title,
            "safety": finding.fix.safety.value,
            "patch": finding.fix.patch,
        }
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index[finding.code],
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [_location(finding.location)],
        "partialFingerprints": {"efsDoctorFinding/v1": _fingerprint(finding)},
        "properties": properties,
    }
    if finding.related:
        result["relatedLocations"] = [
            _location(r.location, index=i, note=r.note) for i, r in enumerate(finding.related, 1)
        ]
    return result


def sarif_log(report: Report, rules: tuple[Rule, ...]) -> dict[str, Any]:
    ran = [r for r in rules if r.code in set(report.rules_run)]
    codes = {f.code for f in report.findings}
    ran.extend(r for r in rules if r.code in codes and r not in ran)
    rule_index = {rule.code: index for index, rule in enumerate(ran)}
    notifications = [
        {
            "level": "note",
            "message": {"text": f"{item.code} inconclusive for {item.object}: {item.reason}"},
            "descriptor": {"id": item.code},
            "associatedRule": {"id": item.code, "index": rule_index[item.code]}
            if item.code in rule_index
            else {"id": item.code},
        }
        for item in report.inconclusive
    ]
    summary = report.summary
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "efs-doctor",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(rule) for rule in ran],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": [_result(f, rule_index) for f in report.findings],
                "properties": {
                    "summary": {
                        "files": summary.files,
                        "objects": summary.objects,
                        "chains": summary.chains,
                        "findings": summary.findings,
                        "inconclusive": summary.inconclusive,
                        "suppressed": summary.suppressed,
                        "belowThreshold": summary.below_threshold,
                    }
                },
            }
        ],
    }


def render(report: Report, rules: tuple[Rule, ...]) -> str:
    import json

    return json.dumps(sarif_log(report, rules), indent=2) + "\n"
