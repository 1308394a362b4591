"""A file system policy given without the mount it governs.

A reporter often pastes the file system policy and the error and nothing else, or a policy
whose ``Resource`` is ``"*"``, absent or a masked ARN (``.../file-system/fs-xxxxxxxx``). Such
a policy is taken as the policy of the file system the text is about (the one it names, else
the only one the inputs know) when it is the only candidate. With a loaded chain for that file
system the chain is simulated with it; without one, the policy causes are judged by the mount
engine's ``Authorizer`` (which asks the IAM engine, efs-semantics.md §4.4-§4.7) for every
client the text leaves possible: anonymous or IAM, over TLS or not, as far as its Mounting
arguments, credentials source and ``encryptInTransit`` say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from efs_doctor.engine.explain.model import ContextSignal, Facts, SignalEffect
from efs_doctor.engine.explain.placeholders import masked_id
from efs_doctor.engine.iam import CLIENT_MOUNT, parse_policy
from efs_doctor.engine.iam.file_systems import file_systems_named, is_file_system_arn
from efs_doctor.engine.iam.principals import principal_from_arn
from efs_doctor.engine.mount import Simulator
from efs_doctor.engine.mount.authorization import Authorization
from efs_doctor.engine.mount.causes import STEP_CAUSES
from efs_doctor.engine.mount.credentials import Principal
from efs_doctor.engine.mount.options import parse_efs_options
from efs_doctor.model.aws import FileSystemPolicy
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory

ORIGIN = "policy"
# Stands for the file system the text is about when neither the text nor the inputs name it.
UNNAMED_FILE_SYSTEM = "fs-00000000"
# A role in the policy's account, for an IAM client whose role the text does not name.
_STAND_IN_ROLE = "efs-client"
_STAND_IN_ACCOUNT = "111122223333"
AUTHORIZATION_CAUSES = STEP_CAUSES["authorization"]
# Causes that depend on which role mounts: not judged for a role the text does not name.
PRINCIPAL_CAUSES = frozenset({"policy-denies-principal", "identity-policy-missing-client-actions"})


@dataclass(frozen=True, slots=True)
class LonePolicy:
    """The policy taken as ``file_system_id``'s, and the inputs with it attached."""

    file_system_id: str
    policy: FileSystemPolicy
    inventory: Inventory
    adopted: bool  # the inputs did not attach it to this file system themselves
    named: bool  # the text or the inputs name the file system (else UNNAMED_FILE_SYSTEM)


@dataclass(frozen=True, slots=True)
class Client:
    """One client the text leaves possible."""

    label: str
    tls: bool
    principal: Principal | None  # None: anonymous (no ``iam``)
    principal_known: bool = True


def _in_question(inventory: Inventory, facts: Facts, chains: Sequence[MountChain]) -> str | None:
    if len(facts.file_system_ids) == 1:
        return facts.file_system_ids[0]
    from_chains = {c.file_system_id for c in chains if c.file_system_id}
    from_chains = {fs for fs in from_chains if not masked_id(fs)}
    if len(from_chains) == 1:
        return next(iter(from_chains))
    known = [fs for fs in inventory.file_systems if not masked_id(fs)]
    return known[0] if len(known) == 1 else None


def _renamed(value: Any, old: str, new: str, arn: str | None) -> Any:
    """``value`` with the masked id ``old`` replaced by ``new`` (a whole file system ARN that
    names ``old`` by ``arn``, the described one, when known)."""
    if isinstance(value, str):
        if arn is not None and is_file_system_arn(value) and value.endswith(f"/{old}"):
            return arn
        return value.replace(old, new)
    if isinstance(value, Mapping):
        return {k: _renamed(v, old, new, arn) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, old, new, arn) for v in value]
    return value


def _adopt(inventory: Inventory, policy: FileSystemPolicy, fs_id: str) -> Inventory:
    document = policy.document
    old = policy.file_system_id
    if document is not None and masked_id(old):
        described = inventory.file_systems.get(fs_id)
        document = _renamed(document, old, fs_id, described.arn if described else None)
    # Positions in the file hold only while the document is the file's own.
    text_source = policy.text_source if document is policy.document else None
    adopted = FileSystemPolicy(fs_id, document, policy.text, policy.source, text_source)
    return replace(inventory, policies={**inventory.policies, fs_id: adopted})


def lone_policy(
    inventory: Inventory, facts: Facts, chains: Sequence[MountChain]
) -> LonePolicy | None:
    """The policy of the file system the text is about: its own, else the only policy the
    inputs could not attach (Resource ``"*"`` or absent) or attached to a masked id."""
    fs_id = _in_question(inventory, facts, chains)
    own = inventory.policies.get(fs_id) if fs_id else None
    if fs_id is not None and own is not None:
        return LonePolicy(fs_id, own, inventory, adopted=False, named=True)
    candidates = [
        *inventory.unplaced_policies,
        *(p for key, p in inventory.policies.items() if masked_id(key)),
    ]
    if len(candidates) != 1:
        return None
    policy = candidates[0]
    named = fs_id is not None
    if fs_id is None:
        fs_id = policy.file_system_id if masked_id(policy.file_system_id) else None
    fs_id = fs_id or UNNAMED_FILE_SYSTEM
    return LonePolicy(fs_id, policy, _adopt(inventory, policy, fs_id), adopted=True, named=named)


