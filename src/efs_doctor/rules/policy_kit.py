"""Helpers for authorization rules: IAM engine traces as annotated locations, the principal an
``iam`` mount would present, and the error text of a denied mount."""

from __future__ import annotations

from collections.abc import Generator, Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.iam import (
    CLIENT_MOUNT,
    CLIENT_ROOT,
    CLIENT_WRITE,
    ActionDecision,
    ConditionTrace,
    StatementTrace,
)
from efs_doctor.findings import Finding, Inconclusive, Related
from efs_doctor.model.chain import MountChain
from efs_doctor.rules.base import RuleMeta

__all__ = [
    "CLIENT_MOUNT",
    "CLIENT_ROOT",
    "CLIENT_WRITE",
    "access_denied_error",
    "admits",
    "condition_text",
    "denial_reason",
    "denied_once_mounted",
    "has_own_policy",
    "lint_findings",
    "principal_notes",
    "short_action",
    "statement_notes",
    "volume_phrase",
]


# The denial AUTH004 reports; AUTH001 and AUTH002 leave it to that rule.
TRANSPORT_DENIAL = "policy-secure-transport-no-tls"


def short_action(action: str) -> str:
    return action.split(":", 1)[-1]


def access_denied_error(chain: MountChain) -> str:
    """What ``mount.nfs4`` prints when EFS refuses the mount: efs-utils attaches every mount
    to its local proxy at 127.0.0.1 (efs-utils >= 2.0, efs-semantics.md §2.5) with the
    handle's sub-path, and EFS answers "access denied" (§4.7, error catalogue row 1)."""
    path = chain.handle.subpath if chain.handle is not None else "/"
    return f"mount.nfs4: access denied by server while mounting 127.0.0.1:{path}"


def condition_text(trace: ConditionTrace) -> str:
    seen = "absent" if trace.seen is None else str(trace.seen)
    return f"{trace.operator} {trace.key} (request value: {seen}): {trace.note}"


def _statement_note(trace: StatementTrace, anonymous: bool, action: str) -> str | None:
    verb = short_action(action)
    if trace.effect == "Deny" and trace.applies:
        return f"{trace.label} denies {verb}"
    if trace.effect != "Allow" or trace.applies:
        return None
    reasons: list[str] = []
    if not trace.resource:
        reasons.append("its Resource does not name this file system")
    if trace.principal == "not-matched":
        reasons.append(
            'its Principal is not "*" (an anonymous client matches only "*")'
            if anonymous
            else "its Principal does not name the client"
        )
    reasons.extend(condition_text(c) for c in trace.failed_conditions)
    if not reasons:
        return None
    return f"{trace.label} would allow {verb}, but " + "; ".join(reasons)


def statement_notes(
    context: Context, fs_id: str, decision: ActionDecision, *, anonymous: bool
) -> Iterator[Related]:
    """A related location per file-system-policy statement that decided (or could have
    decided) ``decision``, saying why."""
    for trace in decision.statements:
        if trace.policy != "file-system-policy":
            continue
        note = _statement_note(trace, anonymous, decision.action)
        if note is None:
            continue
        path = trace.path
        failed = trace.failed_conditions
        if failed:
            path = failed[0].path
        yield Related(context.policy_location(fs_id, path), note)


def principal_notes(context: Context, chain: MountChain) -> tuple[str, list[Related]]:
    """A sentence on the principal an ``iam`` mount of ``chain`` would use and whether the
    policy admits it, with the locations that say so."""
    related: list[Related] = []
    sentences: list[str] = []
    for principal in context.node_principals(chain):
        if principal.arn is None:
            sentences.append(
                "With `iam`, efs-utils would authenticate as the node's credentials; which role "
                f"that is cannot be told ({principal.reason})."
            )
            continue
        if principal.evidence is not None:
            related.append(
                Related(
                    principal.evidence, f"with `iam` the mount authenticates as {principal.arn}"
                )
            )
        evaluation = context.client_access(chain, principal.arn)
        verdict = ""
        if evaluation is not None:
            verdict = ", " + admits(evaluation.decision(CLIENT_MOUNT), evaluation.unenforced_keys)
        sentences.append(
            f"With `iam`, efs-utils would authenticate as {principal.arn} "
            f"({principal.reason}){verdict}."
        )
    return " ".join(sentences), related


def admits(decision: ActionDecision, unenforced: tuple[str, ...] = ()) -> str:
    """A short clause on whether the policies grant ``decision.action``."""
    if decision.decision == "allow":
        return "which the policy admits"
    if decision.decision == "deny":
        if decision.reason == "explicit-deny":
            return f"which the policy does not admit either ({decision.summary})"
        return "which no Allow statement admits either"
    if decision.reason == "unenforced-condition-key" and unenforced:
        keys = ", ".join(unenforced)
        return (
            f"which the policy admits only if EFS ignores {keys} (not enforced for NFS "
            "clients; EFS does not document how it treats them)"
        )
    return f"which the policy may or may not admit ({decision.summary})"


def volume_phrase(chain: MountChain) -> str:
    """``PV efs-pv`` or ``volumes of StorageClass efs-sc``, with who uses it."""
    if chain.volume is not None:
        text = f"PV {chain.volume.name}"
    elif chain.planned is not None:
        text = f"volumes provisioned by StorageClass {chain.planned.storage_class.name}"
    else:
        text = f"PVC {chain.claim_key}"
    users = [
        label
        for label in (
            f"{chain.workload.kind} {chain.workload.namespace}/{chain.workload.name}"
            if chain.workload is not None
            else None,
            f"PVC {chain.claim_key}"
            if chain.claim is not None and chain.volume is not None
            else None,
        )
        if label
    ]
    return text + (f" (used by {' via '.join(users)})" if users else "")


def denial_reason(decision: ActionDecision, who: str) -> str:
    if decision.reason == "explicit-deny":
        return decision.summary
    return f"no Allow statement applies to {who}"


def has_own_policy(
    context: Context, meta: RuleMeta, fs_id: str
) -> Generator[Inconclusive, None, bool]:
    """Whether ``fs_id`` has a file system policy to evaluate (use with ``yield from``): False
    when it has none, and False with an inconclusive when its policy is not among the inputs."""
    policy = context.inventory.policies.get(fs_id)
    if policy is None:
        yield meta.inconclusive(fs_id, "the file system policy is not among the inputs")
        return False
    return not policy.absent


def denied_once_mounted(
    context: Context, chain: MountChain, action: str
) -> tuple[str, ActionDecision] | None:
    """The principal a mount of ``chain`` uses and the decision on ``action`` for it, when
    the policies grant it ClientMount but deny ``action``: the mount works, ``action`` fails."""
    principal = context.mount_principal(chain)
    if principal is None:
        return None
    evaluation = context.client_access(chain, principal)
    if evaluation is None:
        return None
    mount, decision = evaluation.decision(CLIENT_MOUNT), evaluation.decision(action)
    if mount.decision != "allow" or decision.decision != "deny":
        return None
    return principal, decision


def lint_findings(context: Context, meta: RuleMeta, code: str) -> Iterator[Finding]:
    """A finding per IAM engine lint ``code`` in each file system policy, at the statement."""
    for fs_id in context.policy_file_systems():
        for lint in context.policy_lint(fs_id):
            if lint.code != code:
                continue
            yield meta.finding(
                f"{fs_id} file system policy: {lint.message}",
                context.policy_location(fs_id, lint.path),
                chain=f"file system {fs_id}",
                subjects=[fs_id],
            )
