"""Generic IAM evaluation of one request against a resource policy and identity policies.

Order (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html;
efs-semantics.md §4.4):
1. an applicable Deny in any policy denies (an account principal in a Deny covers the account);
2. anonymous: only a resource-policy Allow naming ``"*"`` allows; identity policies do not apply;
3. same account: a resource-policy Allow naming the principal, or an identity-policy Allow;
   an Allow naming only the account delegates to the identity policy;
4. other account: both a resource-policy Allow (principal or its account) and an
   identity-policy Allow;
5. otherwise implicit deny.
Pure and deterministic; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from efs_doctor.engine.iam import values as v
from efs_doctor.engine.iam.compiled import CompiledPolicy, CompiledStatement
from efs_doctor.engine.iam.context_value import ContextValue
from efs_doctor.engine.iam.principals import MatchKind, RequestPrincipal
from efs_doctor.engine.iam.trace import ConditionTrace, PrincipalResult, StatementTrace

Decision = Literal["allow", "deny"]

EXPLICIT_DENY = "explicit-deny"
ALLOWED_BY_RESOURCE = "allowed-by-resource-policy"
ALLOWED_BY_IDENTITY = "allowed-by-identity-policy"
ALLOWED_CROSS_ACCOUNT = "allowed-cross-account"
IMPLICIT_DENY = "implicit-deny"
CROSS_ACCOUNT_NEEDS_BOTH = "cross-account-needs-both"


@dataclass(frozen=True, slots=True)
class Request:
    action: str
    resource: str
    principal: RequestPrincipal
    context: Mapping[str, ContextValue]  # lower-cased keys
    resource_account: str | None
    ignored_keys: frozenset[str] = frozenset()  # condition keys taken as satisfied


@dataclass(frozen=True, slots=True)
class CoreDecision:
    decision: Decision
    reason: str
    statements: tuple[StatementTrace, ...]
    same_account: bool
    resource_allows: bool = False
    identity_allows: bool = False
    deciding: tuple[StatementTrace, ...] = field(default=())


@dataclass(slots=True)
class _Tally:
    traces: list[StatementTrace] = field(default_factory=list)
    denies: list[StatementTrace] = field(default_factory=list)
    direct_allows: list[StatementTrace] = field(default_factory=list)
    account_allows: list[StatementTrace] = field(default_factory=list)


_PRINCIPAL_RESULT: dict[MatchKind | None, PrincipalResult] = {
    "direct": "matched",
    "account": "account",
    None: "not-matched",
}


def _statement_trace(
    compiled: CompiledStatement,
    label: str,
    request: Request,
    resource_parts: tuple[str, ...] | None,
    principal: tuple[MatchKind | None, str | None] | None,
) -> StatementTrace:
    """The trace of a statement whose Action matches (positional construction: hot path)."""
    statement = compiled.statement
    resource_ok = compiled.resource_matches(request.resource, resource_parts, request.context)
    if principal is None:
        principal_result: PrincipalResult = "not-applicable"
        entry = None
        principal_ok = True
    else:
        kind, entry = principal
        principal_result = _PRINCIPAL_RESULT[kind]
        principal_ok = kind is not None
    condition_traces: tuple[ConditionTrace, ...] = ()
    all_hold = True
    # Conditions are only evaluated (and reported) when principal and resource match, as IAM does.
    if resource_ok and principal_ok and compiled.conditions:
        traces = []
        for condition in compiled.conditions:
            matched, code, seen = condition.evaluate(request.context, request.ignored_keys)
            all_hold = all_hold and matched
            written = condition.condition
            traces.append(
                ConditionTrace(
                    written.operator, written.key, written.values, seen, matched, code, written.path
                )
            )
        condition_traces = tuple(traces)
    return StatementTrace(
        label,
        statement.index,
        statement.sid,
        statement.effect,
        principal_result,
        entry,
        True,
        resource_ok,
        condition_traces,
        resource_ok and all_hold and principal_ok,
        statement.path,
    )


def _scan(
    policy: CompiledPolicy,
    request: Request,
    resource_parts: tuple[str, ...] | None,
    tally: _Tally,
    *,
    resource_policy: bool,
) -> None:
    for compiled in policy.statements_for(request.action):
        principal = compiled.principal_match(request.principal) if resource_policy else None
        trace = _statement_trace(compiled, policy.label, request, resource_parts, principal)
        tally.traces.append(trace)
        if not trace.applies:
            continue
        if trace.effect == "Deny":
            tally.denies.append(trace)
        elif trace.principal == "account":
            tally.account_allows.append(trace)
        else:
            tally.direct_allows.append(trace)


def authorize(
    request: Request,
    resource_policy: CompiledPolicy | None,
    identity_policies: Sequence[CompiledPolicy] = (),
) -> CoreDecision:
    who = request.principal
    resource_parts = v.split_arn(request.resource)
    same_account = not who.anonymous and (
        request.resource_account is None or who.account == request.resource_account
    )
    resource_tally = _Tally()
    if resource_policy is not None:
        _scan(resource_policy, request, resource_parts, resource_tally, resource_policy=True)
    identity_tally = _Tally()
    if not who.anonymous:
        for policy in identity_policies:
            _scan(policy, request, resource_parts, identity_tally, resource_policy=False)
    traces = tuple(resource_tally.traces + identity_tally.traces)
    denies = resource_tally.denies + identity_tally.denies
    resource_allows = bool(resource_tally.direct_allows)
    identity_allows = bool(identity_tally.direct_allows)

    def decide(decision: Decision, reason: str, deciding: list[StatementTrace]) -> CoreDecision:
        return CoreDecision(
            decision,
            reason,
            traces,
            same_account,
            resource_allows or bool(resource_tally.account_allows),
            identity_allows,
            tuple(deciding),
        )

    if denies:
        return decide("deny", EXPLICIT_DENY, denies)
    if who.anonymous:
        if resource_allows:
            return decide("allow", ALLOWED_BY_RESOURCE, resource_tally.direct_allows)
        return decide("deny", IMPLICIT_DENY, [])
    if same_account:
        if resource_allows:
            return decide("allow", ALLOWED_BY_RESOURCE, resource_tally.direct_allows)
        if identity_allows:
            return decide("allow", ALLOWED_BY_IDENTITY, identity_tally.direct_allows)
        return decide("deny", IMPLICIT_DENY, [])
    resource_side = resource_tally.direct_allows + resource_tally.account_allows
    if resource_side and identity_allows:
        return decide("allow", ALLOWED_CROSS_ACCOUNT, resource_side + identity_tally.direct_allows)
    if resource_side or identity_allows:
        return decide(
            "deny", CROSS_ACCOUNT_NEEDS_BOTH, resource_side + identity_tally.direct_allows
        )
    return decide("deny", IMPLICIT_DENY, [])
