"""Decisions when part of the request is unknown: allow, deny or unknown, from the engine's own
evaluation (:func:`efs_doctor.engine.iam.evaluate.authorize`).

A caller knows some request values (a web identity token's ``sub``, the tags the CSI driver
sends) and not others (a key no documentation gives a value for, a resource whose ID does not
exist yet). The engine runs once with the unknown keys taken as satisfied, so every statement
whose known elements match shows up as applying; a statement that applies only through one of
those keys, or through a Resource the unknown ARN may or may not match, *may* apply. Then, in
IAM's order (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
a Deny that surely applies denies; an Allow that surely applies, with no Deny that may apply,
allows; when no Allow even may apply the request is implicitly denied; anything else is
unknown. Unknown is never read as allowed or denied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from efs_doctor.engine.iam import conditions as c
from efs_doctor.engine.iam import evaluate as ev
from efs_doctor.engine.iam.compiled import CompiledPolicy
from efs_doctor.engine.iam.context_value import ContextValue
from efs_doctor.engine.iam.explain import condition_sentence
from efs_doctor.engine.iam.principals import RequestPrincipal
from efs_doctor.engine.iam.trace import StatementTrace

Verdict = Literal["allow", "deny", "unknown"]
Applies = Literal["yes", "no", "maybe"]

ALLOWED = "allowed"
MAY_BE_DENIED = "deny-may-apply"
MAY_BE_ALLOWED = "allow-may-apply"


@dataclass(frozen=True, slots=True)
class PartialRequest:
    """One request with what is known of it.

    ``context``: the known values (lower-cased keys). A key the policies read that is neither
    in ``context`` nor ``absent(key)`` is unknown. ``resource=None``: the resource ARN is not
    known, so only ``"*"`` (or no Resource element) surely matches it.
    """

    action: str
    principal: RequestPrincipal
    context: Mapping[str, ContextValue]
    resource: str | None
    absent: Callable[[str], bool] = lambda _key: False


@dataclass(frozen=True, slots=True)
class PartialDecision:
    verdict: Verdict
    reason: str  # one of the constants above
    statements: tuple[StatementTrace, ...]  # every statement whose Action matched
    deciding: tuple[StatementTrace, ...]  # the statements behind the verdict
    maybe: tuple[StatementTrace, ...]  # statements that may apply
    unknown_keys: tuple[str, ...]  # keys the policies read whose value is not known


_UNKNOWN_RESOURCE = "arn:aws:iam::000000000000:unknown/resource-not-known"


def unknown_keys(request: PartialRequest, policies: Sequence[CompiledPolicy]) -> frozenset[str]:
    read = frozenset().union(*(p.referenced_keys for p in policies))
    return frozenset(k for k in read if k not in request.context and not request.absent(k))


def _surely_any_resource(policy: CompiledPolicy, number: int) -> bool:
    found = policy.statement_at(number)
    if found is None:
        return False
    statement = found.statement
    return statement.resource_missing or (not statement.not_resource and "*" in statement.resources)


def _applies(trace: StatementTrace, policy: CompiledPolicy, resource_known: bool) -> Applies:
    uncertain_resource = not resource_known and not _surely_any_resource(policy, trace.number)
    if not trace.applies:
        # Conditions are only evaluated when the resource matched; with an unknown
        # resource a statement that did not match it may still apply.
        return "maybe" if uncertain_resource and not trace.failed_conditions else "no"
    if uncertain_resource or any(t.code == c.IGNORED for t in trace.conditions):
        return "maybe"
    return "yes"


def decide(request: PartialRequest, policies: Sequence[CompiledPolicy]) -> PartialDecision:
    """The request decided by ``policies`` alone (statements need no Principal match here:
    the caller passes only policies, or statements, that apply to the requester)."""
    ignored = unknown_keys(request, policies)
    resource = request.resource or _UNKNOWN_RESOURCE
    sure_deny: list[StatementTrace] = []
    maybe_deny: list[StatementTrace] = []
    sure_allow: list[StatementTrace] = []
    maybe_allow: list[StatementTrace] = []
    traces: list[StatementTrace] = []
    for policy in policies:
        result = ev.authorize(
            ev.Request(
                request.action,
                resource,
                request.principal,
                request.context,
                None,
                ignored_keys=ignored,
            ),
            None,
            (policy,),
        )
        for trace in result.statements:
            traces.append(trace)
            applies = _applies(trace, policy, request.resource is not None)
            if applies == "no":
                continue
            deny = trace.effect == "Deny"
            if applies == "yes":
                (sure_deny if deny else sure_allow).append(trace)
            else:
                (maybe_deny if deny else maybe_allow).append(trace)
    maybe = tuple(maybe_deny + maybe_allow)
    keys = tuple(sorted(ignored))

    def out(verdict: Verdict, reason: str, deciding: list[StatementTrace]) -> PartialDecision:
        return PartialDecision(verdict, reason, tuple(traces), tuple(deciding), maybe, keys)

    if sure_deny:
        return out("deny", ev.EXPLICIT_DENY, sure_deny)
    if maybe_deny:
        return out("unknown", MAY_BE_DENIED, maybe_deny)
    if sure_allow:
        return out("allow", ALLOWED, sure_allow)
    if maybe_allow:
        return out("unknown", MAY_BE_ALLOWED, maybe_allow)
    return out("deny", ev.IMPLICIT_DENY, [])


def why_not_sentence(trace: StatementTrace) -> str:
    """Why a statement whose Action matched did not apply, from its trace."""
    reasons = [condition_sentence(t) for t in trace.failed_conditions]
    if not trace.resource:
        reasons.insert(0, "its Resource does not match")
    return "; ".join(reasons) if reasons else "it applies"


def uncertain_sentence(trace: StatementTrace, resource_known: bool) -> str:
    """What a statement that may apply depends on."""
    keys = [t.key for t in trace.conditions if t.code == c.IGNORED]
    parts = []
    if keys:
        parts.append("the request value of " + ", ".join(keys) + " is not known")
    if not resource_known:
        parts.append("the resource ARN is not known")
    return " and ".join(parts) or "it may apply"
