"""Authorization signals for one mount chain: the PV's options against the file system policy.

Rests on efs-semantics.md §4.1 (no `iam` = anonymous), §4.2 (no policy = default allow-all),
§4.4 (evaluation), §4.5 (condition keys), §3.5 (which role an `iam` mount uses).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from efs_doctor.engine.explain.model import ContextSignal, SignalEffect
from efs_doctor.engine.explain.policy_view import (
    CLIENT_MOUNT,
    Client,
    MountVerdict,
    StatementView,
    allows_action,
    iter_allows_without_mount,
    mount_verdict,
    statements,
)
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory

POLICY_CAUSES = (
    "iam-option-missing",
    "identity-policy-missing-client-actions",
    "policy-missing-clientmount",
    "policy-unsupported-condition-key",
    "policy-secure-transport-no-tls",
    "policy-denies-principal",
    "policy-condition-not-met",
    "root-squash-no-clientrootaccess",
    "read-only-no-clientwrite",
)
ORIGIN = "inventory"


def _signal(cause: str, effect: SignalEffect, evidence: str, location: str | None) -> ContextSignal:
    return ContextSignal(cause, effect, evidence, location, ORIGIN)


def _options(chain: MountChain) -> set[str]:
    return {option.split("=", 1)[0].strip().lower() for option in chain.mount_options}


def _uses_tls(chain: MountChain) -> bool:
    """The driver adds tls unless encryptInTransit is false, and always with an access point."""
    if chain.access_point_id is not None or "tls" in _options(chain):
        return True
    attributes = chain.volume.csi.volume_attributes if chain.volume and chain.volume.csi else {}
    value = next((v for k, v in attributes.items() if k.lower() == "encryptintransit"), "true")
    return value.strip().lower() != "false"


def _access_point_arn(chain: MountChain) -> str | None:
    if chain.access_point_id is None:
        return None
    if chain.access_point is not None and chain.access_point.arn:
        return chain.access_point.arn
    fs_arn = chain.file_system.arn if chain.file_system is not None else None
    if fs_arn:
        return fs_arn.rsplit(":file-system/", 1)[0] + f":access-point/{chain.access_point_id}"
    return None


def _options_location(chain: MountChain) -> tuple[str, str | None]:
    """How the options read, and where (the PV, or the class for a planned volume)."""
    shown = ", ".join(chain.mount_options) if chain.mount_options else ""
    if chain.volume is not None:
        where = str(chain.volume.source.location("spec", "mountOptions"))
        text = f"PV {chain.volume.name} has " + (
            f"mountOptions [{shown}] without iam" if shown else "no mountOptions (so no iam)"
        )
        return text, where
    if chain.storage_class is not None:
        where = str(chain.storage_class.source.location("mountOptions"))
        return f"StorageClass {chain.storage_class.name} mountOptions [{shown}] lack iam", where
    return "the mount options lack iam", None


def _statement_location(chain: MountChain, view: StatementView, *sub: str) -> str | None:
    policy = chain.policy
    if policy is None:
        return None
    if policy.text_source is not None:
        return str(policy.text_source.location("Statement", view.index, *sub))
    return str(policy.source.location("Policy"))


def _describe(view: StatementView) -> str:
    who = "Principal *" if view.everyone else "Principal " + ", ".join(view.principals)
    conditions = "; ".join(c.describe() for c in view.conditions)
    return f"{view.label} ({view.effect} {who}" + (f" if {conditions})" if conditions else ")")


def _anonymous_signals(chain: MountChain, verdict: MountVerdict) -> Iterator[ContextSignal]:
    options_text, options_at = _options_location(chain)
    for cause in ("identity-policy-missing-client-actions", "policy-denies-principal"):
        yield _signal(
            cause,
            "rules_out",
            f"{options_text}: EFS sees an anonymous client, no role is evaluated",
            options_at,
        )
    if verdict.allowed:
        deciding = verdict.deciding
        label = _describe(deciding) if deciding else "the policy"
        for cause in ("iam-option-missing", "policy-missing-clientmount"):
            yield _signal(
                cause,
                "rules_out",
                f"{label} lets an anonymous client like this one mount",
                _statement_location(chain, deciding) if deciding else None,
            )
        return
    if verdict.denied_by is not None:
        deny = verdict.denied_by
        keys = {c.key.lower() for c in deny.conditions}
        cause = (
            "policy-secure-transport-no-tls"
            if "aws:securetransport" in keys
            else "policy-condition-not-met"
        )
        yield _signal(
            cause,
            "confirms",
            f"{_describe(deny)} denies this mount",
            _statement_location(chain, deny),
        )
        return
    if verdict.allowed is None:
        yield _signal(
            "policy-condition-not-met",
            "raises",
            "the policy's answer for this client depends on aws:SourceIp, which EFS does not "
            "document for in-VPC clients",
            _statement_location(chain, verdict.failed[0][0]) if verdict.failed else None,
        )
        return
    blamed_iam = False
    for view, condition in verdict.failed:
        key = condition.key.lower()
        at = _statement_location(chain, view, "Condition")
        if key == "elasticfilesystem:accesspointarn":
            yield _signal(
                "policy-condition-not-met",
                "confirms",
                f"{_describe(view)} admits clients only through that access point; this mount "
                f"uses {chain.access_point_id or 'none'}",
                at,
            )
        elif key == "aws:securetransport":
            yield _signal(
                "policy-secure-transport-no-tls",
                "confirms",
                f"{_describe(view)} requires TLS; this mount is plaintext",
                at,
            )
        else:
            blamed_iam = True
            yield _signal(
                "iam-option-missing",
                "confirms",
                f"{_describe(view)}: an anonymous client carries no {condition.key}, so the "
                "condition is false and nothing allows elasticfilesystem:ClientMount",
                at,
            )
            yield _signal(
                "policy-unsupported-condition-key",
                "raises",
                f"{view.label} conditions on {condition.key}, which EFS does not evaluate for "
                "NFS clients; name the role in Principal instead (efs-semantics.md §4.5)",
                at,
            )
    everyone_allows_mount = any(
        v.effect == "Allow" and v.everyone and v.grants_mount for v in _views(chain)
    )
    if not everyone_allows_mount and not blamed_iam:
        named = [v for v in _views(chain) if v.effect == "Allow" and v.grants_mount]
        names = ", ".join(p for v in named for p in v.principals) or "named principals"
        detail = (
            f"the policy allows ClientMount only to {names}"
            if named
            else "no statement of the policy allows ClientMount to anyone"
        )
        blamed_iam = True
        yield _signal(
            "iam-option-missing",
            "confirms",
            f"{detail}; an anonymous client never matches a named principal",
            _statement_location(chain, named[0]) if named else _policy_location(chain),
        )
    if blamed_iam:
        yield _signal("iam-option-missing", "confirms", options_text, options_at)


def _views(chain: MountChain) -> list[StatementView]:
    document = chain.policy.document if chain.policy is not None else None
    return statements(document) if document is not None else []


def _policy_location(chain: MountChain) -> str | None:
    return str(chain.policy.source.location()) if chain.policy is not None else None


def node_principals(inventory: Inventory, chain: MountChain) -> list[tuple[str, str]]:
    """(role ARN, how efs-utils gets it) for the node plugin; efs-semantics.md §2.8, §3.5."""
    account = chain.node_service_account
    if account is not None and account.irsa_role_arn:
        return [(account.irsa_role_arn, f"IRSA annotation on {account.key}")]
    if account is not None:
        role = inventory.pod_identity_role(account.namespace, account.name)
        if role:
            return [(role, f"Pod Identity association of {account.key}")]
    roles: dict[str, str] = {}
    for instance in inventory.instances.values():
        if instance.instance_profile_arn:
            found = inventory.role_of_instance_profile(instance.instance_profile_arn)
            if found is not None:
                roles[found.arn] = "node instance role; efs-csi-node-sa has no IRSA/Pod Identity"
    return sorted(roles.items())


def identity_allows(inventory: Inventory, role_arn: str, action: str) -> bool | None:
    """Whether the role's own policies allow ``action``; None when the role is not loaded."""
    if not inventory.has("iam"):
        return None
    role = inventory.role_by_name_or_arn(role_arn)
    if role is None:
        return None
    documents: list[Mapping[str, Any]] = list(role.inline_policies.values())
    for arn in role.attached_policy_arns:
        managed = inventory.managed_policies.get(arn)
        if managed is not None and managed.document is not None:
            documents.append(managed.document)
    return any(allows_action(document, action) for document in documents)


