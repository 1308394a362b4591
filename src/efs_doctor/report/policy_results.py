"""What goes in a policy report: scan findings and inconclusive checks, and diagnose's
simulated mounts, as report results (contracts.md "Policy reports").

A finding is one result: ``policy`` its rule code, ``rule`` the slug, ``fail`` (``warn`` for
low and info severity), the rule's area as ``category``, the object at fault as the resource
(else the Kubernetes objects of the chain it affects), and its cause, expected error, fix and
location as string properties. A check that could not decide is ``skip`` with its reason; a
live read that failed is ``error``.
"""

from __future__ import annotations

from collections.abc import Sequence

from efs_doctor.api.diagnose import Diagnosis
from efs_doctor.engine.mount.model import MountOutcome
from efs_doctor.findings import Finding, Inconclusive, Report, Severity, docs_command
from efs_doctor.model.kubernetes import WORKLOAD_KINDS
from efs_doctor.report.policy_reports import ObjectRef, Result, ResultValue, object_ref
from efs_doctor.rules.base import Rule
from efs_doctor.sources.live_records import Inconclusive as LiveInconclusive

LIVE_CODE = "live"  # scan's code for a live read that failed (commands.live_args)
MOUNT_POLICY = "efs-mount"  # diagnose: the pod's simulated EFS mount
WARN_SEVERITIES = (Severity.LOW, Severity.INFO)


def _rule_of(code: str, rules: Sequence[Rule]) -> Rule | None:
    return next((rule for rule in rules if rule.code == code), None)


def _resources(primary: str | None, others: Sequence[str] = ()) -> tuple[ObjectRef, ...]:
    """The object at fault when it is a Kubernetes object, else the Kubernetes objects among
    ``others`` (a finding about a security group lists the workloads it stops)."""
    first = object_ref(primary)
    if first is not None:
        return (first,)
    refs = (object_ref(key) for key in others)
    return tuple(dict.fromkeys(ref for ref in refs if ref is not None))


def finding_properties(finding: Finding) -> dict[str, str]:
    """The string properties of a finding's result; the one place they are chosen."""
    properties = {"location": str(finding.location), "confidence": finding.confidence.value}
    if finding.location.object and object_ref(finding.location.object) is None:
        properties["object"] = finding.location.object  # an AWS object: no resource reference
    if finding.cause:
        properties["cause"] = finding.cause
    if finding.expected_error:
        properties["expected_error"] = finding.expected_error
    if finding.fix is not None:
        properties["fix"] = finding.fix.title
    if finding.chain:
        properties["chain"] = finding.chain
    if finding.context:
        properties["context"] = finding.context  # contracts.md "Contexts"
    properties["docs"] = finding.docs
    return properties


def finding_result(finding: Finding, rule: Rule | None) -> Result:
    return Result(
        policy=finding.code,
        rule=finding.slug,
        result="warn" if finding.severity in WARN_SEVERITIES else "fail",
        message=finding.message,
        category=rule.area if rule is not None else "",
        severity=finding.severity.value,
        resources=_resources(finding.location.object, finding.subjects),
        properties=finding_properties(finding),
    )


def inconclusive_result(item: Inconclusive, rule: Rule | None) -> Result:
    properties = {"object": item.object}
    if item.context:
        properties["context"] = item.context
    if rule is None:
        # Not a rule's: something live mode could not read (or a check of another kind).
        return Result(
            policy=item.code,
            rule=item.code,
            result="error" if item.code == LIVE_CODE else "skip",
            message=f"{item.object}: {item.reason}",
            category=item.code,
            resources=_resources(item.object),
            properties=properties,
        )
    return Result(
        policy=rule.code,
        rule=rule.slug,
        result="skip",
        message=f"could not check {item.object}: {item.reason}",
        category=rule.area,
        severity=rule.meta.severity.value,
        resources=_resources(item.object),
        properties={**properties, "docs": docs_command(rule.code)},
    )


def scan_results(report: Report, rules: Sequence[Rule]) -> list[Result]:
    """One result per finding and per inconclusive check (suppressed findings stay out: their
    annotation says why, and the summary of the other formats counts them)."""
    results = [finding_result(f, _rule_of(f.code, rules)) for f in report.findings]
    results.extend(inconclusive_result(i, _rule_of(i.code, rules)) for i in report.inconclusive)
    return results


# ---- diagnose ---------------------------------------------------------------------------------


def _workload_ref(pod: str | None) -> ObjectRef | None:
    """contracts.md: a pod is ``namespace/name``; a workload template ``namespace/kind/name``
    in lower case."""
    if not pod:
        return None
    parts = pod.split("/")
    if len(parts) == 2:
        return object_ref(f"Pod/{pod}")
    if len(parts) == 3:
        kind = next((k for k in WORKLOAD_KINDS if k.lower() == parts[1]), None)
        return object_ref(f"{kind}/{parts[0]}/{parts[2]}") if kind else None
    return None


def _outcome_resources(outcome: MountOutcome) -> tuple[ObjectRef, ...]:
    refs = [
        _workload_ref(outcome.pod),
        object_ref(f"PersistentVolumeClaim/{outcome.pvc}") if outcome.pvc else None,
        object_ref(f"PersistentVolume/{outcome.pv}") if outcome.pv else None,
    ]
    return tuple(ref for ref in refs if ref is not None)


def outcome_result(outcome: MountOutcome, diagnosis: Diagnosis) -> Result:
    verdicts: dict[str, ResultValue] = {
        "mounted": "pass",
        "failed": "fail",
        "indeterminate": "skip",
    }
    result = verdicts[outcome.outcome]
    properties = {"outcome": outcome.outcome, "node_or_zone": outcome.node_or_zone}
    if outcome.cause:
        properties["cause"] = outcome.cause
        cause = next((c for c in diagnosis.causes if c.id == outcome.cause), None)
        if cause is not None:
            properties["cause_status"] = cause.status
            if cause.fix:
                properties["fix"] = cause.fix
    if outcome.error:
        properties["expected_error"] = outcome.error.strip().splitlines()[-1].strip()
    if outcome.principal:
        properties["principal"] = outcome.principal
    if outcome.file_system_id:
        properties["file_system"] = outcome.file_system_id
    return Result(
        policy=MOUNT_POLICY,
        rule=outcome.cause or "mounts",
        result=result,
        message=outcome.reason,
        category=outcome.layer or "mount",
        severity="critical" if outcome.outcome == "failed" else None,
        resources=_outcome_resources(outcome),
        properties=properties,
    )


def diagnose_results(
    diagnosis: Diagnosis, inconclusive: Sequence[LiveInconclusive]
) -> list[Result]:
    """One result per simulated mount (``pass``, ``fail``, or ``skip`` when it cannot be
    decided) and an ``error`` per live read that failed."""
    results = [outcome_result(o, diagnosis) for o in diagnosis.outcomes]
    for item in inconclusive:
        properties = {"what": item.what}
        if item.missing_permission:
            properties["missing_permission"] = item.missing_permission
        results.append(
            Result(
                policy=LIVE_CODE,
                rule=LIVE_CODE,
                result="error",
                message=str(item),
                category=LIVE_CODE,
                properties=properties,
            )
        )
    return results
