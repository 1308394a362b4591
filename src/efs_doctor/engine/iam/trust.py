"""Can a Kubernetes service account assume an IAM role? The role's trust policy evaluated by
the IAM engine (its action wildcards, condition operators and policy variables), once, for
every caller: the mount simulator's credential chain and the identity rules.

IRSA (https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html,
https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html): the
pod's projected token is exchanged with ``sts:AssumeRoleWithWebIdentity``. The requester is
the cluster's IAM OIDC provider, ``Federated`` principal
``arn:<partition>:iam::<role account>:oidc-provider/<issuer without https://>``, and the
request carries the token's claims as ``<issuer>:sub`` =
``system:serviceaccount:<namespace>:<name>`` and ``<issuer>:aud`` = ``sts.amazonaws.com``
("Available keys for AWS web identity federation",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif;
``amr`` is documented for Amazon Cognito only, so it is not known here). Keys of another
identity provider are absent from the request.

EKS Pod Identity (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html): the
``pods.eks.amazonaws.com`` service calls ``sts:AssumeRole`` and ``sts:TagSession`` with the
session tags ``eks-cluster-arn``, ``eks-cluster-name``, ``kubernetes-namespace``,
``kubernetes-service-account``, ``kubernetes-pod-name`` and ``kubernetes-pod-uid``
(https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html, "six tags" in
https://docs.aws.amazon.com/eks/latest/APIReference/API_PodIdentityAssociation.html), visible
to the trust policy as ``aws:RequestTag/<key>`` and ``aws:TagKeys``. The pod's name and UID
differ per pod and are not known here; no other request tag is sent.

Whatever the inputs do not tell (the cluster's OIDC issuer, the trust policy, a key such as
``aws:SourceAccount`` whose value no page documents for these calls) makes the answer
``unknown`` unless every possible value gives the same answer: with the issuer unknown, each
issuer the policy names and "another issuer" are tried.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from efs_doctor.engine.iam import partial
from efs_doctor.engine.iam.compiled import CompiledPolicy
from efs_doctor.engine.iam.conditions import IGNORED
from efs_doctor.engine.iam.context_value import ContextValue
from efs_doctor.engine.iam.evaluate import EXPLICIT_DENY
from efs_doctor.engine.iam.model import Principals, Statement
from efs_doctor.engine.iam.parsed import ParsedPolicy, parse_policy
from efs_doctor.engine.iam.principals import RequestPrincipal
from efs_doctor.engine.iam.trace import StatementTrace

TrustVerdict = Literal["ok", "fails", "unknown"]

WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
IRSA_AUDIENCE = "sts.amazonaws.com"
POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")
POD_IDENTITY_TAGS = (
    "eks-cluster-arn",
    "eks-cluster-name",
    "kubernetes-namespace",
    "kubernetes-service-account",
    "kubernetes-pod-name",
    "kubernetes-pod-uid",
)
_REQUEST_TAG = "aws:requesttag/"
_LABEL = "trust policy"


@dataclass(frozen=True, slots=True)
class TrustDecision:
    """``summary`` is one sentence for messages; ``statements`` the engine's traces of the
    statements whose Action matched; ``unknown`` what the answer could not be told from."""

    verdict: TrustVerdict
    summary: str
    requester: str
    statements: tuple[StatementTrace, ...] = ()
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Requester:
    kind: Literal["federated", "service"]
    name: str  # the provider ARN or the service principal
    described: str  # for messages: what the policy must name


@dataclass(frozen=True, slots=True)
class _Request:
    requester: _Requester
    actions: tuple[str, ...]
    context: Mapping[str, ContextValue]
    absent: Callable[[str], bool]


def _names(element: Principals, requester: _Requester) -> bool:
    if element.anyone:  # "*" and {"AWS": "*"}: every principal (IAM Principal page)
        return True
    entries = element.federated if requester.kind == "federated" else element.service
    return requester.name in entries


def _principal_matches(statement: Statement, requester: _Requester) -> bool:
    if statement.principal is not None:
        return _names(statement.principal, requester)
    if statement.not_principal is not None:
        return not _names(statement.not_principal, requester)
    return False


def _parse(trust_policy: object) -> ParsedPolicy:
    return parse_policy(trust_policy, kind="resource", label=_LABEL)


def _evaluate(parsed: ParsedPolicy, role_arn: str, request: _Request) -> TrustDecision:
    """One evaluation; every action must be allowed."""
    requester = request.requester
    policy = parsed.policy
    admitted = tuple(s for s in policy.statements if _principal_matches(s, requester))
    compiled = CompiledPolicy(replace(policy, statements=admitted), _LABEL)
    full = parsed.compiled
    who = RequestPrincipal("other", arn=requester.name)
    traces: list[StatementTrace] = []
    unknown: set[str] = set()
    answers: list[tuple[str, partial.PartialDecision]] = []
    for action in request.actions:
        decision = partial.decide(
            partial.PartialRequest(action, who, request.context, role_arn, request.absent),
            (compiled,),
        )
        traces.extend(t for t in decision.statements if t not in traces)
        unknown.update(t.key for s in decision.maybe for t in s.conditions if t.code == IGNORED)
        answers.append((action, decision))
    others = {
        action: [
            s.statement
            for s in full.statements_for(action)
            if s.statement.effect == "Allow" and s.statement not in admitted
        ]
        for action in request.actions
    }
    denied = [(a, d) for a, d in answers if d.verdict == "deny"]
    if denied:
        action, decision = denied[0]
        summary = _denied(action, decision, others[action], request)
        return TrustDecision("fails", summary, "", tuple(traces))
    undecided = [(a, d) for a, d in answers if d.verdict == "unknown"]
    if undecided:
        action, decision = undecided[0]
        sentences = "; ".join(
            f"{t.label}: {partial.uncertain_sentence(t, True)}" for t in decision.maybe
        )
        summary = (
            f"whether {action} is allowed depends on request values not known here ({sentences})"
        )
        return TrustDecision("unknown", summary, "", tuple(traces), tuple(sorted(unknown)))
    deciding = sorted({t.label for _, d in answers for t in d.deciding})
    actions = " and ".join(request.actions)
    summary = f"{', '.join(deciding)} allows {actions} to {requester.described}"
    return TrustDecision("ok", summary, "", tuple(traces))


def _denied(
    action: str,
    decision: partial.PartialDecision,
    others: Sequence[Statement],
    request: _Request,
) -> str:
    if decision.reason == EXPLICIT_DENY:
        return f"{action} is denied by {', '.join(t.label for t in decision.deciding)}"
    reasons = [
        f"{t.label}: {partial.why_not_sentence(t)}"
        for t in decision.statements
        if t.effect == "Allow"
    ]
    reasons.extend(
        f"{_LABEL} statement {s.label}: its Principal does not name {request.requester.described}"
        for s in others
    )
    lead = f"no statement allows {action} to {request.requester.described}"
    return f"{lead} ({'; '.join(reasons)})" if reasons else lead


def _unknown_input(requester: str, why: str) -> TrustDecision:
    return TrustDecision("unknown", why, requester, unknown=(why,))


def _role_parts(role_arn: str) -> tuple[str, str] | None:
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[4]:
        return None
    return parts[1], parts[4]


# ---- IRSA ------------------------------------------------------------------------------------


def issuer_path(issuer_url: str | None) -> str | None:
    """``https://oidc.eks.<region>.amazonaws.com/id/<ID>`` -> the form IAM uses in the
    provider ARN and in condition keys (no scheme, no trailing slash)."""
    if not issuer_url:
        return None
    path = issuer_url.strip().removeprefix("https://").rstrip("/")
    return path or None


def _provider_issuers(parsed: ParsedPolicy, partition: str, account: str) -> list[str]:
    """The issuers of the OIDC providers of ``account`` that the policy names."""
    prefix = f"arn:{partition}:iam::{account}:oidc-provider/"
    found: set[str] = set()
    for statement in parsed.policy.statements:
        for element in (statement.principal, statement.not_principal):
            if element is not None:
                found.update(f[len(prefix) :] for f in element.federated if f.startswith(prefix))
    return sorted(found)


def _web_identity_request(
    issuer: str, partition: str, account: str, subject: str, session_name: str | None
) -> _Request:
    provider = f"arn:{partition}:iam::{account}:oidc-provider/{issuer}"
    own = issuer.lower()
    context: dict[str, ContextValue] = {
        f"{own}:sub": subject,
        f"{own}:aud": IRSA_AUDIENCE,
    }
    if session_name:
        context["sts:rolesessionname"] = session_name

    def absent(key: str) -> bool:
        # "<provider>:<claim>" keys of another identity provider (its prefix is a host/path,
        # unlike the service prefixes "aws:", "sts:") are not in this request.
        prefix = key.rpartition(":")[0]
        return prefix != own and ("." in prefix or "/" in prefix)

    requester = _Requester("federated", provider, "the cluster's OIDC provider")
    return _Request(requester, (WEB_IDENTITY_ACTION,), context, absent)


_ANOTHER_ISSUER = "another-issuer.invalid/not-named-by-the-policy"


def web_identity_trust(
    trust_policy: object | None,
    role_arn: str,
    *,
    issuer: str | None,
    namespace: str,
    service_account: str,
    session_name: str | None = None,
) -> TrustDecision:
    """Whether ``namespace/service_account``'s token lets it assume ``role_arn`` through IRSA.

    ``trust_policy``: the decoded document, None when not among the inputs; ``issuer``: the
    cluster's OIDC issuer (:func:`issuer_path` form), None when unknown; ``session_name``: the
    RoleSessionName the caller sends, when known (``sts:RoleSessionName``)."""
    subject = f"system:serviceaccount:{namespace}:{service_account}"
    if trust_policy is None:
        return _unknown_input(subject, f"the trust policy of {role_arn} is not among the inputs")
    parts = _role_parts(role_arn)
    if parts is None:
        return _unknown_input(subject, f"{role_arn!r} is not an IAM role ARN")
    partition, account = parts
    parsed = _parse(trust_policy)
    if not parsed.ok:
        return _unknown_input(
            subject, f"the trust policy of {role_arn} cannot be read: {parsed.errors[0].message}"
        )
    if issuer is not None:
        request = _web_identity_request(issuer, partition, account, subject, session_name)
        return replace(_evaluate(parsed, role_arn, request), requester=subject)
    # The issuer is unknown: try every issuer the policy names, and one it does not name.
    named = _provider_issuers(parsed, partition, account)
    answers = [
        (
            candidate,
            _evaluate(
                parsed,
                role_arn,
                _web_identity_request(candidate, partition, account, subject, session_name),
            ),
        )
        for candidate in (*named, _ANOTHER_ISSUER)
    ]
    missing = "the cluster's OIDC issuer is not among the inputs (aws eks describe-cluster)"
    verdicts = {decision.verdict for _, decision in answers}
    traces = answers[0][1].statements
    if verdicts == {"fails"} and named:
        summary = f"whatever the cluster's OIDC issuer: {answers[0][1].summary}"
        return TrustDecision("fails", summary, subject, traces)
    if len(verdicts) == 1 and "unknown" not in verdicts:
        return replace(answers[-1][1], requester=subject)
    keys = tuple(sorted({k for _, d in answers for k in d.unknown}))
    if "unknown" not in verdicts:
        through = ", ".join(c for c, d in answers if d.verdict == "ok")
        summary = f"{missing}: the trust policy admits the token only if the issuer is {through}"
    else:
        told = "; ".join(
            f"{'another issuer' if c == _ANOTHER_ISSUER else c}: {d.verdict} ({d.summary})"
            for c, d in answers
        )
        summary = f"{missing}; by issuer: {told}"
    return TrustDecision("unknown", summary, subject, traces, (missing, *keys))


# ---- EKS Pod Identity ------------------------------------------------------------------------


def pod_identity_trust(
    trust_policy: object | None,
    role_arn: str,
    *,
    namespace: str,
    service_account: str,
    cluster_name: str | None,
    cluster_arn: str | None,
) -> TrustDecision:
    """Whether EKS Pod Identity can assume ``role_arn`` for an association of
    ``namespace/service_account`` (both ``sts:AssumeRole`` and ``sts:TagSession``)."""
    requester = f"EKS Pod Identity for {namespace}/{service_account}"
    if trust_policy is None:
        return _unknown_input(requester, f"the trust policy of {role_arn} is not among the inputs")
    parsed = _parse(trust_policy)
    if not parsed.ok:
        return _unknown_input(
            requester, f"the trust policy of {role_arn} cannot be read: {parsed.errors[0].message}"
        )
    tags: dict[str, str | None] = {
        "eks-cluster-arn": cluster_arn,
        "eks-cluster-name": cluster_name,
        "kubernetes-namespace": namespace,
        "kubernetes-service-account": service_account,
    }
    context: dict[str, ContextValue] = {
        f"{_REQUEST_TAG}{key}": value for key, value in tags.items() if value
    }
    context["aws:tagkeys"] = POD_IDENTITY_TAGS

    def absent(key: str) -> bool:
        return key.startswith(_REQUEST_TAG) and key[len(_REQUEST_TAG) :] not in POD_IDENTITY_TAGS

    service = _Requester("service", POD_IDENTITY_SERVICE, POD_IDENTITY_SERVICE)
    request = _Request(service, POD_IDENTITY_ACTIONS, context, absent)
    return replace(_evaluate(parsed, role_arn, request), requester=requester)
