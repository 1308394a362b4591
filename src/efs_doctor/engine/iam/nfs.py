"""EFS authorisation of an NFS client: the request context EFS builds, the default policy,
the dual hypothesis for keys EFS does not enforce, and the effective access.

efs-semantics.md §4.1-§4.7:
- the context holds ``aws:SecureTransport``, ``elasticfilesystem:AccessedViaMountTarget``,
  ``elasticfilesystem:AccessPointArn`` (only with an access point) and ``aws:SourceIp``;
- no file system policy (known absent) means the default policy: full access for any client
  that reaches a mount target; a policy that is merely not among the inputs is unknown;
- a key EFS does not enforce is absent for anonymous clients; for IAM clients EFS does not say
  whether it is absent or ignored, so both are evaluated and a disagreement is indeterminate;
- identity policies that are not among the inputs are evaluated as granting nothing and as
  granting every EFS action; a disagreement is indeterminate (an unknown identity policy's own
  Deny is not guessed at).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, partial
from typing import Literal, NamedTuple

from efs_doctor.engine.iam import evaluate as ev
from efs_doctor.engine.iam import facts
from efs_doctor.engine.iam import values as v
from efs_doctor.engine.iam.compiled import CompiledPolicy
from efs_doctor.engine.iam.context_value import ContextValue, Opaque
from efs_doctor.engine.iam.explain import summarize
from efs_doctor.engine.iam.file_systems import file_system_arn, is_file_system_arn
from efs_doctor.engine.iam.grammar import read_policy
from efs_doctor.engine.iam.parsed import ParsedPolicy
from efs_doctor.engine.iam.principals import ANONYMOUS, RequestPrincipal, principal_from_arn
from efs_doctor.engine.iam.trace import StatementTrace

Verdict = Literal["allow", "deny", "indeterminate"]

DEFAULT_POLICY_REASON = "default-policy"
POLICY_UNKNOWN = "policy-unknown"
UNENFORCED_KEY = "unenforced-condition-key"
SOURCE_IP_UNKNOWN = "source-ip-undocumented"
IDENTITY_UNKNOWN = "identity-policies-unknown"

# The default policy EFS applies when a file system has none (efs-semantics.md §4.2).
_DEFAULT_POLICY_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "EfsDefaultPolicy",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": list(facts.CLIENT_ACTIONS),
            "Resource": "*",
            "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
        }
    ],
}


# The most an identity policy that is not among the inputs can grant: every EFS action.
_ANY_GRANT_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "elasticfilesystem:*", "Resource": "*"}],
}


@cache
def default_policy() -> CompiledPolicy:
    policy, _ = read_policy(_DEFAULT_POLICY_DOCUMENT, "resource")
    return CompiledPolicy(policy, "default-policy")


@cache
def _unknown_identity_grant() -> CompiledPolicy:
    policy, _ = read_policy(_ANY_GRANT_DOCUMENT, "identity")
    return CompiledPolicy(policy, "identity policies not among the inputs, taken to allow")


@dataclass(frozen=True, slots=True)
class NfsRequest:
    """One NFS connection as EFS authorises it.

    ``file_system`` is an ARN, or an ID together with ``region`` and ``account`` (the file
    system's account). ``principal`` is ``"anonymous"`` (no ``iam`` mount option) or the ARN of
    the IAM role, role session or user behind the credentials efs-utils found.
    """

    file_system: str
    principal: str = "anonymous"
    session_arn: str | None = None
    region: str | None = None
    account: str | None = None
    secure_transport: bool = True
    access_point_arn: str | None = None
    accessed_via_mount_target: bool = True
    source_ip: str | None = None
    partition: str = "aws"
    who: RequestPrincipal = field(init=False, repr=False, compare=False)
    file_system_arn: str = field(init=False, repr=False, compare=False)
    file_system_account: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        who = ANONYMOUS
        if self.principal != "anonymous":
            who = principal_from_arn(self.principal, self.session_arn)
        object.__setattr__(self, "who", who)
        arn = self.file_system
        if not arn.startswith("arn:"):
            if not self.region or not self.account:
                raise ValueError(
                    f"file system {arn!r}: give its ARN, or its ID with region and account"
                )
            arn = file_system_arn(arn, self.region, self.account, self.partition)
        if not is_file_system_arn(arn):
            raise ValueError(f"not a file system ARN: {arn!r}")
        object.__setattr__(self, "file_system_arn", arn)
        object.__setattr__(self, "file_system_account", arn.split(":", 5)[4])

    def context(self) -> dict[str, ContextValue]:
        """The request context (lower-cased keys) for the documented case: a private source
        address is present but matches no range (:class:`Opaque`)."""
        context: dict[str, ContextValue] = {
            facts.SECURE_TRANSPORT: "true" if self.secure_transport else "false",
            facts.VIA_MOUNT_TARGET: "true" if self.accessed_via_mount_target else "false",
        }
        if self.access_point_arn and self.secure_transport:
            # The access point travels in the TLS client certificate (efs-semantics.md §2.9).
            context[facts.ACCESS_POINT_ARN] = self.access_point_arn
        if self.source_ip:
            context[facts.SOURCE_IP] = (
                Opaque(self.source_ip) if _private(self.source_ip) else self.source_ip
            )
        return context

    def display_context(self) -> dict[str, str]:
        names = facts.enforced_keys()
        return {names.get(key, key): str(value) for key, value in self.context().items()}


def _private(address: str) -> bool:
    network = v.parse_network(address)
    return network is None or v.private_overlap(network) is not None


@dataclass(frozen=True, slots=True)
class Hypothesis:
    name: str
    context: Mapping[str, ContextValue]
    ignored: frozenset[str]
    unenforced_ignored: bool
    source_ip_absent: bool


@dataclass(frozen=True, slots=True)
class HypothesisResult:
    name: str
    decision: Verdict
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"hypothesis": self.name, "decision": self.decision, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ActionDecision:
    action: str
    decision: Verdict
    reason: str
    # The one-sentence explanation is built on demand: most evaluations never print it.
    explain: Callable[[], str] = field(repr=False, compare=False)
    statements: tuple[StatementTrace, ...] = ()
    deciding: tuple[StatementTrace, ...] = ()
    hypotheses: tuple[HypothesisResult, ...] = ()

    @property
    def summary(self) -> str:
        return self.explain()

    @property
    def allowed(self) -> bool | None:
        return None if self.decision == "indeterminate" else self.decision == "allow"


@dataclass(frozen=True, slots=True)
class EffectiveAccess:
    """Mount or not, read-write or read-only, root or squashed (None: cannot tell)."""

    mount: bool | None
    write: bool | None
    root: bool | None

    @property
    def read_only(self) -> bool | None:
        return None if self.write is None else not self.write

    @property
    def root_squashed(self) -> bool | None:
        return None if self.root is None else not self.root

    def to_json(self) -> dict[str, bool | None]:
        return {"mount": self.mount, "write": self.write, "root": self.root}


@dataclass(frozen=True, slots=True)
class AccessEvaluation:
    principal: str
    principal_session: str | None
    context: Mapping[str, str]
    decisions: Mapping[str, ActionDecision]
    access: EffectiveAccess
    policy_source: Literal["file-system-policy", "default-policy", "unknown"]
    unenforced_keys: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def decision(self, action: str) -> ActionDecision:
        return self.decisions[action]


def effective_access(decisions: Mapping[str, ActionDecision]) -> EffectiveAccess:
    """Mount needs ClientMount; write and root also need the mount (efs-semantics.md §4.7)."""
    mount = decisions[facts.CLIENT_MOUNT].allowed if facts.CLIENT_MOUNT in decisions else None

    def gated(action: str) -> bool | None:
        if mount is False:
            return False
        own = decisions[action].allowed if action in decisions else None
        if own is False:
            return False
        return True if (own and mount) else None

    return EffectiveAccess(
        mount=mount, write=gated(facts.CLIENT_WRITE), root=gated(facts.CLIENT_ROOT)
    )


class _Alternative(NamedTuple):
    """One answer to an undocumented question; hypotheses combine one from each question."""

    name: str
    ignored: frozenset[str]  # condition keys taken as satisfied
    ignores_unenforced: bool
    drops_source_ip: bool


def _hypotheses(request: NfsRequest, referenced: frozenset[str]) -> list[Hypothesis]:
    base = request.context()
    enforced = facts.enforced_keys()
    unenforced = frozenset(key for key in referenced if key not in enforced)
    questions: list[tuple[_Alternative, _Alternative]] = []
    if unenforced and not request.who.anonymous:
        # efs-semantics.md §4.5 / §9 Q1: absent (IAM absent-key rules) or ignored (dropped).
        questions.append(
            (
                _Alternative("unenforced keys absent", frozenset(), False, False),
                _Alternative("unenforced keys ignored", unenforced, True, False),
            )
        )
    if isinstance(base.get(facts.SOURCE_IP), Opaque) and facts.SOURCE_IP in referenced:
        # efs-semantics.md §9 Q2: the private address present (matching no range) or absent.
        questions.append(
            (
                _Alternative("private source address present", frozenset(), False, False),
                _Alternative("source address absent", frozenset(), False, True),
            )
        )
    if not questions:
        return [Hypothesis("as documented", base, frozenset(), False, False)]
    out = []
    for combo in itertools.product(*questions):
        drop_ip = any(a.drops_source_ip for a in combo)
        context = {k: val for k, val in base.items() if not (drop_ip and k == facts.SOURCE_IP)}
        out.append(
            Hypothesis(
                name="; ".join(a.name for a in combo),
                context=context,
                ignored=frozenset().union(*(a.ignored for a in combo)),
                unenforced_ignored=any(a.ignores_unenforced for a in combo),
                source_ip_absent=drop_ip,
            )
        )
    return out


def evaluate_client_access(
    fs_policy: ParsedPolicy | None,
    policy_known: bool,
    identity_policies: Sequence[ParsedPolicy],
    request: NfsRequest,
    actions: Sequence[str] = facts.CLIENT_ACTIONS,
    *,
    identities_known: bool = True,
) -> AccessEvaluation:
    """Decide each action for the NFS client in ``request``; see the package docstring."""
    who = request.who
    identities = [p.compiled for p in identity_policies] if not who.anonymous else []
    notes: list[str] = []
    identities_unknown = not identities_known and not who.anonymous
    missing_identities = f"the identity policies of {who.display} are not among the inputs"
    if fs_policy is not None and not fs_policy.ok:
        notes.append(
            f"the file system policy has {len(fs_policy.errors)} grammar error(s); statements "
            "with errors were left out (AWS would reject the policy)"
        )
    if not policy_known:
        decisions = {a: _unknown_policy_decision(a, request, identities) for a in actions}
        return AccessEvaluation(
            principal=who.display,
            principal_session=who.session_arn,
            context=request.display_context(),
            decisions=decisions,
            access=effective_access(decisions),
            policy_source="unknown",
            notes=(
                *notes,
                "the file system policy is not among the inputs",
                *([missing_identities] if identities_unknown else []),
            ),
        )
    resource = fs_policy.compiled if fs_policy is not None else default_policy()
    referenced = frozenset(resource.referenced_keys.union(*(p.referenced_keys for p in identities)))
    enforced = facts.enforced_keys()
    spelling = {**resource.key_spelling}
    for policy in identities:
        spelling.update(policy.key_spelling)
    unenforced = tuple(sorted(spelling.get(k, k) for k in referenced if k not in enforced))
    hypotheses = _hypotheses(request, referenced)
    decide = partial(
        _decide, request=request, resource=resource, hypotheses=hypotheses, unenforced=unenforced
    )
    decisions = {a: decide(a, identities=identities) for a in actions}
    if identities_unknown:
        widest = [*identities, _unknown_identity_grant()]
        bounded = {a: _bounded(decisions[a], decide(a, identities=widest), who) for a in actions}
        if any(bounded[a] is not decisions[a] for a in actions):
            notes.append(missing_identities)
        decisions = bounded
    return AccessEvaluation(
        principal=who.display,
        principal_session=who.session_arn,
        context=request.display_context(),
        decisions=decisions,
        access=effective_access(decisions),
        policy_source="default-policy" if fs_policy is None else "file-system-policy",
        unenforced_keys=unenforced,
        notes=tuple(notes),
    )


def _bounded(
    without: ActionDecision, widest: ActionDecision, who: RequestPrincipal
) -> ActionDecision:
    """The decision when the principal's identity policies are unknown: the one for "they grant
    nothing" (``without``) when "they grant everything" (``widest``) gives the same verdict.
    Already undecided without them, the decision keeps its own reason and says what they add."""
    if without.decision == widest.decision:
        return without
    if without.decision == "indeterminate":
        summary = (
            f"{without.summary}; and if the identity policies of {who.display}, which are not "
            f"among the inputs, grant it: {widest.decision} ({widest.reason})"
        )
        return replace(without, explain=partial(str, summary))
    outcomes = (
        HypothesisResult("identity policies grant nothing", without.decision, without.reason),
        HypothesisResult("identity policies grant it", widest.decision, widest.reason),
    )
    lead = f"depends on the identity policies of {who.display}, which are not among the inputs: "
    return _undecided(without.action, IDENTITY_UNKNOWN, lead, outcomes, traced=without)


def _undecided(
    action: str,
    reason: str,
    lead: str,
    outcomes: tuple[HypothesisResult, ...],
    *,
    traced: ActionDecision | ev.CoreDecision,
) -> ActionDecision:
    """``action`` undecided for ``reason``: what each hypothesis gives, after ``lead``, with
    the statement traces of ``traced``."""
    summary = lead + "; ".join(f"{o.name} -> {o.decision} ({o.reason})" for o in outcomes)
    return ActionDecision(
        action=action,
        decision="indeterminate",
        reason=reason,
        explain=partial(str, summary),
        statements=traced.statements,
        deciding=traced.deciding,
        hypotheses=outcomes,
    )


def _decide(
    action: str,
    *,
    request: NfsRequest,
    resource: CompiledPolicy,
    identities: Sequence[CompiledPolicy],
    hypotheses: Sequence[Hypothesis],
    unenforced: Sequence[str],
) -> ActionDecision:
    results = [
        ev.authorize(
            ev.Request(
                action=action,
                resource=request.file_system_arn,
                principal=request.who,
                context=h.context,
                resource_account=request.file_system_account,
                ignored_keys=h.ignored,
            ),
            resource,
            identities,
        )
        for h in hypotheses
    ]
    first = results[0]
    reason = first.reason
    if reason == ev.ALLOWED_BY_RESOURCE and resource.label == "default-policy":
        reason = DEFAULT_POLICY_REASON
    if all(r.decision == first.decision for r in results):
        return ActionDecision(
            action=action,
            decision=first.decision,
            reason=reason,
            explain=partial(summarize, first, reason, request.who, request.file_system_arn),
            statements=first.statements,
            deciding=first.deciding,
        )
    outcomes = tuple(
        HypothesisResult(h.name, r.decision, r.reason)
        for h, r in zip(hypotheses, results, strict=True)
    )
    split_on_keys = any(
        a.decision != b.decision and ha.unenforced_ignored != hb.unenforced_ignored
        for (ha, a), (hb, b) in itertools.combinations(zip(hypotheses, results, strict=True), 2)
    )
    why = UNENFORCED_KEY if split_on_keys else SOURCE_IP_UNKNOWN
    if why == UNENFORCED_KEY:
        lead = (
            f"depends on whether EFS evaluates {', '.join(unenforced)} for IAM clients, which it "
            "does not document: "  # efs-semantics.md §4.5, §9 Q1
        )
    else:
        lead = (
            "depends on whether aws:SourceIp is absent or holds the private address for in-VPC "
            "clients, which EFS does not document: "  # efs-semantics.md §9 Q2
        )
    return _undecided(action, why, lead, outcomes, traced=first)


_UNKNOWN_POLICY = (
    "the file system policy is not among the inputs (a known absence would mean the default "
    "full-access policy); save it with `aws efs describe-file-system-policy`"
)


def _unknown_policy_decision(
    action: str, request: NfsRequest, identities: Sequence[CompiledPolicy]
) -> ActionDecision:
    # Only an identity-policy Deny is certain without the file system policy.
    if identities:
        result = ev.authorize(
            ev.Request(
                action,
                request.file_system_arn,
                request.who,
                request.context(),
                request.file_system_account,
            ),
            None,
            identities,
        )
        if result.reason == ev.EXPLICIT_DENY:
            return ActionDecision(
                action,
                "deny",
                ev.EXPLICIT_DENY,
                partial(summarize, result, ev.EXPLICIT_DENY, request.who, request.file_system_arn),
                result.statements,
                result.deciding,
            )
    return ActionDecision(
        action,
        "indeterminate",
        POLICY_UNKNOWN,
        partial(str, _UNKNOWN_POLICY),
    )
