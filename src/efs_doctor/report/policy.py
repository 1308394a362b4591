"""Plain views of engine results for the ``policy`` command: the JSON contract
(contracts.md, ``policy simulate --format json``, schema_version 1) and the text report."""

from __future__ import annotations

from collections.abc import Sequence

from efs_doctor.engine.iam.explain import condition_sentence
from efs_doctor.engine.iam.facts import CLIENT_MOUNT
from efs_doctor.engine.iam.lint import LintFinding
from efs_doctor.engine.iam.model import PolicyProblem
from efs_doctor.engine.iam.nfs import IDENTITY_UNKNOWN, AccessEvaluation, ActionDecision
from efs_doctor.engine.iam.trace import StatementTrace

SCHEMA_VERSION = 1
ACCESS_DENIED = "mount.nfs4: access denied by server while mounting 127.0.0.1:/"


def simulation_json(
    evaluation: AccessEvaluation, *, file_system: str, policy_source: str | None
) -> dict[str, object]:
    return {
        "schema_version": SCHEMA_VERSION,
        "principal": evaluation.principal,
        "principal_session": evaluation.principal_session,
        "file_system": file_system,
        "policy": {"source": policy_source, "kind": evaluation.policy_source},
        "context": dict(evaluation.context),
        "actions": {action: _decision_json(d) for action, d in evaluation.decisions.items()},
        "access": evaluation.access.to_json(),
        "unenforced_keys": list(evaluation.unenforced_keys),
        "notes": list(evaluation.notes),
    }


def _decision_json(decision: ActionDecision) -> dict[str, object]:
    return {
        "decision": decision.decision,
        "reason": decision.reason,
        "summary": decision.summary,
        "statements": [trace.to_json() for trace in decision.statements],
        "hypotheses": [h.to_json() for h in decision.hypotheses],
    }


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def outcome_sentence(evaluation: AccessEvaluation) -> str:
    access = evaluation.access
    if access.mount is False:
        return f"the mount fails: {ACCESS_DENIED} (exit 32)"
    if access.mount is None:
        if evaluation.decision(CLIENT_MOUNT).reason == IDENTITY_UNKNOWN:
            return (
                "cannot tell whether the mount succeeds: it depends on the identity policies of "
                f"{evaluation.principal}, which are not among the inputs (give them with "
                "--identity-policy FILE)"
            )
        return "cannot tell whether the mount succeeds (see the indeterminate decisions above)"
    mode = {True: "read-write", False: "read-only", None: "read-only or read-write"}[access.write]
    root = {True: "root keeps uid 0", False: "root is squashed", None: "root may be squashed"}[
        access.root
    ]
    return f"the mount succeeds, {mode}; {root}"


def _headline(decision: ActionDecision) -> str:
    # The statement lines below give the details the one-sentence summary would repeat.
    if decision.reason == "implicit-deny" and any(t.effect == "Allow" for t in decision.statements):
        return "implicitly denied: no Allow statement applies"
    return decision.summary


def _statement_lines(trace: StatementTrace) -> list[str]:
    principal = {
        "matched": f'principal matched ("{trace.principal_entry}")'
        if trace.principal_entry
        else "principal matched",
        "account": f'principal matched its account only ("{trace.principal_entry}")',
        "not-matched": "principal not matched",
        "not-applicable": "identity policy",
    }[trace.principal]
    head = (
        f"    {trace.label} ({trace.effect}): {'applies' if trace.applies else 'does not apply'}; "
        f"{principal}; resource {'matched' if trace.resource else 'not matched'}"
    )
    lines = [head]
    for condition in trace.conditions:
        mark = "ok  " if condition.matched else "FAIL"
        lines.append(f"      {mark} {condition_sentence(condition)}")
    return lines


def simulation_text(
    evaluation: AccessEvaluation, *, file_system: str, policy_source: str | None
) -> str:
    source = {
        "file-system-policy": f"{policy_source} (file system policy)",
        "default-policy": "none: the EFS default policy applies",
        "unknown": "unknown",
    }[evaluation.policy_source]
    context = ", ".join(f"{k}={v}" for k, v in evaluation.context.items())
    lines = [
        f"policy:      {source}",
        f"principal:   {evaluation.principal}",
    ]
    if evaluation.principal_session:
        lines.append(f"session:     {evaluation.principal_session}")
    lines += [f"file system: {file_system}", f"context:     {context}", ""]
    shown: dict[tuple[StatementTrace, ...], str] = {}
    for action, decision in evaluation.decisions.items():
        name = action.split(":", 1)[-1]
        lines.append(f"{name:<18} {decision.decision:<14} {decision.reason}")
        lines.append(f"    {_headline(decision)}")
        if decision.statements in shown:
            lines.append(f"    (the same statements as for {shown[decision.statements]})")
            continue
        if decision.statements:
            shown[decision.statements] = name
        for trace in decision.statements:
            lines.extend(_statement_lines(trace))
    lines.append("")
    for note in evaluation.notes:
        lines.append(f"note: {note}")
    access = evaluation.access
    lines.append(
        f"access: mount={_yes_no(access.mount)}, write={_yes_no(access.write)}, "
        f"root={_yes_no(access.root)}"
    )
    lines.append(f"result: {outcome_sentence(evaluation)}")
    return "\n".join(lines) + "\n"


def finding_line(finding: LintFinding, source: str) -> str:
    where = source
    if finding.line is not None:
        where += f":{finding.line}:{finding.column or 1}"
    text = f"{where}: {finding.severity}: {finding.message} [{finding.code}]"
    if finding.fix:
        text += f"\n    fix: {finding.fix}"
    return text


def problem_line(problem: PolicyProblem, source: str) -> str:
    return problem.format(source)


def check_json(
    results: Sequence[tuple[str, Sequence[LintFinding], Sequence[PolicyProblem], str | None]],
) -> dict[str, object]:
    files = []
    total = 0
    for source, findings, errors, note in results:
        counted = [f for f in findings if f.severity != "info"]
        total += len(counted)
        files.append(
            {
                "path": source,
                "note": note,
                "errors": [
                    {
                        "message": p.message,
                        "location": {
                            "path": source,
                            "line": p.line,
                            "column": p.column,
                            "json_path": p.json_path,
                        },
                    }
                    for p in errors
                ],
                "findings": [f.to_json(source) for f in findings],
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "files": files,
        "summary": {"files": len(files), "findings": total},
    }
