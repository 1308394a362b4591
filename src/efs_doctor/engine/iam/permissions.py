"""What a role's own policies let it call: one AWS API action decided by the IAM engine from
the role's identity-based policies and its permissions boundary.

Same-account rules (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
an explicit Deny in any of them denies; otherwise an identity policy must allow and, when the
role has a permissions boundary, the boundary must allow too (the effective permissions are
the intersection, https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
SCPs, session policies and resource policies are not among the inputs and not considered.

What is not known stays unknown: a policy that is not among the inputs could grant the
action (it is never taken to deny), a boundary that is not among the inputs could withhold
it, and request values the caller cannot give are handled by :mod:`.partial`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from efs_doctor.engine.iam import partial
from efs_doctor.engine.iam.context_value import ContextValue
from efs_doctor.engine.iam.evaluate import EXPLICIT_DENY
from efs_doctor.engine.iam.parsed import ParsedPolicy, parse_policy
from efs_doctor.engine.iam.principals import principal_from_arn
from efs_doctor.engine.iam.trace import StatementTrace


@dataclass(frozen=True, slots=True)
class RolePolicies:
    """A role's identity-based policies as far as the inputs hold them.

    ``missing``: attached policies whose text is not among the inputs (names or ARNs);
    ``boundary_missing``: the ARN of a permissions boundary whose text is not."""

    identity: tuple[ParsedPolicy, ...]
    boundary: ParsedPolicy | None = None
    missing: tuple[str, ...] = ()
    boundary_missing: str | None = None


def parse_role_policies(
    documents: Sequence[tuple[str, object]],
    *,
    missing: Sequence[str] = (),
    boundary: tuple[str, object | None] | None = None,
) -> RolePolicies:
    """``documents``: (label, decoded document) of each identity policy whose text is known;
    ``boundary``: (ARN, document or None when not among the inputs)."""
    identity = tuple(
        parse_policy(document, kind="identity", label=label) for label, document in documents
    )
    if boundary is None:
        return RolePolicies(identity, None, tuple(missing))
    arn, document = boundary
    if document is None:
        return RolePolicies(identity, None, tuple(missing), arn)
    parsed = parse_policy(document, kind="identity", label=f"permissions boundary {arn}")
    return RolePolicies(identity, parsed, tuple(missing))


@dataclass(frozen=True, slots=True)
class Permission:
    action: str
    verdict: partial.Verdict
    summary: str  # one sentence for messages
    statements: tuple[StatementTrace, ...] = ()
    deciding: tuple[StatementTrace, ...] = ()
    unknown_keys: tuple[str, ...] = ()


def _labels(traces: Sequence[StatementTrace]) -> str:
    return ", ".join(t.label for t in traces)


def _maybe(decision: partial.PartialDecision, resource_known: bool) -> str:
    return "; ".join(
        f"{t.label} ({t.effect}) may apply: {partial.uncertain_sentence(t, resource_known)}"
        for t in decision.maybe
    )


def _implicit(decision: partial.PartialDecision) -> str:
    allows = [t for t in decision.statements if t.effect == "Allow"]
    if not allows:
        return "no statement allows it"
    details = "; ".join(f"{t.label}: {partial.why_not_sentence(t)}" for t in allows)
    return f"no statement allows it ({details})"


def permission(
    policies: RolePolicies,
    role_arn: str,
    action: str,
    *,
    resource: str | None,
    context: Mapping[str, ContextValue] | None = None,
    absent: Callable[[str], bool] = lambda _key: False,
) -> Permission:
    """Whether ``role_arn``'s own policies allow ``action`` on ``resource`` (None: its ARN is
    not known) with the ``context`` values the caller knows (lower-cased keys)."""
    try:
        who = principal_from_arn(role_arn)
    except ValueError as error:
        return Permission(action, "unknown", f"the principal cannot be evaluated: {error}")
    request = partial.PartialRequest(action, who, context or {}, resource, absent)
    known = resource is not None
    identity = partial.decide(request, [p.compiled for p in policies.identity])
    traces = identity.statements
    keys = identity.unknown_keys

    def out(
        verdict: partial.Verdict, summary: str, deciding: Sequence[StatementTrace] = ()
    ) -> Permission:
        return Permission(action, verdict, summary, traces, tuple(deciding), keys)

    if identity.reason == EXPLICIT_DENY:
        return out("deny", f"explicitly denied by {_labels(identity.deciding)}", identity.deciding)
    if policies.boundary is not None:
        bound = partial.decide(request, [policies.boundary.compiled])
        traces = traces + bound.statements
        keys = tuple(sorted({*keys, *bound.unknown_keys}))
        if bound.reason == EXPLICIT_DENY:
            return out("deny", f"explicitly denied by {_labels(bound.deciding)}", bound.deciding)
        if bound.verdict == "deny":
            return out("deny", f"the permissions boundary does not allow it: {_implicit(bound)}")
        if bound.verdict == "unknown":
            return out("unknown", f"cannot be told: {_maybe(bound, known)}", bound.maybe)
    if identity.verdict == "unknown":
        return out("unknown", f"cannot be told: {_maybe(identity, known)}", identity.maybe)
    if identity.verdict == "deny":
        if policies.missing:
            return out(
                "unknown",
                f"no loaded policy allows it, and {', '.join(policies.missing)} "
                "(not among the inputs) may",
            )
        return out("deny", _implicit(identity))
    allowed = f"allowed by {_labels(identity.deciding)}"
    if policies.boundary_missing is not None:
        return out(
            "unknown",
            f"{allowed}, but the permissions boundary {policies.boundary_missing} is not among "
            "the inputs",
            identity.deciding,
        )
    return out("allow", allowed, identity.deciding)
