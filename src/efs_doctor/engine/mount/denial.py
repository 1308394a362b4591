"""Which cause id (``../shared/docs/causes.md``) names a ClientMount denial, read from the
IAM engine's decision and statement traces (efs-semantics.md §4.4-§4.6, §8).

- an explicit Deny on ``aws:SecureTransport`` for a non-TLS mount:
  ``policy-secure-transport-no-tls``;
- ClientWrite/ClientRootAccess allowed but not ClientMount: ``policy-missing-clientmount``;
- an anonymous client (no ``iam``) that no Allow admits, even when an Allow would admit some
  IAM identity (``aws:PrincipalArn`` and the like are absent for anonymous requests):
  ``iam-option-missing``; when the Allow is held back by another condition (an access point
  ARN, a source address): ``policy-condition-not-met``;
- an IAM principal: a failed condition, ``policy-condition-not-met``; an Allow naming other
  principals, ``policy-denies-principal``; else ``identity-policy-missing-client-actions``.
"""

from __future__ import annotations

from collections.abc import Sequence

from efs_doctor.engine.iam import (
    CLIENT_MOUNT,
    CLIENT_ROOT,
    CLIENT_WRITE,
    AccessEvaluation,
    ActionDecision,
    StatementTrace,
)

# Keys that describe the caller's identity: absent for an anonymous client (§4.5 item 2).
IDENTITY_KEYS = (
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltype",
    "aws:principaltag/",
    "aws:userid",
    "aws:username",
    "aws:principalisawsservice",
)


# The first words of a denial's reason, per cause (efs-semantics.md §4.2, §4.6, §8).
DENIAL_LEADS = {
    "iam-option-missing": (
        "the mount has no iam option, so efs-utils connects anonymously, and a file system "
        "policy is in effect (it replaces the default allow-all); "
    ),
    "policy-secure-transport-no-tls": (
        "the mount does not use TLS and the policy denies aws:SecureTransport=false; "
    ),
    "policy-missing-clientmount": (
        "the policy grants ClientWrite/ClientRootAccess but never ClientMount; "
    ),
    "policy-denies-principal": (
        "the policy admits other principals than the one efs-utils presents; "
    ),
    "policy-condition-not-met": (
        "the policy admits this client only under conditions this mount does not meet; "
    ),
    "identity-policy-missing-client-actions": (
        "neither the file system policy nor the principal's identity policies grant ClientMount; "
    ),
}


def _identity_condition(key: str) -> bool:
    lowered = key.lower()
    return any(lowered.startswith(k) for k in IDENTITY_KEYS)


def classify_denial(evaluation: AccessEvaluation, anonymous: bool, tls: bool) -> str:
    """The causes.md id that names why ClientMount is denied."""
    mount: ActionDecision = evaluation.decisions[CLIENT_MOUNT]
    if mount.reason == "explicit-deny":
        deciding = mount.deciding or mount.statements
        if not tls and any(
            c.key.lower() == "aws:securetransport" for s in deciding for c in s.conditions
        ):
            return "policy-secure-transport-no-tls"
        return "policy-denies-principal" if not anonymous else "iam-option-missing"
    others = [evaluation.decisions.get(a) for a in (CLIENT_WRITE, CLIENT_ROOT)]
    if any(d is not None and d.decision == "allow" for d in others):
        return "policy-missing-clientmount"
    allows: list[StatementTrace] = [
        s for s in mount.statements if s.effect == "Allow" and s.policy == "file-system-policy"
    ]
    principal_matched = [s for s in allows if s.principal in ("matched", "account") and s.resource]
    conditional = [
        s
        for s in principal_matched
        if s.failed_conditions and not all(_identity_condition(c.key) for c in s.failed_conditions)
    ]
    if anonymous:
        if conditional and not _names_only_identity(principal_matched):
            return "policy-condition-not-met"
        return "iam-option-missing"
    if conditional:
        return "policy-condition-not-met"
    if any(s.principal == "not-matched" for s in allows):
        return "policy-denies-principal"
    return "identity-policy-missing-client-actions"


def _names_only_identity(statements: Sequence[StatementTrace]) -> bool:
    """An anonymous client denied by statements that would admit some IAM identity is the
    missing-``iam`` case, whatever other conditions say."""
    return any(any(_identity_condition(c.key) for c in s.failed_conditions) for s in statements)
