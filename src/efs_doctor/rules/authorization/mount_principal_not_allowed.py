"""The volume mounts with ``iam``, but the principal efs-utils authenticates as is not
granted ``ClientMount``: the mount fails with ``access denied by server``.

What it checks
--------------
For EFS volumes whose ``mountOptions`` contain ``iam``: which principal the node plugin's
efs-utils presents (EKS Pod Identity or IRSA role of ``efs-csi-node-sa``, else the node
instance role; efs-semantics.md §2.8, §3.5), and whether the file system policy and, in the
same account, that role's identity policies grant it ``elasticfilesystem:ClientMount``
(IAM engine, §4.4).

Why it breaks mounts
--------------------
With ``iam`` the client is that principal. A user-defined file system policy that names
another role (the IRSA role only the controller has, an application role) or another
account does not admit it, and without an identity-policy grant in the file system's account
nothing allows ``ClientMount``; EFS refuses the mount (§4.4, §4.7). A broken IRSA set-up
falls back to the instance role silently, so the denied principal is often not the one the
policy author expected (§8 point 5).

Example
-------
The policy names an application role; ``efs-csi-node-sa`` has no IRSA annotation, so the
mount authenticates as the node role, which is not named::

    {"Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:role/app-efs-access"},
     "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]}

Use instead
-----------
Name the role efs-utils really uses in the policy's ``Principal`` (with ``ClientMount`` and
``ClientWrite``), or give ``efs-csi-node-sa`` the intended role (IRSA annotation or a Pod
Identity association) and restart the node plugin::

    {"Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:role/eks-node-group-role"},
     "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]}

Limits
------
Needs the file system policy and, to know the principal, the node's instance and role (or the
service account's IRSA annotation / Pod Identity association). Conditions on keys EFS does not
enforce make the answer indeterminate; those are reported by AUTH005.

Fix safety
----------
No automatic fix: granting a principal access is a decision to review (it widens access).

References
----------
- efs-semantics.md §2.8 (credential chain), §3.5 (node credentials), §4.4, §4.7
- https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.denial import DENIAL_LEADS
from efs_doctor.findings import Confidence, Fix, FixSafety, Related, Severity
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.kit import chain_subjects, mount_options_location
from efs_doctor.rules.policy_kit import (
    CLIENT_MOUNT,
    TRANSPORT_DENIAL,
    access_denied_error,
    denial_reason,
    has_own_policy,
    statement_notes,
    volume_phrase,
)

META = RuleMeta(
    code="AUTH002",
    slug="mount-principal-not-allowed",
    summary="`iam` mount whose principal the policies do not grant ClientMount",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests", "file-system-policy", "node-identity"),
    cause="policy-denies-principal",
    causes=(
        "identity-policy-missing-client-actions",
        "policy-condition-not-met",
        "policy-missing-clientmount",
    ),
)


def check(context: Context) -> Iterator[Result]:
    for chain in context.chains_with_volume():
        fs_id = chain.file_system_id
        if not fs_id or not context.uses_iam(chain):
            continue
        if not (yield from has_own_policy(context, META, fs_id)):
            continue
        for principal in context.node_principals(chain):
            if principal.arn is None:
                yield META.inconclusive(
                    chain.volume_name or chain.label,
                    f"the principal of `iam` mounts is unknown: {principal.reason}",
                )
                continue
            # The engine's answer for this principal on the simulated connection: identity
            # policies not among the inputs make it indeterminate, never a denial.
            auth = context.access(chain, principal.arn)
            if auth is None or auth.status == "ok" or auth.cause == TRANSPORT_DENIAL:
                continue
            if auth.status != "failed" or auth.evaluation is None:
                yield META.inconclusive(
                    chain.volume_name or chain.label,
                    f"ClientMount for {principal.arn}: {auth.reason}",
                )
                continue
            decision = auth.evaluation.decision(CLIENT_MOUNT)
            related: list[Related] = list(
                statement_notes(context, fs_id, decision, anonymous=False)
            )
            if principal.evidence is not None:
                related.append(
                    Related(principal.evidence, f"the mount authenticates as {principal.arn}")
                )
            grant = (
                '{"Effect": "Allow", "Principal": {"AWS": "' + principal.arn + '"}, '
                '"Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"], '
                '"Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}}'
            )
            yield META.finding(
                f"{volume_phrase(chain)} mounts {fs_id} with `iam` as {principal.arn} "
                f"({principal.reason}), and ClientMount is not granted to it "
                f"({denial_reason(decision, principal.arn)}): "
                f"{DENIAL_LEADS.get(auth.cause or '', '').strip('; ')}",
                mount_options_location(chain),
                related=related,
                expected_error=context.simulated_error(chain, [auth.cause or ""])
                or access_denied_error(chain),
                cause=auth.cause,
                fix=Fix(f"grant the role in the file system policy: {grant}", FixSafety.UNSAFE),
                chain=chain.label,
                subjects=chain_subjects(chain),
            )
