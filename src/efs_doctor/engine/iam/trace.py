"""What the evaluation saw, statement by statement: the explanation behind every decision."""

from __future__ import annotations

from typing import Literal, NamedTuple

from efs_doctor.engine.iam import conditions as c
from efs_doctor.engine.iam.context_value import ContextValue
from efs_doctor.engine.iam.model import JsonPath, format_json_path

PrincipalResult = Literal["matched", "account", "not-matched", "not-applicable"]

_NOTES = {
    c.MATCHED: "holds",
    c.NOT_MATCHED: "does not hold",
    c.ABSENT_FALSE: "key absent from the request: the condition is false",
    c.ABSENT_TRUE: "key absent from the request: the condition is true "
    "(negated operator, IfExists or ForAllValues)",
    c.MULTIVALUED: "the key has several values: a ForAnyValue/ForAllValues operator is needed",
    c.UNRESOLVED: "a policy variable has no value in the request: the value never matches",
    c.IGNORED: "hypothesis: EFS ignores this key (not enforced for NFS clients)",
    c.OPAQUE: "the client address is private: EFS matches aws:SourceIp against public ranges only",
}


class ConditionTrace(NamedTuple):
    operator: str
    key: str
    values: tuple[str, ...]
    seen: ContextValue | None  # None: the key is absent from the request
    matched: bool
    code: str
    path: JsonPath

    @property
    def note(self) -> str:
        return _NOTES.get(self.code, self.code)

    def to_json(self) -> dict[str, object]:
        seen: object = list(self.seen) if isinstance(self.seen, tuple) else self.seen
        return {
            "operator": self.operator,
            "key": self.key,
            "values": list(self.values),
            "context_value": seen,
            "matched": self.matched,
            "note": self.note,
            "json_path": format_json_path(self.path),
        }


class StatementTrace(NamedTuple):
    policy: str  # "file-system-policy", "default-policy" or an identity policy's label
    number: int  # the statement's index in the policy ("statement #0")
    sid: str | None
    effect: str
    principal: PrincipalResult
    principal_entry: str | None
    action: bool
    resource: bool
    conditions: tuple[ConditionTrace, ...]
    applies: bool  # every element matched (an account principal only delegates)
    path: JsonPath

    @property
    def label(self) -> str:
        return f"{self.policy} statement #{self.number}" + (f' "{self.sid}"' if self.sid else "")

    @property
    def failed_conditions(self) -> tuple[ConditionTrace, ...]:
        return tuple(trace for trace in self.conditions if not trace.matched)

    def to_json(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "index": self.number,
            "sid": self.sid,
            "effect": self.effect,
            "applies": self.applies,
            "principal": self.principal,
            "principal_entry": self.principal_entry,
            "action_matched": self.action,
            "resource_matched": self.resource,
            "conditions": [trace.to_json() for trace in self.conditions],
            "json_path": format_json_path(self.path),
        }
