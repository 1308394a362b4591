"""The file system policy denies unencrypted clients and the volume mounts without TLS: the
mount fails with ``access denied by server``.

What it checks
--------------
EFS volumes that mount without TLS (``encryptInTransit: "false"`` and no access point) on a
file system whose policy has a Deny statement that applies when ``aws:SecureTransport`` is
false -- the console's "Enforce in-transit encryption for all clients" preset. The IAM
engine evaluates the mount's principal with ``aws:SecureTransport=false``.

Why it breaks mounts
--------------------
EFS sets ``aws:SecureTransport`` from the connection (efs-semantics.md §4.5); an explicit
Deny beats every Allow (§4.4), so every non-TLS mount is refused whatever else the policy
grants (causes.md ``policy-secure-transport-no-tls``).

Example
-------
::

    csi:
      volumeAttributes:
        encryptInTransit: "false"

with ``{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*",
"Condition": {"Bool": {"aws:SecureTransport": "false"}}}`` in the policy.

Use instead
-----------
Remove ``encryptInTransit: "false"`` (TLS is the default) or set it to ``"true"``.

Limits
------
An in-tree ``nfs:`` volume on EFS is K8S003's: the kernel client has no TLS to turn on.
Needs the file system policy.

Fix safety
----------
Safe: turning TLS on grants nothing; the policy only denies unencrypted clients.

References
----------
- efs-semantics.md §4.4, §4.5, §4.6, §8 point 11
- https://docs.aws.amazon.com/efs/latest/ug/encryption-in-transit.html
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Fix, FixSafety, Severity
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects, mount_options_location, yaml_edit
from efs_doctor.rules.policy_kit import (
    CLIENT_MOUNT,
    TRANSPORT_DENIAL,
    access_denied_error,
    has_own_policy,
    statement_notes,
    volume_phrase,
)

META = RuleMeta(
    code="AUTH004",
    slug="secure-transport-without-tls",
    summary="policy denies non-TLS clients and the volume mounts without TLS",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests", "file-system-policy"),
    cause=TRANSPORT_DENIAL,
)


def check(context: Context) -> Iterator[Result]:
    for chain in context.chains_with_volume():
        fs_id = chain.file_system_id
        if not fs_id or context.uses_tls(chain) or chain.nfs is not None:
            continue  # an in-tree nfs volume cannot use TLS at all: K8S003 reports it
        if not (yield from has_own_policy(context, META, fs_id)):
            continue
        principal = context.mount_principal(chain)
        auth = context.access(chain, principal) if principal is not None else None
        if auth is None or auth.status != "failed" or auth.cause != META.cause:
            continue
        assert auth.evaluation is not None
        decision = auth.evaluation.decision(CLIENT_MOUNT)
        pv = chain.volume
        location = mount_options_location(chain)
        fix = None
        if pv is not None and pv.csi is not None:
            key = next(
                (k for k in pv.csi.volume_attributes if k.lower() == "encryptintransit"),
                "encryptInTransit",
            )
            if key in pv.csi.volume_attributes:
                location = at(pv, "spec", "csi", "volumeAttributes", key)
            edit = yaml_edit(pv, "set", ("spec", "csi", "volumeAttributes", key), "true")
            fix = Fix('set encryptInTransit to "true"', FixSafety.SAFE, (edit,) if edit else ())
        yield META.finding(
            f"{volume_phrase(chain)} mounts {fs_id} without TLS, and the file system policy "
            f"denies clients whose aws:SecureTransport is false ({decision.summary})",
            location,
            related=list(statement_notes(context, fs_id, decision, anonymous=False)),
            expected_error=context.simulated_error(chain, [META.cause or ""])
            or access_denied_error(chain),
            fix=fix,
            chain=chain.label,
            subjects=chain_subjects(chain),
        )
