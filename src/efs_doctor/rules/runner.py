"""The rule runner: the enabled rules over one analysis context, into a report.

Rules run in registry order; their results are de-duplicated, suppressions (annotations on
the Kubernetes objects) and the severity / confidence thresholds applied. A rule that raises
is a bug of ours: :class:`~efs_doctor.errors.InternalError` naming the rule, which the CLI
reports as exit 3 (contracts.md "Exit codes"); it never becomes a result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from efs_doctor.config import Config, RuleName, Suppression, matches, parse_suppressions
from efs_doctor.engine.analysis import Context
from efs_doctor.errors import InternalError, internal_step
from efs_doctor.findings import Finding, Inconclusive, Report, Suppressed
from efs_doctor.model.inventory import Inventory
from efs_doctor.rules.base import Rule, object_key


def run_rules(context: Context, rules: Iterable[Rule], config: Config) -> Report:
    """Run the enabled rules in registry order; apply suppressions and thresholds."""
    findings: list[Finding] = []
    inconclusive: dict[tuple[str, str, str], Inconclusive] = {}
    suppressed: list[Suppressed] = []
    notes: list[str] = []
    below = 0
    ran: list[str] = []
    suppressions: dict[str, list[Suppression]] = {}
    for key, values in _annotations_by_key(context.inventory).items():
        found, problems = parse_suppressions(values)
        if found:
            suppressions[key] = found
        notes.extend(f"{key}: {problem}" for problem in problems)
    seen: set[tuple[str, str, int | None, str]] = set()
    for rule in rules:
        if not config.enabled(rule):
            context.ignored_causes.update(rule.meta.all_causes)
            continue
        ran.append(rule.code)
        results = _results(rule, context)
        context.reported.extend(r for r in results if isinstance(r, Finding))
        for result in results:
            if isinstance(result, Inconclusive):
                inconclusive.setdefault((result.code, result.object, result.reason), result)
                continue
            identity = (
                result.code,
                str(result.location),
                result.location.line,
                result.message,
            )
            if identity in seen:
                continue
            seen.add(identity)
            match = _suppression(result, suppressions)
            if match is not None:
                suppressed.append(Suppressed(result, match[1], match[0]))
                continue
            if not config.reportable(result.severity, result.confidence):
                below += 1
                continue
            findings.append(result)
    order = {code: index for index, code in enumerate(ran)}
    findings.sort(key=lambda f: (f.severity.rank, order[f.code], f.sort_key))
    return Report(
        findings=tuple(findings),
        inconclusive=tuple(inconclusive.values()),
        suppressed=tuple(suppressed),
        files=tuple(context.inventory.files),
        objects=context.inventory.object_count,
        chains=len(context.chains),
        rules_run=tuple(ran),
        below_threshold=below,
        notes=tuple(notes),
    )


def _results(rule: Rule, context: Context) -> list[Finding | Inconclusive]:
    """What ``rule`` reports, all of it: a rule that raises, or yields anything but findings
    and inconclusives, is an internal error in that rule."""
    where = f"rule {rule.code} ({rule.slug})"
    with internal_step(where):
        results = list(rule.check(context))
    for result in results:
        if not isinstance(result, Finding | Inconclusive):
            raise InternalError(where, TypeError(f"check yielded a {type(result).__name__}"))
    return results


def _annotations_by_key(inventory: Inventory) -> dict[str, Mapping[str, str]]:
    objects: list[Any] = [
        *inventory.persistent_volumes.values(),
        *inventory.claims.values(),
        *inventory.storage_classes.values(),
        *inventory.workloads,
        *inventory.service_accounts.values(),
        *inventory.nodes.values(),
    ]
    return {object_key(o): o.meta.annotations for o in objects if o.meta.annotations}


def _suppression(
    finding: Finding, table: Mapping[str, list[Suppression]]
) -> tuple[str, str] | None:
    """(object key, reason) of the first suppression that names ``finding``'s rule on its
    object, a subject or a related object."""
    name = RuleName(finding.code, finding.slug)
    keys = [finding.location.object or "", *finding.subjects]
    keys.extend(r.location.object or "" for r in finding.related)
    for key in keys:
        for suppression in table.get(key, ()):
            if matches(suppression.selector, name):
                return key, suppression.reason
    return None
