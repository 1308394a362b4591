"""What must hold of a scan report and of simulated outcomes, whatever the input.

"No exception" says little: a rule that silently stopped running, a finding pointing at a
file that was never read, a failed mount without a cause, a JSON summary that miscounts are
all wrong answers. The fuzz targets and the Hypothesis properties check these after every
input; each broken property raises :class:`PropertyViolation` naming it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from efs_doctor.engine.mount import MountOutcome
from efs_doctor.engine.mount.model import STEP_LAYERS
from efs_doctor.findings import Report
from efs_doctor.model.chain import MountChain


class PropertyViolation(AssertionError):
    """A target ran without crashing but broke one of the stated properties."""


@cache
def _cause_ids() -> frozenset[str]:
    from efs_doctor.engine.explain import load_catalogue

    return frozenset(load_catalogue().causes)


def _rules() -> dict[str, str]:
    from efs_doctor.rules import REGISTRY

    return {rule.code: rule.slug for rule in REGISTRY}


def check_report(report: Report, chains: Sequence[MountChain], files: Iterable[str]) -> None:
    """Every rule ran; every finding names a registered rule, an object, a file that was
    read and a known cause; the JSON and SARIF renderings count the same findings and
    inconclusives as the report."""
    rules = _rules()
    if report.rules_run != tuple(rules):
        raise PropertyViolation(f"rules that did not run: {set(rules) - set(report.rules_run)}")
    read = set(files)
    for finding in report.findings:
        where = f"{finding.code} at {finding.location}"
        if rules.get(finding.code) != finding.slug:
            raise PropertyViolation(f"{where}: slug {finding.slug!r} is not its rule's")
        if not finding.message.strip() or not finding.location.object:
            raise PropertyViolation(f"{where}: no message or no object")
        if finding.location.path is not None and finding.location.path not in read:
            raise PropertyViolation(f"{where}: points at a file that was not read")
        if finding.cause is not None and finding.cause not in _cause_ids():
            raise PropertyViolation(f"{where}: cause {finding.cause!r} is not in causes.md")
    for item in report.inconclusive:
        if item.code not in rules or not item.reason.strip():
            raise PropertyViolation(f"inconclusive without a rule or a reason: {item}")
    _check_renderings(report)


def _check_renderings(report: Report) -> None:
    from efs_doctor.report import json as json_report
    from efs_doctor.report import sarif
    from efs_doctor.rules import REGISTRY

    document: dict[str, Any] = json.loads(json_report.render(report))
    summary = document["summary"]
    counts = (len(document["findings"]), summary["findings"], sum(summary["by_severity"].values()))
    if document["schema_version"] != 1 or set(counts) != {len(report.findings)}:
        raise PropertyViolation(f"JSON counts {counts} for {len(report.findings)} findings")
    if {summary["inconclusive"], len(document["inconclusive"])} != {len(report.inconclusive)}:
        raise PropertyViolation("JSON miscounts the inconclusives")
    results = json.loads(sarif.render(report, REGISTRY))["runs"][0]["results"]
    if len(results) != len(report.findings):
        raise PropertyViolation(f"SARIF has {len(results)} results for {len(report.findings)}")


def check_outcomes(chains: Sequence[MountChain], outcomes: Sequence[MountOutcome]) -> None:
    """Every chain is answered; a failed mount names its layer, a known cause, the error (or
    why it cannot be told) and the failed step, after which nothing runs; a mount that
    succeeds has no cause, no failed step and its access; an undecided one says why
    (contracts.md "simulate")."""
    if chains and not outcomes:
        raise PropertyViolation(f"{len(chains)} chain(s), no outcome")
    layers = set(STEP_LAYERS.values())
    for outcome in outcomes:
        where = f"{outcome.pv or outcome.pvc} on {outcome.node_or_zone}: {outcome.outcome}"
        failed = [i for i, step in enumerate(outcome.steps) if step.status == "failed"]
        if outcome.outcome == "failed":
            if outcome.layer not in layers or outcome.cause not in _cause_ids():
                raise PropertyViolation(f"{where}: layer {outcome.layer}, cause {outcome.cause}")
            if not (outcome.error or outcome.reason.strip()) or not failed:
                # no error text when the exact message cannot be told, but then the reason
                raise PropertyViolation(
                    f"{where}: neither error text nor reason, or no failed step"
                )
            if any(step.status != "skipped" for step in outcome.steps[failed[0] + 1 :]):
                raise PropertyViolation(f"{where}: steps ran after the failed one")
        elif outcome.outcome == "mounted":
            if outcome.cause is not None or failed or outcome.access is None:
                raise PropertyViolation(f"{where}: cause {outcome.cause}, failed steps {failed}")
        elif outcome.outcome == "indeterminate":
            if not outcome.reason.strip() or failed:
                raise PropertyViolation(f"{where}: no reason, or a failed step")
        else:
            raise PropertyViolation(f"{where}: not an outcome")
