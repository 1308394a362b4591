"""The volume mounts without ``iam`` under a file system policy that does not admit anonymous
clients: every mount fails with ``access denied by server``.

What it checks
--------------
For every EFS PersistentVolume (and every volume a StorageClass will provision), whether its
``mountOptions`` contain ``iam``. Without it efs-utils connects anonymously. The rule then
evaluates the file system policy for an anonymous client with the IAM engine and reports the
volume when ``elasticfilesystem:ClientMount`` is not granted.

Why it breaks mounts
--------------------
The CSI driver adds ``tls`` to every mount but never ``iam`` (efs-semantics.md §3.4), so the
client carries no identity. While a file system has no policy, EFS's default policy lets any
client that reaches a mount target mount it. The first user-defined policy replaces that
default (§4.2): from then on only statements whose ``Principal`` is ``"*"`` and whose
conditions hold for an anonymous request can admit the client. A policy that names roles,
conditions on ``aws:PrincipalArn`` or consists only of Deny statements admits no anonymous
client, and the mount fails in ``mount.nfs4`` with exit status 32 (§4.7, §4.8).

Example
-------
A static PV with no ``mountOptions`` on a file system whose policy allows ``Client*`` to
``{"AWS": "*"}`` only under ``ArnLike aws:PrincipalArn``::

    spec:
      csi:
        driver: efs.csi.aws.com
        volumeHandle: fs-0123456789abcdef0

Use instead
-----------
Add ``iam`` to the PV's ``mountOptions`` (for dynamically provisioned volumes, to the
StorageClass as well: its options reach only PVs created after the change) and make sure the
principal efs-utils will use is granted ``ClientMount`` (and ``ClientWrite``)::

    spec:
      mountOptions:
        - iam

The finding names that principal (node-SA Pod Identity or IRSA role, else the node
instance role) and whether the policy admits it.

Limits
------
Needs the file system policy (a saved ``describe-file-system-policy`` answer or the policy
document); without it the check is inconclusive. A policy that is known to be absent
(``PolicyNotFound``) means the default policy, which admits anonymous clients.

Fix safety
----------
Safe. Adding ``iam`` grants nothing: the client presents the identity the node already has,
and only what the policies grant that identity becomes usable.

References
----------
- efs-semantics.md §3.4 (driver options), §4.2 (default policy), §4.4 (anonymous clients),
  §4.8 (the incident)
- https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html
- https://docs.aws.amazon.com/efs/latest/ug/troubleshooting-efs-mounting.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.denial import DENIAL_LEADS
from efs_doctor.findings import Confidence, Related, Severity
from efs_doctor.model.chain import MountChain
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.kit import chain_subjects, mount_option_fix, mount_options_location
from efs_doctor.rules.policy_kit import (
    CLIENT_MOUNT,
    TRANSPORT_DENIAL,
    access_denied_error,
    denial_reason,
    principal_notes,
    statement_notes,
    volume_phrase,
)

META = RuleMeta(
    code="AUTH001",
    slug="mount-anonymous-under-restrictive-policy",
    summary="mount without `iam` under a file system policy that does not admit anonymous clients",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests", "file-system-policy"),
    cause="iam-option-missing",
    causes=("policy-missing-clientmount", "policy-condition-not-met"),
)


def check(context: Context) -> Iterator[Result]:
    for chain in context.chains_with_volume():
        if context.uses_iam(chain) or not chain.file_system_id:
            continue
        yield from _check_chain(context, chain)


def _check_chain(context: Context, chain: MountChain) -> Iterator[Result]:
    fs_id = chain.file_system_id
    assert fs_id is not None
    policy = context.inventory.policies.get(fs_id)
    if policy is None:
        yield META.inconclusive(
            fs_id,
            "the file system policy is not among the inputs; save it with "
            f"`aws efs describe-file-system-policy --file-system-id {fs_id}`",
        )
        return
    if policy.absent:
        return  # the default policy admits anonymous clients (§4.2)
    # The decision and its cause are the mount engine's (engine/mount/authorization.py and
    # denial.py): the same request the simulation sends, the same classification.
    auth = context.access(chain, "anonymous")
    if auth is None or auth.status == "ok" or auth.cause == TRANSPORT_DENIAL:
        return  # refused before authorization / admitted / AUTH004's
    if auth.status != "failed" or auth.evaluation is None:
        yield META.inconclusive(fs_id, f"anonymous ClientMount: {auth.reason}")
        return
    decision = auth.evaluation.decision(CLIENT_MOUNT)
    related: list[Related] = list(statement_notes(context, fs_id, decision, anonymous=True))
    after, after_related = principal_notes(context, chain)
    related.extend(after_related)
    missing_iam = auth.cause == META.cause
    lead = DENIAL_LEADS.get(auth.cause or "", "").strip("; ")
    why = "" if missing_iam or not lead else f" {lead[0].upper()}{lead[1:]}."
    message = (
        f"{volume_phrase(chain)} mounts {fs_id} without `iam`, so efs-utils connects "
        f"anonymously, and the file system policy does not grant an anonymous client "
        f"ClientMount ({denial_reason(decision, 'an anonymous client')}).{why} {after}"
    )
    yield META.finding(
        message,
        mount_options_location(chain),
        related=related,
        expected_error=context.simulated_error(chain, [auth.cause or ""])
        or access_denied_error(chain),
        fix=mount_option_fix(chain, "iam", "add `iam` to mountOptions") if missing_iam else None,
        chain=chain.label,
        subjects=chain_subjects(chain),
        cause=auth.cause,
    )
