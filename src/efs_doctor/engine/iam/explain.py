"""One-sentence explanations of decisions and of why a statement did not apply."""

from __future__ import annotations

from efs_doctor.engine.iam import evaluate as ev
from efs_doctor.engine.iam.principals import RequestPrincipal
from efs_doctor.engine.iam.trace import ConditionTrace, StatementTrace


def _value(trace: ConditionTrace) -> str:
    if trace.seen is None:
        return "absent"
    if isinstance(trace.seen, tuple):
        return "[" + ", ".join(trace.seen) + "]"
    return f'"{trace.seen}"'


def condition_sentence(trace: ConditionTrace) -> str:
    values = ", ".join(trace.values)
    return (
        f"{trace.operator} {trace.key} [{values}] with request value {_value(trace)}: {trace.note}"
    )


def why_not(trace: StatementTrace, who: RequestPrincipal, same_account: bool = True) -> str:
    """Why a statement whose Action matched did not grant (or deny) anything."""
    reasons: list[str] = []
    if not trace.resource:
        reasons.append("its Resource does not match the file system")
    if trace.principal == "not-matched":
        if who.anonymous:
            reasons.append('its Principal is not "*" and anonymous clients match only "*"')
        else:
            reasons.append(f"its Principal does not name {who.display}")
    elif (
        trace.principal == "account" and trace.effect == "Allow" and same_account and trace.applies
    ):
        reasons.append("its Principal names only the account, which delegates to identity policies")
    for condition in trace.failed_conditions:
        reasons.append(condition_sentence(condition))
    return "; ".join(reasons) if reasons else "it applies"


def summarize(result: ev.CoreDecision, reason: str, who: RequestPrincipal, resource: str) -> str:
    deciding = ", ".join(t.label for t in result.deciding)
    if reason == ev.EXPLICIT_DENY:
        return f"explicitly denied by {deciding}"
    if reason == "default-policy":
        return (
            "allowed by the EFS default policy (the file system has no policy): full access for "
            "any client that reaches a mount target"
        )
    if reason in (ev.ALLOWED_BY_RESOURCE, ev.ALLOWED_BY_IDENTITY):
        return f"allowed by {deciding}"
    if reason == ev.ALLOWED_CROSS_ACCOUNT:
        return f"allowed across accounts: both sides allow ({deciding})"
    if reason == ev.CROSS_ACCOUNT_NEEDS_BOTH:
        side = (
            "the file system policy allows but no identity policy of the principal's account does"
            if result.resource_allows
            else "an identity policy allows but the file system policy does not name the "
            "principal or its account"
        )
        return f"denied: a cross-account principal needs both policies to allow; {side}"
    candidates = [t for t in result.statements if t.effect == "Allow"]
    if not candidates:
        return f"implicitly denied: no Allow statement covers this action for {who.display}"
    details = "; ".join(f"{t.label}: {why_not(t, who, result.same_account)}" for t in candidates)
    return f"implicitly denied: no Allow statement applies ({details})"