def _authenticated_signals(
    inventory: Inventory, chain: MountChain, client_tls: bool
) -> Iterator[ContextSignal]:
    where = str(chain.volume.source.location("spec", "mountOptions")) if chain.volume else None
    yield _signal("iam-option-missing", "rules_out", "the mount options include iam", where)
    document = chain.policy.document if chain.policy is not None else None
    if document is None:
        return
    for role_arn, how in node_principals(inventory, chain):
        client = Client(role_arn, client_tls, _access_point_arn(chain))
        verdict = mount_verdict(document, client)
        identity = identity_allows(inventory, role_arn, CLIENT_MOUNT)
        who = f"the mount authenticates as {role_arn} ({how})"
        if verdict.allowed or identity:
            for cause in ("identity-policy-missing-client-actions", "policy-denies-principal"):
                yield _signal(cause, "rules_out", f"{who}, which may mount", where)
        elif verdict.allowed is None:
            yield _signal(
                "policy-unsupported-condition-key",
                "raises",
                f"{who}; whether the policy admits it depends on a condition key EFS does not "
                "evaluate for NFS clients (efs-semantics.md §4.5, §9 Q1)",
                _policy_location(chain),
            )
        else:
            named = sorted({p for v in statements(document) for p in v.principals})
            if named:
                yield _signal(
                    "policy-denies-principal",
                    "confirms",
                    f"{who}; the policy names {', '.join(named)}",
                    _policy_location(chain),
                )
            elif identity is False:
                yield _signal(
                    "identity-policy-missing-client-actions",
                    "confirms",
                    f"{who}; neither its policies nor the file system policy allow {CLIENT_MOUNT}",
                    _policy_location(chain),
                )


