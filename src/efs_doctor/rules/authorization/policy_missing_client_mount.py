"""The file system policy grants ``ClientWrite``/``ClientRootAccess`` but not
``ClientMount`` to the clients that mount: they cannot mount at all.

What it checks
--------------
The whole file system policy, not one statement at a time. For every volume of the file
system, the principal that mounts it (anonymous without ``iam``; with ``iam`` the role
efs-utils presents) is asked of the mount engine: when EFS would allow it
``ClientWrite``/``ClientRootAccess`` but deny ``ClientMount``, the finding is high. When no
mounting principal is known, it is high only when no Allow statement of the policy grants
``ClientMount`` to anyone (IAM engine lint ``no-client-mount``). A single statement that grants
write or root access without ``ClientMount`` while other statements grant ``ClientMount`` to
the clients that mount (lint ``allow-without-client-mount``) is a low note without a cause:
the mount works.

Why it breaks mounts
--------------------
``ClientMount`` is what lets a client mount at all (read-only access); write and root access
are extra permissions on top of it (efs-semantics.md §4.3, §4.7). A policy that grants
only ``ClientWrite`` and ``ClientRootAccess`` -- as some IaC defaults and the console's
"Prevent anonymous access" preset generate -- admits nobody (§4.6), so mounts fail
with ``access denied by server`` unless an identity policy in the file system's account
grants ``ClientMount``. Permissions of all statements add up (IAM evaluation logic), so a
statement without ``ClientMount`` is harmless when another grants it to the same client.

Example
-------
::

    {"Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": ["elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"]}

Use instead
-----------
Add ``elasticfilesystem:ClientMount`` to the statement's ``Action``.

Limits
------
Identity policies can still grant ``ClientMount`` to same-account IAM principals; when they are
among the inputs the mount engine counts them, and AUTH001 and AUTH002 report the actual
mounts. Without any mounting principal (a policy scanned alone) only the whole-policy case is
high.

Fix safety
----------
Safe: ``ClientMount`` (read-only) is less than the write/root access the statement already
grants the same principals. The corrected policy is written next to the original.

References
----------
- efs-semantics.md §4.3, §4.6, §4.7; causes.md ``policy-missing-clientmount``
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
- https://github.com/aws/aws-cdk/issues/30753
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.iam import LintFinding
from efs_doctor.findings import Confidence, Finding, Severity
from efs_doctor.rules.base import Result, RuleMeta
from efs_doctor.rules.policy_fix import policy_fix
from efs_doctor.rules.policy_kit import volume_phrase

META = RuleMeta(
    code="AUTH003",
    slug="policy-missing-client-mount",
    summary="policy grants ClientWrite/ClientRootAccess without ClientMount",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    needs=("file-system-policy",),
    cause="policy-missing-clientmount",
)

STATEMENT_LINT = "allow-without-client-mount"
POLICY_LINT = "no-client-mount"
_FIX = "add elasticfilesystem:ClientMount"


def check(context: Context) -> Iterator[Result]:
    for fs_id in context.policy_file_systems():
        lints = [
            lint
            for lint in context.policy_lint(fs_id)
            if lint.code in (STATEMENT_LINT, POLICY_LINT)
        ]
        if not lints:
            continue
        denied, allowed = _mounting_principals(context, fs_id)
        whole = next((lint for lint in lints if lint.code == POLICY_LINT), None)
        if denied:
            yield META.finding(
                f"{fs_id} file system policy grants "
                + "; ".join(denied)
                + " ClientWrite/ClientRootAccess but no statement grants "
                + ("it" if len(denied) == 1 else "them")
                + " ClientMount, so the mount is denied",
                context.policy_location(fs_id, _statement_first(lints).path),
                fix=policy_fix(context, fs_id, _FIX),
                chain=f"file system {fs_id}",
                subjects=[fs_id],
            )
        elif whole is not None and not allowed:
            yield _finding(context, fs_id, whole, high=True)
        else:
            for lint in lints:
                yield _finding(context, fs_id, lint, high=False, allowed=allowed)


def _mounting_principals(context: Context, fs_id: str) -> tuple[list[str], list[str]]:
    """Who mounts the file system's volumes and whether EFS lets them, as the mount engine
    decides on the whole policy: (denied ClientMount with write or root allowed, allowed)."""
    denied: dict[str, None] = {}
    allowed: dict[str, None] = {}
    for chain in context.chains_with_volume():
        if chain.file_system_id != fs_id:
            continue
        principal = context.mount_principal(chain)
        if principal is None:
            continue
        auth = context.access(chain, principal)
        if auth is None:
            continue
        who = f"{principal} ({volume_phrase(chain)})"
        if auth.status == "failed" and auth.cause == META.cause:
            denied[who] = None
        elif auth.status == "ok":
            allowed[who] = None
    return list(denied), list(allowed)


def _finding(
    context: Context,
    fs_id: str,
    lint: LintFinding,
    *,
    high: bool,
    allowed: list[str] | None = None,
) -> Finding:
    message = f"{fs_id} file system policy: {lint.message}"
    if allowed:
        message += "; the clients that mount get ClientMount: " + "; ".join(allowed)
    found = META.finding(
        message,
        context.policy_location(fs_id, lint.path),
        fix=policy_fix(context, fs_id, _FIX),
        severity=None if high else Severity.LOW,
        chain=f"file system {fs_id}",
        subjects=[fs_id],
    )
    # A statement-level oddity is no cause: another statement may grant ClientMount.
    return found if high else replace(found, cause=None)


def _statement_first(lints: list[LintFinding]) -> LintFinding:
    """The statement that grants write or root access, else the policy as a whole."""
    return next((lint for lint in lints if lint.code == STATEMENT_LINT), lints[0])
