"""SARIF 2.1.0 for code scanning (GitHub and others): one rule descriptor per rule that ran,
results with their primary and related locations, inconclusive checks as notifications.

For GitHub code scanning (docs/where-it-runs.md, "SARIF"): file URIs are relative to the
source root (the repository's top level) with ``uriBaseId: %SRCROOT%``, which
``originalUriBaseIds`` resolves; rules carry ``precision``, ``problem.severity`` and, only
for security rules (``RuleMeta.security``), ``security-severity`` with the ``security`` tag.
No fingerprint of our own: GitHub ignores every key but ``primaryLocationLineHash``, which
upload-sarif computes from the file (github/codeql-action, src/fingerprints.ts). A finding
without a file (live mode, stdin) cannot be shown there, so it is left out of ``results``
and named in a warning notification instead. A rule's page is its ``help`` (text and
Markdown, as ``efs-doctor rule CODE`` prints it); there is no ``helpUri`` while the project
publishes no web pages.

Built from plain dictionaries; tests validate every document against the OASIS schema
(tests/data/sarif-schema-2.1.0.json; dependencies.md §6).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from efs_doctor import __version__
from efs_doctor.findings import Confidence, Finding, Location, Report, Severity
from efs_doctor.rules.base import Rule, doc_sections
from efs_doctor.rules.docs import public_doc, rule_markdown

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

SRCROOT = "%SRCROOT%"
NO_FILE = (None, "<stdin>")  # Location.path of a live object, and of stdin (sources/files.py)

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub's problem.severity for rules that are not security rules, and security-severity
# ("0.1"-"10.0"; 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, below 4 low) for those that are:
# https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
PROBLEM_SEVERITY = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "recommendation",
    Severity.INFO: "recommendation",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}


def _artifact(path: str, source_root: str) -> dict[str, Any]:
    """``path`` relative to the source root with its base id, or an absolute ``file:`` URI
    for a file outside it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, source_root)
    if relative != ".." and not relative.startswith(".." + os.sep):
        return {"uri": quote(relative.replace(os.sep, "/")), "uriBaseId": SRCROOT}
    return {"uri": "file://" + quote(absolute.replace(os.sep, "/"))}


def _root_uri(source_root: str) -> str:
    uri = "file://" + quote(source_root.replace(os.sep, "/"))
    return uri if uri.endswith("/") else uri + "/"


def _location(
    location: Location,
    *,
    index: int | None = None,
    note: str | None = None,
    source_root: str,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if index is not None:
        out["id"] = index
    if location.path not in NO_FILE:
        assert location.path is not None
        physical: dict[str, Any] = {"artifactLocation": _artifact(location.path, source_root)}
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
        "help": {"text": doc, "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.meta.severity]},
        "properties": _rule_properties(rule),
    }


def _rule_properties(rule: Rule) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "severity": rule.meta.severity.value,
        "confidence": rule.meta.confidence.value,
        "precision": PRECISION[rule.meta.confidence],
        "tags": [rule.area, "security"] if rule.meta.security else [rule.area],
    }
    if rule.meta.security:  # security-severity takes effect only with the security tag
        properties["security-severity"] = SECURITY_SEVERITY[rule.meta.severity]
    else:
        properties["problem.severity"] = PROBLEM_SEVERITY[rule.meta.severity]
    return properties


def _result(finding: Finding, rule_index: dict[str, int], source_root: str) -> dict[str, Any]:
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
        "locations": [_location(finding.location, source_root=source_root)],
        "properties": properties,
    }
    if finding.related:
        result["relatedLocations"] = [
            _location(r.location, index=i, note=r.note, source_root=source_root)
            for i, r in enumerate(finding.related, 1)
        ]
    return result


def _without_file(finding: Finding) -> dict[str, Any]:
    """The notification that stands for a finding code scanning could not show."""
    return {
        "level": "warning",
        "message": {
            "text": f"{finding.code} at {finding.location}: {finding.message} (no file to "
            "show it at in code scanning: left out of the results)"
        },
        "descriptor": {"id": finding.code},
    }


def sarif_log(
    report: Report, rules: tuple[Rule, ...], source_root: str | None = None
) -> dict[str, Any]:
    """The SARIF log of ``report``; ``source_root`` (a directory, normally the repository's
    top level; default: the working directory) is what file URIs are relative to."""
    source_root = os.path.abspath(source_root or os.curdir)
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
    with_file = [f for f in report.findings if f.location.path not in NO_FILE]
    notifications.extend(_without_file(f) for f in report.findings if f.location.path in NO_FILE)
    summary = report.summary
    log: dict[str, Any] = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "efs-doctor",
                        "version": __version__,
                        "rules": [_rule_descriptor(rule) for rule in ran],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": [_result(f, rule_index, source_root) for f in with_file],
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
    log["runs"][0]["originalUriBaseIds"] = {SRCROOT: {"uri": _root_uri(source_root)}}
    return log


def render(report: Report, rules: tuple[Rule, ...], source_root: str | None = None) -> str:
    import json

    return json.dumps(sarif_log(report, rules, source_root), indent=2) + "\n"