def _policy_roles(policy: FileSystemPolicy) -> list[str]:
    """Role ARNs the policy's Allow statements name, and its file system ARNs' accounts."""
    if policy.document is None:
        return []
    parsed = parse_policy(policy.document, kind="resource").policy
    roles: list[str] = []
    for statement in parsed.statements:
        if statement.effect != "Allow" or statement.principal is None:
            continue
        for entry in statement.principal.aws:
            try:
                who = principal_from_arn(entry)
            except ValueError:
                continue
            if who.kind in ("role", "session") and who.arn and who.arn not in roles:
                roles.append(who.arn)
    if not roles:
        accounts = [arn.split(":")[4] for arn in file_systems_named(parsed)]
        account = next((a for a in accounts if a.isdigit() and len(a) == 12), None)
        roles.append(f"arn:aws:iam::{account or _STAND_IN_ACCOUNT}:role/{_STAND_IN_ROLE}")
    return roles


def _text_principal(facts: Facts) -> Principal | None:
    cred = facts.credentials_source
    for arn in (cred.role_arn if cred else None, facts.principal):
        if not arn:
            continue
        try:
            who = principal_from_arn(arn)
        except ValueError:
            continue
        if who.kind in ("role", "session") and who.arn:
            how = f"{cred.kind}:{cred.detail}" if cred else "named in the error"
            return Principal(who.arn, who.session_arn, how, "the error text")
    return None


def clients(facts: Facts, policy: FileSystemPolicy) -> list[Client]:
    """The clients the text leaves possible. The Mounting arguments decide TLS and ``iam``
    (``-t nfs``/``nfs4`` bypasses efs-utils: neither); without them a credentials source means
    ``iam`` over TLS, ``encryptInTransit: "false"`` no TLS (efs-semantics.md §2.8, §3.3), and
    efs-utils refuses ``iam`` without ``tls`` (§2.4)."""
    tls_options: tuple[bool, ...] = (True, False)
    iam_options: tuple[bool, ...] = (True, False)
    args = facts.mount_arguments
    if args is not None:
        if (args.fs_type or "efs").startswith("nfs"):
            tls_options, iam_options = (False,), (False,)
        else:
            parsed = parse_efs_options(",".join(args.options))
            if not isinstance(parsed, dict):
                return []  # efs-utils refuses the options before EFS is asked
            tls_options, iam_options = ("tls" in parsed,), ("iam" in parsed,)
    else:
        if facts.credentials_source is not None:
            tls_options, iam_options = (True,), (True,)
        if facts.encrypt_in_transit is False:
            tls_options = (False,)
    found: list[Client] = []
    named = _text_principal(facts)
    for tls in tls_options:
        over = "over TLS" if tls else "without TLS"
        for iam in iam_options:
            if not iam:
                found.append(Client(f"an anonymous client {over}", tls, None))
            elif not tls:
                continue
            elif named is not None:
                found.append(Client(f"{named.role_arn} {over}", tls, named))
            else:
                for role in _policy_roles(policy):
                    stand_in = Principal(role, None, "", "a role the text does not name")
                    label = f"an IAM client (taken to be {role}) {over}"
                    found.append(Client(label, tls, stand_in, principal_known=False))
    return found


def _cause(client: Client, auth: Authorization) -> str | None:
    cause = auth.cause
    evaluation = auth.evaluation
    if cause is None and auth.status == "indeterminate" and evaluation is not None:
        decided = evaluation.decisions.get(CLIENT_MOUNT)
        if decided is not None and decided.reason == "identity-policies-unknown":
            cause = "identity-policy-missing-client-actions"
    if cause in PRINCIPAL_CAUSES and not client.principal_known:
        return None
    return cause


def policy_signals(lone: LonePolicy, facts: Facts) -> list[ContextSignal]:
    """What the policy says about the authorization causes for the clients the text leaves
    possible: a cause every client is refused for is confirmed; one some are refused for (or
    left undecided on) is raised; when every client is allowed, the authorization causes are
    ruled out (the principal's own causes only for a role the text names)."""
    possible = clients(facts, lone.policy)
    if not possible or lone.policy.document is None:
        return []
    authorizer = Simulator(lone.inventory).authorizer
    access_point = facts.access_point_id
    if access_point is not None and masked_id(access_point):
        access_point = None
    judged: list[tuple[Client, Authorization, str | None]] = []
    for client in possible:
        auth = authorizer.client_access(
            lone.file_system_id,
            client.principal,
            tls=client.tls,
            access_point=access_point,
            source_ip=None,
            region=facts.region,
        )
        judged.append((client, auth, _cause(client, auth)))
    where = lone.policy.source.location()
    subject = (
        f"the file system policy {where}"
        + (
            f", taken as {lone.file_system_id}'s"
            if lone.named
            else ", taken as the policy of the file system in question"
        )
        if lone.adopted
        else f"the file system policy of {lone.file_system_id} ({where})"
    )
    signals: list[ContextSignal] = []
    failed = [cause for _, auth, cause in judged if auth.status == "failed"]
    every = failed[0] if len(failed) == len(judged) and len(set(failed)) == 1 else None
    for client, auth, cause in judged:
        why = auth.reason or "EFS allows ClientMount"
        text = f"{subject}: {client.label}: {why}"
        if cause is not None:
            effect: SignalEffect = "confirms" if cause == every else "raises"
            signals.append(ContextSignal(cause, effect, text, str(where), ORIGIN))
    if all(auth.status == "ok" for _, auth, _ in judged):
        # As a passed authorization step does (engine/mount/causes.py): a refused client
        # leaves every authorization cause open, as a failed step does.
        known = all(client.principal_known for client, _, _ in judged)
        shown = "; ".join(client.label for client, _, _ in judged)
        for cause in sorted(AUTHORIZATION_CAUSES):
            if cause in PRINCIPAL_CAUSES and not known:
                continue
            text = f"{subject} allows ClientMount to every client the text allows ({shown})"
            signals.append(ContextSignal(cause, "rules_out", text, str(where), ORIGIN))
    return list(dict.fromkeys(signals))
