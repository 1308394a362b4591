"""Who is asking, and whether a ``Principal`` element names them.

Matching (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html;
efs-semantics.md §4.4):
- ``"*"`` and ``{"AWS": "*"}`` match everyone, anonymous clients included;
- an account (``"111122223333"`` or ``arn:aws:iam::111122223333:root``) matches every IAM
  principal of that account, but only *delegates*: the principal's identity policy must allow too;
- a role ARN matches the role and every session of it (``assumed-role/<name>/<session>``);
  a session ARN matches only that session; a user ARN only that user;
- anonymous clients match nothing but ``"*"``; Service/Federated/CanonicalUser never match an
  NFS client;
- in ``NotPrincipal`` only a direct match spares: an account entry spares the account principal
  itself, not its roles, sessions and users
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from efs_doctor.engine.iam.model import Principals

PrincipalKind = Literal["anonymous", "role", "session", "user", "root", "other"]
MatchKind = Literal["direct", "account"]

_ACCOUNT_ID = re.compile(r"\d{12}\Z")


@dataclass(frozen=True, slots=True)
class RequestPrincipal:
    """The principal EFS sees: anonymous, an IAM role (session) or an IAM user."""

    kind: PrincipalKind
    arn: str | None = None  # role/user ARN (for a session: the role ARN, path unknown)
    session_arn: str | None = None
    account: str | None = None
    partition: str = "aws"
    role_name: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.kind == "anonymous"

    @property
    def display(self) -> str:
        return "anonymous" if self.anonymous else (self.arn or self.session_arn or "?")

    @property
    def identifier(self) -> str:
        """What IAM compares first: the session ARN for a role session, else the ARN."""
        return self.session_arn or self.arn or "anonymous"


ANONYMOUS = RequestPrincipal(kind="anonymous")


def principal_from_arn(arn: str, session_arn: str | None = None) -> RequestPrincipal:
    """Parse an IAM role/user/root ARN or an STS assumed-role session ARN.

    Raises ValueError for anything else.
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] not in ("iam", "sts"):
        raise ValueError(f"not an IAM or STS principal ARN: {arn!r}")
    partition, service, account, resource = parts[1], parts[2], parts[4], parts[5]
    if not _ACCOUNT_ID.match(account):
        raise ValueError(f"principal ARN has no 12-digit account: {arn!r}")
    if service == "sts":
        pieces = resource.split("/")
        if len(pieces) != 3 or pieces[0] != "assumed-role" or not pieces[1] or not pieces[2]:
            raise ValueError(
                f"expected arn:{partition}:sts::<account>:assumed-role/<role>/<session>"
            )
        role_arn = f"arn:{partition}:iam::{account}:role/{pieces[1]}"
        return RequestPrincipal("session", role_arn, arn, account, partition, pieces[1])
    if resource == "root":
        return RequestPrincipal("root", arn, None, account, partition)
    if resource.startswith("role/"):
        name = resource.rsplit("/", 1)[-1]
        session = session_arn
        return RequestPrincipal(
            "session" if session else "role", arn, session, account, partition, name
        )
    if resource.startswith("user/"):
        return RequestPrincipal("user", arn, None, account, partition)
    raise ValueError(f"not a role, user, root or session ARN: {arn!r}")


def _account_of_entry(entry: str) -> str | None:
    if _ACCOUNT_ID.match(entry):
        return entry
    parts = entry.split(":", 5)
    if len(parts) == 6 and parts[2] == "iam" and parts[5] == "root":
        return parts[4]
    return None


def entry_matches(entry: str, who: RequestPrincipal) -> MatchKind | None:
    """How one ``{"AWS": entry}`` value matches ``who`` (``"*"`` is handled by the caller)."""
    if who.anonymous:
        return None
    account = _account_of_entry(entry)
    if account is not None:
        if account != who.account:
            return None
        return "direct" if who.kind == "root" else "account"
    if entry == who.arn or (who.session_arn is not None and entry == who.session_arn):
        return "direct"
    if who.kind == "session" and who.role_name is not None:
        parts = entry.split(":", 5)
        # A role ARN (any path) names every session of that role: same partition, account, name.
        if (
            len(parts) == 6
            and parts[2] == "iam"
            and parts[5].startswith("role/")
            and parts[1] == who.partition
            and parts[4] == who.account
            and parts[5].rsplit("/", 1)[-1] == who.role_name
        ):
            return "direct"
    return None


def match_principals(
    element: Principals, who: RequestPrincipal
) -> tuple[MatchKind | None, str | None]:
    """The best match of ``who`` against the element, and the entry that matched."""
    if element.anyone:
        return "direct", "*"
    best: tuple[MatchKind | None, str | None] = (None, None)
    for entry in element.aws:
        kind = entry_matches(entry, who)
        if kind == "direct":
            return kind, entry
        if kind == "account" and best[0] is None:
            best = (kind, entry)
    return best
