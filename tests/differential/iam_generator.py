"""Deterministic generator of policies and requests in generic IAM semantics.

Every case is a resource (file system) policy, zero to two identity policies, a principal, an
action and a request context, built only from forms both evaluators should agree on. Left out on
purpose (README.md in this folder says why): the EFS-only rules (unenforced keys, default
policy), ``ForAnyValue`` with ``IfExists`` on an absent key, epoch-second dates, NotPrincipal
with account entries, policies without ``Version``, ``0.0.0.0/0`` and plain IPv4 values against
IPv6 addresses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
FS_ARN = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-0123456789abcdef0"
OTHER_FS_ARN = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-0fedcba987654321f"
AP_ARN = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:access-point/fsap-0123456789abcdef0"
OTHER_AP_ARN = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:access-point/fsap-0aaaabbbbccccdddd"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
ROLE_WITH_PATH = f"arn:aws:iam::{ACCOUNT}:role/platform/app"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/batch"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/efs-mount-helper"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
X_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/app"
X_SESSION = f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/app/efs-mount-helper"

ACTIONS = (
    "elasticfilesystem:ClientMount",
    "elasticfilesystem:ClientWrite",
    "elasticfilesystem:ClientRootAccess",
)

# (principal as sent to iam-simulate, its account) -- None is anonymous.
PRINCIPALS: tuple[tuple[str | None, str | None], ...] = (
    (None, None),
    (SESSION, ACCOUNT),
    (ROLE, ACCOUNT),
    (USER, ACCOUNT),
    (X_SESSION, OTHER_ACCOUNT),
)


@dataclass
class Case:
    resource_policy: dict[str, Any] | None
    identity_policies: list[dict[str, Any]] = field(default_factory=list)
    principal: str | None = None
    action: str = ACTIONS[0]
    context: dict[str, str | list[str]] = field(default_factory=dict)

    def simulation(self) -> dict[str, Any]:
        principal: Any = {"type": "Anonymous"} if self.principal is None else self.principal
        simulation: dict[str, Any] = {
            "request": {
                "principal": principal,
                "action": self.action,
                "resource": {"resource": FS_ARN, "accountId": ACCOUNT},
                "contextVariables": self.context,
            },
            "identityPolicies": [
                {"name": f"identity-{i}", "policy": p} for i, p in enumerate(self.identity_policies)
            ],
            "serviceControlPolicies": [],
            "resourceControlPolicies": [],
        }
        if self.resource_policy is not None:
            simulation["resourcePolicy"] = self.resource_policy
        return simulation


# -- request context -------------------------------------------------------------------------

CONTEXT_VALUES: dict[str, tuple[str | list[str], ...]] = {
    "aws:SecureTransport": ("true", "false"),
    "elasticfilesystem:AccessedViaMountTarget": ("true", "false"),
    "elasticfilesystem:AccessPointArn": (AP_ARN, OTHER_AP_ARN),
    "aws:SourceIp": ("203.0.113.7", "198.51.100.20", "10.0.3.4", "2001:db8::5"),
    "aws:PrincipalArn": (ROLE, OTHER_ROLE, X_ROLE),
    "aws:username": ("alice", "Alice", "bob"),
    "aws:PrincipalTag/team": ("storage", "web", "Storage"),
    "aws:CurrentTime": ("2026-06-01T12:00:00Z", "2025-01-15T00:00:00Z"),
    "aws:MultiFactorAuthAge": ("30", "3600", "7200"),
    "aws:TagKeys": (["env"], ["env", "team"], ["owner"], []),
}


def _context(rng: random.Random) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for key, choices in CONTEXT_VALUES.items():
        if rng.random() < 0.7:
            value = rng.choice(choices)
            if value != []:
                out[key] = value
    return out


# -- conditions ------------------------------------------------------------------------------


def _pick(rng: random.Random, values: tuple[str, ...]) -> str | list[str]:
    count = rng.choice((1, 1, 1, 2, 3))
    chosen = [rng.choice(values) for _ in range(count)]
    return chosen[0] if count == 1 and rng.random() < 0.6 else chosen


_STRING_OPS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
)
_STRING_KEYS: dict[str, tuple[str, ...]] = {
    "aws:username": ("alice", "ALICE", "bob", "al*", "?lice", "*", "${aws:PrincipalTag/team}"),
    "aws:PrincipalTag/team": (
        "storage",
        "Storage",
        "web",
        "st*",
        "${aws:username}",
        "${aws:username, 'storage'}",
    ),
    "elasticfilesystem:AccessPointArn": (AP_ARN, OTHER_AP_ARN, AP_ARN.rsplit("/", 1)[0] + "/*"),
}
_NUMERIC_OPS = (
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
)
_DATE_OPS = (
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
)
_ARN_OPS = ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")
_ARN_VALUES = (
    ROLE,
    OTHER_ROLE,
    X_ROLE,
    f"arn:aws:iam::{ACCOUNT}:role/*",
    "arn:aws:iam::*:role/app",
    f"arn:aws:iam::{ACCOUNT}:role/ap?",
    AP_ARN,
    f"arn:aws:elasticfilesystem:*:{ACCOUNT}:access-point/*",
)
# Not generated (iam-simulate 0.1.173 disagrees with the AWS docs, README.md): "0.0.0.0/0", and a
# plain IPv4 address (no /32) compared with an IPv6 request address.
_IP_VALUES = ("203.0.113.0/24", "198.51.100.20/32", "10.0.0.0/8", "0.0.0.0/1", "2001:db8::/32")


def _condition_entry(rng: random.Random) -> tuple[str, str, str | list[str]]:
    family = rng.choice(("string", "numeric", "date", "bool", "ip", "arn", "null", "set"))
    if family == "string":
        key = rng.choice(tuple(_STRING_KEYS))
        return rng.choice(_STRING_OPS), key, _pick(rng, _STRING_KEYS[key])
    if family == "numeric":
        return rng.choice(_NUMERIC_OPS), "aws:MultiFactorAuthAge", _pick(rng, ("30", "600", "3600"))
    if family == "date":
        values = ("2026-01-01T00:00:00Z", "2026-06-01T12:00:00Z", "2025-06-01")
        return rng.choice(_DATE_OPS), "aws:CurrentTime", _pick(rng, values)
    if family == "bool":
        key = rng.choice(("aws:SecureTransport", "elasticfilesystem:AccessedViaMountTarget"))
        return "Bool", key, _pick(rng, ("true", "false"))
    if family == "ip":
        return rng.choice(("IpAddress", "NotIpAddress")), "aws:SourceIp", _pick(rng, _IP_VALUES)
    if family == "arn":
        key = rng.choice(("aws:PrincipalArn", "elasticfilesystem:AccessPointArn"))
        return rng.choice(_ARN_OPS), key, _pick(rng, _ARN_VALUES)
    if family == "null":
        return "Null", rng.choice(tuple(CONTEXT_VALUES)), _pick(rng, ("true", "false"))
    operator = rng.choice(
        (
            "ForAnyValue:StringEquals",
            "ForAllValues:StringEquals",
            "ForAnyValue:StringLike",
            "ForAllValues:StringNotEquals",
            "ForAnyValue:StringNotLike",
        )
    )
    return operator, "aws:TagKeys", _pick(rng, ("env", "team", "own*", "Env"))


def _conditions(rng: random.Random) -> dict[str, dict[str, str | list[str]]] | None:
    count = rng.choice((0, 0, 1, 1, 2, 3))
    if not count:
        return None
    block: dict[str, dict[str, str | list[str]]] = {}
    for _ in range(count):
        operator, key, value = _condition_entry(rng)
        if operator != "Null" and not operator.startswith("For") and rng.random() < 0.2:
            operator += "IfExists"
        block.setdefault(operator, {})[key] = value
    return block


# -- statements ------------------------------------------------------------------------------


def _one_or_list(rng: random.Random, values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 and rng.random() < 0.7 else values


def _actions(rng: random.Random) -> str | list[str]:
    pool = (
        *ACTIONS,
        "elasticfilesystem:Client*",
        "elasticfilesystem:*",
        "*",
        "elasticfilesystem:clientwrite",
        "elasticfilesystem:Client?ount",
        "elasticfilesystem:DescribeFileSystems",
    )
    return _one_or_list(rng, rng.sample(pool, rng.choice((1, 1, 2, 3))))


def _resources(rng: random.Random) -> str | list[str]:
    pool = (
        "*",
        FS_ARN,
        OTHER_FS_ARN,
        f"arn:aws:elasticfilesystem:*:{ACCOUNT}:file-system/*",
        f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-0123*",
        "arn:aws:elasticfilesystem:us-east-?:*:file-system/fs-0123456789abcdef?",
    )
    return _one_or_list(rng, rng.sample(pool, rng.choice((1, 1, 2))))


def _principal(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.2:
        return "*"
    if roll < 0.35:
        return {"AWS": "*"}
    pool = (
        ACCOUNT,
        f"arn:aws:iam::{ACCOUNT}:root",
        ROLE,
        ROLE_WITH_PATH,
        OTHER_ROLE,
        SESSION,
        USER,
        OTHER_ACCOUNT,
        X_ROLE,
        f"arn:aws:iam::{OTHER_ACCOUNT}:root",
    )
    return {"AWS": _one_or_list(rng, rng.sample(pool, rng.choice((1, 1, 2))))}


def _statement(rng: random.Random, resource_policy: bool) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Deny" if rng.random() < 0.3 else "Allow"}
    if resource_policy:
        if rng.random() < 0.08:
            entries = rng.sample((ROLE, SESSION, USER, X_SESSION), rng.choice((1, 2)))
            statement["NotPrincipal"] = {"AWS": _one_or_list(rng, entries)}
        else:
            statement["Principal"] = _principal(rng)
    statement["NotAction" if rng.random() < 0.1 else "Action"] = _actions(rng)
    statement["NotResource" if rng.random() < 0.08 else "Resource"] = _resources(rng)
    conditions = _conditions(rng)
    if conditions:
        statement["Condition"] = conditions
    return statement


def _policy(rng: random.Random, resource_policy: bool) -> dict[str, Any]:
    statements = [_statement(rng, resource_policy) for _ in range(rng.choice((1, 1, 2, 3, 4)))]
    return {"Version": "2012-10-17", "Statement": statements}


def generate(count: int, seed: int = 20261126) -> list[Case]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        principal, _account = rng.choice(PRINCIPALS)
        resource_policy = _policy(rng, True) if rng.random() < 0.9 else None
        identities = []
        if principal is not None:
            identities = [_policy(rng, False) for _ in range(rng.choice((0, 1, 1, 2)))]
        cases.append(
            Case(
                resource_policy=resource_policy,
                identity_policies=identities,
                principal=principal,
                action=rng.choice(ACTIONS),
                context=_context(rng),
            )
        )
    return cases
