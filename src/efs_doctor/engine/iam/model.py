"""The typed, normalised form of an IAM policy document and of the problems found reading it.

Every element keeps the JSON path it was read from, so findings and traces can point at the
exact place in the file. Single values are normalised to tuples; nothing here evaluates.
Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

from efs_doctor.model.problems import one_line

JsonPath = tuple[str | int, ...]
Effect = Literal["Allow", "Deny"]
PolicyKind = Literal["resource", "identity"]
Severity = Literal["error", "warning"]
SetOperator = Literal["ForAnyValue", "ForAllValues"]
OperatorFamily = Literal["string", "numeric", "date", "bool", "binary", "ip", "arn", "null"]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def format_json_path(path: JsonPath) -> str:
    """``("Statement", 0, "Condition", "ArnLike", "aws:PrincipalArn")`` ->
    ``$.Statement[0].Condition.ArnLike["aws:PrincipalArn"]``."""
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.match(part):
            out.append(f".{part}")
        else:
            out.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """A grammar or validation problem at ``path`` (line/column when the text was given)."""

    path: JsonPath
    message: str
    severity: Severity = "error"
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:  # messages quote keys: keep them one line
        object.__setattr__(self, "message", one_line(self.message))

    @property
    def json_path(self) -> str:
        return format_json_path(self.path)

    def format(self, source: str | None = None) -> str:
        where = source or "<policy>"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.message} (at {self.json_path})"


@dataclass(frozen=True, slots=True)
class Principals:
    """A ``Principal`` or ``NotPrincipal`` element.

    ``anyone`` is true for ``"*"`` and for ``{"AWS": "*"}``, which IAM treats alike ("All
    principals", reference_policies_elements_principal.html; efs-semantics.md §4.4).
    """

    anyone: bool
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()
    path: JsonPath = ()


@dataclass(frozen=True, slots=True)
class Condition:
    """One ``operator -> key -> values`` entry of a ``Condition`` block."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    base: str  # canonical base operator, e.g. "StringLike"
    family: OperatorFamily
    negated: bool  # StringNotEquals, ArnNotLike, NotIpAddress, ...
    if_exists: bool
    set_operator: SetOperator | None
    key: str  # as written; compare with ``key_lower`` (key names are case-insensitive)
    values: tuple[str, ...]
    path: JsonPath
    value_is_list: bool = False

    @property
    def key_lower(self) -> str:
        return self.key.lower()


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    sid: str | None
    effect: Effect
    principal: Principals | None
    not_principal: Principals | None
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]  # () with ``resource_missing`` when the element is absent
    not_resource: bool
    conditions: tuple[Condition, ...]
    path: JsonPath
    resource_missing: bool = False

    @property
    def label(self) -> str:
        return f"#{self.index}" + (f' "{self.sid}"' if self.sid else "")


@dataclass(frozen=True, slots=True)
class Policy:
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]

    @property
    def variables_enabled(self) -> bool:
        # Policy variables are only substituted with Version 2012-10-17; otherwise "${...}" is
        # literal text (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
        return self.version == "2012-10-17"