def authorization_signals(inventory: Inventory, chain: MountChain) -> Iterator[ContextSignal]:
    policy = chain.policy
    if policy is None:
        return  # not among the inputs: unknown, not the default policy (contracts.md)
    tls = _uses_tls(chain)
    if policy.absent or policy.document is None:
        for cause in POLICY_CAUSES:
            yield _signal(
                cause,
                "rules_out",
                f"{chain.file_system_id} has no file system policy (PolicyNotFound): the "
                "default policy lets every client mount, write and act as root (§4.2)",
                str(policy.source.location()),
            )
        return
    views = statements(policy.document)
    secure_denies = [
        v
        for v in views
        if v.effect == "Deny" and any(c.key.lower() == "aws:securetransport" for c in v.conditions)
    ]
    if tls:
        yield _signal(
            "policy-secure-transport-no-tls",
            "rules_out",
            "the mount is encrypted (the driver adds tls unless encryptInTransit is false)",
            None,
        )
    elif secure_denies:
        yield _signal(
            "policy-secure-transport-no-tls",
            "confirms",
            f"{_describe(secure_denies[0])} refuses plaintext and encryptInTransit is false",
            _statement_location(chain, secure_denies[0]),
        )
    without_mount = list(iter_allows_without_mount(policy.document))
    if without_mount and not any(v.effect == "Allow" and v.grants_mount for v in views):
        yield _signal(
            "policy-missing-clientmount",
            "confirms",
            f"{_describe(without_mount[0])} grants {', '.join(without_mount[0].actions)} but "
            "no statement grants ClientMount",
            _statement_location(chain, without_mount[0], "Action"),
        )
    elif any(v.effect == "Allow" and v.grants_mount for v in views):
        yield _signal(
            "policy-missing-clientmount",
            "rules_out",
            "the policy grants ClientMount in some statement",
            _policy_location(chain),
        )
    conditional_keys = {c.key.lower() for v in views for c in v.conditions}
    if not conditional_keys & {"elasticfilesystem:accesspointarn", "aws:sourceip"}:
        yield _signal(
            "policy-condition-not-met",
            "rules_out",
            "the policy has no elasticfilesystem:AccessPointArn or aws:SourceIp condition",
            _policy_location(chain),
        )
    if not any(v.unsupported_keys for v in views):
        yield _signal(
            "policy-unsupported-condition-key",
            "rules_out",
            "the policy conditions only on keys EFS evaluates",
            _policy_location(chain),
        )
    if "iam" in _options(chain):
        yield from _authenticated_signals(inventory, chain, tls)
    else:
        client = Client(None, tls, _access_point_arn(chain))
        yield from _anonymous_signals(chain, mount_verdict(policy.document, client))
