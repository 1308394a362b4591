"""A small reading of a file system policy for ``explain``'s context: which statement lets a
given NFS client mount, and why the others do not.

This is deliberately narrower than the IAM engine (``efs_doctor.engine.iam``): it answers
"can this client get elasticfilesystem:ClientMount?" with the statement that decides, so that
evidence can name it. The mount simulation, once it lands, supersedes it with its own signals.
Semantics: efs-semantics.md §4.4 (evaluation), §4.5 (condition keys EFS provides).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from efs_doctor.engine.iam.wildcard import glob_match

CLIENT_MOUNT = "elasticfilesystem:clientmount"
# Keys EFS puts in the request context for NFS clients (§4.5); anything else is absent.
SUPPORTED_KEYS = frozenset(
    {
        "aws:securetransport",
        "aws:sourceip",
        "elasticfilesystem:accesspointarn",
        "elasticfilesystem:accessedviamounttarget",
    }
)
_NEGATED = ("StringNot", "ArnNot", "NotIpAddress", "NumericNot", "DateNot")


@dataclass(frozen=True, slots=True)
class Client:
    """One NFS connection as EFS sees it."""

    principal: str | None  # None: anonymous (no `iam`); else the role ARN
    tls: bool
    access_point_arn: str | None


@dataclass(frozen=True, slots=True)
class Condition:
    operator: str
    key: str
    values: tuple[str, ...]

    def describe(self) -> str:
        shown = ", ".join(self.values)
        return f"{self.operator} {self.key} [{shown}]"


@dataclass(frozen=True, slots=True)
class StatementView:
    index: int
    sid: str | None
    effect: str
    everyone: bool  # Principal "*" / {"AWS": "*"}
    principals: tuple[str, ...]
    grants_mount: bool
    actions: tuple[str, ...]
    conditions: tuple[Condition, ...]

    @property
    def label(self) -> str:
        return f'statement {self.index} "{self.sid}"' if self.sid else f"statement {self.index}"

    @property
    def unsupported_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.conditions if c.key.lower() not in SUPPORTED_KEYS)


@dataclass(frozen=True, slots=True)
class MountVerdict:
    """Whether ``client`` gets ClientMount from the file system policy alone."""

    allowed: bool | None  # None: depends on undocumented EFS behaviour
    deciding: StatementView | None
    failed: tuple[tuple[StatementView, Condition], ...]  # everyone-Allows and the condition failing
    denied_by: StatementView | None


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(item) for item in value if isinstance(item, str | int | bool))
    if isinstance(value, bool | int):
        return (str(value).lower(),)
    return ()


def _principal(raw: Any) -> tuple[bool, tuple[str, ...]]:
    if raw == "*":
        return True, ()
    if isinstance(raw, Mapping):
        names = _strings(raw.get("AWS"))
        return "*" in names, tuple(n for n in names if n != "*")
    return False, ()


def _conditions(raw: Any) -> tuple[Condition, ...]:
    found: list[Condition] = []
    if isinstance(raw, Mapping):
        for operator, block in raw.items():
            if isinstance(block, Mapping):
                for key, values in block.items():
                    found.append(Condition(str(operator), str(key), _strings(values)))
    return tuple(found)


def _action_matches(patterns: tuple[str, ...], action: str) -> bool:
    return any(glob_match(pattern, action, ignore_case=True) for pattern in patterns)


def statements(document: Mapping[str, Any]) -> list[StatementView]:
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, Mapping) else []
    views = []
    for index, statement in enumerate(items):
        if not isinstance(statement, Mapping):
            continue
        everyone, principals = _principal(statement.get("Principal"))
        actions = tuple(a.lower() for a in _strings(statement.get("Action")))
        not_actions = tuple(a.lower() for a in _strings(statement.get("NotAction")))
        if not_actions:
            grants = not _action_matches(not_actions, CLIENT_MOUNT)
        else:
            grants = _action_matches(actions, CLIENT_MOUNT)
        views.append(
            StatementView(
                index=index,
                sid=statement.get("Sid") if isinstance(statement.get("Sid"), str) else None,
                effect=str(statement.get("Effect", "")),
                everyone=everyone,
                principals=principals,
                grants_mount=grants,
                actions=actions,
                conditions=_conditions(statement.get("Condition")),
            )
        )
    return views


def _role_of(principal: str) -> str:
    """The role ARN behind an assumed-role session ARN (sessions match their role)."""
    if ":assumed-role/" in principal:
        account = principal.split(":")[4]
        role = principal.split(":assumed-role/", 1)[1].split("/", 1)[0]
        return f"arn:aws:iam::{account}:role/{role}"
    return principal


def principal_matches(view: StatementView, client: Client) -> bool:
    if view.everyone:
        return True
    if client.principal is None:
        return False  # anonymous clients only match "*" (§4.4 step 4)
    role = _role_of(client.principal)
    account = role.split(":")[4] if role.count(":") >= 5 else ""
    return any(p in (role, account, f"arn:aws:iam::{account}:root") for p in view.principals)


def _context_value(key: str, client: Client) -> str | None:
    key = key.lower()
    if key == "aws:securetransport":
        return "true" if client.tls else "false"
    if key == "elasticfilesystem:accessedviamounttarget":
        return "true"
    if key == "elasticfilesystem:accesspointarn":
        return client.access_point_arn
    return None  # unsupported keys, and aws:SourceIp of an in-VPC client


def condition_holds(condition: Condition, client: Client) -> bool | None:
    """IAM condition semantics for one single-valued key; None when EFS leaves it open."""
    operator = condition.operator.split(":")[-1]
    key = condition.key.lower()
    if key == "aws:sourceip":
        return None  # absent or a private address for in-VPC clients: undocumented (§9 Q2)
    if key not in SUPPORTED_KEYS and client.principal is not None:
        return None  # "not enforced" for IAM clients: absent or ignored is open (§4.5)
    value = _context_value(key, client)
    if operator == "Null":
        return (value is None) == ("true" in [v.lower() for v in condition.values])
    if value is None:
        return operator.endswith("IfExists") or operator.startswith(_NEGATED)
    base = operator.removesuffix("IfExists")
    negated = base.startswith(_NEGATED)
    if base.startswith("Bool"):
        hit = value in [v.lower() for v in condition.values]
    elif "Like" in base:
        hit = any(glob_match(pattern, value) for pattern in condition.values)
    else:
        hit = value in condition.values
    return not hit if negated else hit


def _all_hold(view: StatementView, client: Client) -> tuple[bool | None, Condition | None]:
    verdict: bool | None = True
    for condition in view.conditions:
        holds = condition_holds(condition, client)
        if holds is False:
            return False, condition
        if holds is None:
            verdict = None
    return verdict, None


def mount_verdict(document: Mapping[str, Any], client: Client) -> MountVerdict:
    views = statements(document)
    unknown = False
    for view in views:
        if view.effect == "Deny" and view.grants_mount and principal_matches(view, client):
            holds, _ = _all_hold(view, client)
            if holds:
                return MountVerdict(False, None, (), view)
            unknown = unknown or holds is None
    failed: list[tuple[StatementView, Condition]] = []
    for view in views:
        if view.effect != "Allow" or not view.grants_mount or not principal_matches(view, client):
            continue
        holds, condition = _all_hold(view, client)
        if holds:
            return MountVerdict(None if unknown else True, view, (), None)
        if holds is None:
            unknown = True
        elif condition is not None and view.everyone:
            failed.append((view, condition))
    return MountVerdict(None if unknown else False, None, tuple(failed), None)


def allows_action(document: Mapping[str, Any], action: str) -> bool:
    """Whether an identity policy has an Allow naming ``action`` (resources not checked)."""
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, Mapping) else []
    wanted = action.lower()
    for statement in items:
        if isinstance(statement, Mapping) and statement.get("Effect") == "Allow":
            actions = tuple(a.lower() for a in _strings(statement.get("Action")))
            if _action_matches(actions, wanted):
                return True
    return False


def iter_allows_without_mount(document: Mapping[str, Any]) -> Iterator[StatementView]:
    """Allow statements about Client* actions that leave out ClientMount (§4.6)."""
    for view in statements(document):
        about_clients = any(a.startswith("elasticfilesystem:client") for a in view.actions)
        if view.effect == "Allow" and not view.grants_mount and about_clients:
            yield view
