"""Reading a policy document (already decoded JSON) into the typed model, with grammar problems.

A statement that cannot be evaluated faithfully (no valid ``Effect``, no ``Action``, a resource
policy statement without ``Principal``, an unknown condition operator) is reported as an error
and left out of the model; AWS would reject the whole policy anyway.
Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

from efs_doctor.engine.iam import values as value_checks
from efs_doctor.engine.iam.model import (
    Condition,
    Effect,
    JsonPath,
    Policy,
    PolicyKind,
    PolicyProblem,
    Principals,
    Severity,
    Statement,
)
from efs_doctor.engine.iam.operators import parse_operator

TOP_LEVEL = ("Version", "Id", "Statement")
STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
VERSIONS = ("2012-10-17", "2008-10-17")

_ACTION = re.compile(r"[A-Za-z0-9_-]+:[A-Za-z0-9*?_-]+\Z")
_ACCOUNT = re.compile(r"\d{12}\Z")
_SID = re.compile(r"[A-Za-z0-9]*\Z")


class _Reader:
    def __init__(self, kind: PolicyKind) -> None:
        self.kind = kind
        self.problems: list[PolicyProblem] = []

    def problem(self, path: JsonPath, message: str, severity: Severity = "error") -> None:
        self.problems.append(PolicyProblem(path, message, severity))

    def unknown_key(self, path: JsonPath, key: str, known: Sequence[str], what: str) -> None:
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        self.problem(path, f'unknown {what} "{key}"{hint}; expected one of {", ".join(known)}')

    # -- document ---------------------------------------------------------------------------

    def document(self, document: object) -> Policy:
        if not isinstance(document, Mapping):
            self.problem((), f"a policy must be a JSON object, not {_type_name(document)}")
            return Policy(version=None, id=None, statements=())
        for key in document:
            if key not in TOP_LEVEL:
                self.unknown_key((str(key),), str(key), TOP_LEVEL, "top-level element")
        version = self.version(document)
        policy_id = document.get("Id")
        if policy_id is not None and not isinstance(policy_id, str):
            self.problem(("Id",), "Id must be a string")
            policy_id = None
        statements = self.statements(document)
        return Policy(version=version, id=policy_id, statements=tuple(statements))

    def version(self, document: Mapping[str, object]) -> str | None:
        if "Version" not in document:
            self.problem(
                (),
                "Version is missing: policy variables such as ${aws:username} are then taken "
                'literally; add "Version": "2012-10-17"',
                "warning",
            )
            return None
        version = document["Version"]
        if not isinstance(version, str) or version not in VERSIONS:
            self.problem(
                ("Version",), f'Version must be "2012-10-17" or "2008-10-17", not {version!r}'
            )
            return None
        return version

    def statements(self, document: Mapping[str, object]) -> list[Statement]:
        if "Statement" not in document:
            self.problem((), "Statement is missing")
            return []
        raw = document["Statement"]
        items: list[tuple[JsonPath, object]]
        if isinstance(raw, Mapping):
            items = [(("Statement",), raw)]
        elif isinstance(raw, list):
            items = [(("Statement", i), item) for i, item in enumerate(raw)]
            if not raw:
                self.problem(("Statement",), "Statement is an empty list", "warning")
        else:
            self.problem(("Statement",), "Statement must be an object or a list of objects")
            return []
        out: list[Statement] = []
        sids: dict[str, JsonPath] = {}
        for index, (path, item) in enumerate(items):
            statement = self.statement(index, path, item, sids)
            if statement is not None:
                out.append(statement)
        return out

    # -- statement --------------------------------------------------------------------------

    def statement(
        self, index: int, path: JsonPath, item: object, sids: dict[str, JsonPath]
    ) -> Statement | None:
        if not isinstance(item, Mapping):
            self.problem(path, f"a statement must be a JSON object, not {_type_name(item)}")
            return None
        before = len([p for p in self.problems if p.severity == "error"])
        for key in item:
            if key not in STATEMENT_KEYS:
                self.unknown_key((*path, str(key)), str(key), STATEMENT_KEYS, "statement element")
        sid = self.sid(path, item, sids)
        effect = self.effect(path, item)
        principal, not_principal = self.principal_elements(path, item)
        actions, not_action = self.either(path, item, "Action", "NotAction", required=True)
        for i, action in enumerate(actions):
            self.check_action(
                _item_path(path, item, "NotAction" if not_action else "Action", i), action
            )
        resources, not_resource = self.either(
            path, item, "Resource", "NotResource", required=self.kind == "identity"
        )
        resource_missing = "Resource" not in item and "NotResource" not in item
        if resource_missing and self.kind == "resource":
            self.problem(
                path,
                "Resource is missing; it is taken to be the file system the policy is attached to",
                "warning",
            )
        for i, resource in enumerate(resources):
            self.check_resource(
                _item_path(path, item, "NotResource" if not_resource else "Resource", i), resource
            )
        conditions = self.conditions(path, item)
        errors_now = len([p for p in self.problems if p.severity == "error"])
        if effect is None or not actions or errors_now > before:
            return None
        return Statement(
            index=index,
            sid=sid,
            effect=effect,
            principal=principal,
            not_principal=not_principal,
            actions=actions,
            not_action=not_action,
            resources=resources,
            not_resource=not_resource,
            conditions=tuple(conditions),
            path=path,
            resource_missing=resource_missing,
        )

    def sid(
        self, path: JsonPath, item: Mapping[str, object], sids: dict[str, JsonPath]
    ) -> str | None:
        if "Sid" not in item:
            return None
        sid = item["Sid"]
        if not isinstance(sid, str):
            self.problem((*path, "Sid"), "Sid must be a string")
            return None
        if not _SID.match(sid):
            self.problem(
                (*path, "Sid"),
                f'Sid "{sid}" has characters IAM does not accept in identity policies '
                "(use A-Z, a-z, 0-9)",
                "warning",
            )
        if sid and sid in sids:
            self.problem((*path, "Sid"), f'duplicate Sid "{sid}"', "warning")
        sids.setdefault(sid, path)
        return sid

    def effect(self, path: JsonPath, item: Mapping[str, object]) -> Effect | None:
        if "Effect" not in item:
            self.problem(path, "Effect is missing")
            return None
        effect = item["Effect"]
        if effect == "Allow":
            return "Allow"
        if effect == "Deny":
            return "Deny"
        self.problem(
            (*path, "Effect"), f'Effect must be "Allow" or "Deny" (case-sensitive), not {effect!r}'
        )
        return None

    def either(
        self, path: JsonPath, item: Mapping[str, object], name: str, negated: str, *, required: bool
    ) -> tuple[tuple[str, ...], bool]:
        if name in item and negated in item:
            self.problem(path, f"a statement cannot have both {name} and {negated}")
            return (), False
        key = name if name in item else negated if negated in item else None
        if key is None:
            if required:
                self.problem(path, f"one of {name} or {negated} is required")
            return (), False
        return self.strings((*path, key), item[key], key), key == negated

    def strings(self, path: JsonPath, raw: object, what: str) -> tuple[str, ...]:
        if isinstance(raw, str):
            return (raw,)
        if isinstance(raw, list):
            if not raw:
                self.problem(path, f"{what} is an empty list")
            out: list[str] = []
            for i, item in enumerate(raw):
                if isinstance(item, str):
                    out.append(item)
                else:
                    self.problem(
                        (*path, i), f"{what} entries must be strings, not {_type_name(item)}"
                    )
            return tuple(out)
        self.problem(path, f"{what} must be a string or a list of strings, not {_type_name(raw)}")
        return ()

    def check_action(self, path: JsonPath, action: str) -> None:
        if action != "*" and not _ACTION.match(action):
            self.problem(path, f'"{action}" is not an action: expected "service:Action" or "*"')

    def check_resource(self, path: JsonPath, resource: str) -> None:
        if resource == "*":
            return
        if not resource.startswith("arn:") or resource.count(":") < 5:
            self.problem(
                path,
                f'"{resource}" is not "*" or an ARN '
                "(arn:partition:service:region:account:resource)",
            )

    # -- principal --------------------------------------------------------------------------

    def principal_elements(
        self, path: JsonPath, item: Mapping[str, object]
    ) -> tuple[Principals | None, Principals | None]:
        has_p, has_np = "Principal" in item, "NotPrincipal" in item
        if self.kind == "identity":
            for name in ("Principal", "NotPrincipal"):
                if name in item:
                    self.problem(
                        (*path, name), f"{name} is not allowed in an identity-based policy"
                    )
            return None, None
        if has_p and has_np:
            self.problem(path, "a statement cannot have both Principal and NotPrincipal")
            return None, None
        if not has_p and not has_np:
            self.problem(path, "Principal is required in a resource-based (file system) policy")
            return None, None
        name = "Principal" if has_p else "NotPrincipal"
        parsed = self.principals((*path, name), item[name])
        return (parsed, None) if has_p else (None, parsed)

    def principals(self, path: JsonPath, raw: object) -> Principals | None:
        if raw == "*":
            return Principals(anyone=True, path=path)
        if not isinstance(raw, Mapping):
            self.problem(path, 'Principal must be "*" or an object such as {"AWS": "<ARN>"}')
            return None
        found: dict[str, tuple[str, ...]] = {}
        for key, value in raw.items():
            if key not in PRINCIPAL_TYPES:
                self.unknown_key((*path, str(key)), str(key), PRINCIPAL_TYPES, "principal type")
                continue
            found[key] = self.strings((*path, key), value, f"Principal {key}")
        aws = found.get("AWS", ())
        for i, entry in enumerate(aws):
            entry_path = (*path, "AWS") if isinstance(raw.get("AWS"), str) else (*path, "AWS", i)
            self.check_aws_principal(entry_path, entry)
        for key in ("Service", "Federated", "CanonicalUser"):
            if found.get(key):
                self.problem(
                    (*path, key),
                    f"a {key} principal never matches an NFS client; EFS sees anonymous clients "
                    "or IAM users and role sessions",
                    "warning",
                )
        return Principals(
            anyone="*" in aws,
            aws=tuple(a for a in aws if a != "*"),
            service=found.get("Service", ()),
            federated=found.get("Federated", ()),
            canonical_user=found.get("CanonicalUser", ()),
            path=path,
        )

    def check_aws_principal(self, path: JsonPath, entry: str) -> None:
        if entry == "*" or _ACCOUNT.match(entry):
            return
        if not entry.startswith("arn:") or entry.count(":") < 5:
            self.problem(
                path, f'"{entry}" is not an AWS principal: use an account ID, an ARN or "*"'
            )
            return
        if "*" in entry or "?" in entry:
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
            self.problem(
                path,
                f'wildcards are not allowed in Principal ARNs ("{entry}"); name each role, '
                'or use "*" and restrict with elasticfilesystem:AccessPointArn',
            )

    # -- condition --------------------------------------------------------------------------

    def conditions(self, path: JsonPath, item: Mapping[str, object]) -> list[Condition]:
        if "Condition" not in item:
            return []
        block_path = (*path, "Condition")
        block = item["Condition"]
        if not isinstance(block, Mapping):
            self.problem(block_path, "Condition must be an object of operator -> {key: value}")
            return []
        out: list[Condition] = []
        for operator_text, entries in block.items():
            op_path = (*block_path, str(operator_text))
            operator = parse_operator(str(operator_text))
            if isinstance(operator, str):
                self.problem(op_path, operator)
                continue
            if operator.case_differs:
                self.problem(op_path, f'write the operator as "{operator.canonical}"', "warning")
            if not isinstance(entries, Mapping):
                self.problem(op_path, f"{operator_text} must map condition keys to values")
                continue
            if not entries:
                self.problem(op_path, f"{operator_text} has no condition keys", "warning")
            for key, raw_values in entries.items():
                key_path = (*op_path, str(key))
                values = self.condition_values(key_path, raw_values)
                if values is None:
                    continue
                for i, value in enumerate(values):
                    message = value_checks.check_value(operator.family, value)
                    if message:
                        value_path = (*key_path, i) if isinstance(raw_values, list) else key_path
                        self.problem(value_path, f"{operator_text}: {message}", "warning")
                out.append(
                    Condition(
                        operator=str(operator_text),
                        base=operator.base,
                        family=operator.family,
                        negated=operator.negated,
                        if_exists=operator.if_exists,
                        set_operator=operator.set_operator,
                        key=str(key),
                        values=values,
                        path=key_path,
                        value_is_list=isinstance(raw_values, list),
                    )
                )
        return out

    def condition_values(self, path: JsonPath, raw: object) -> tuple[str, ...] | None:
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            self.problem(path, "condition value list is empty")
            return None
        out: list[str] = []
        for i, item in enumerate(items):
            text = _scalar_text(item)
            if text is None:
                where = (*path, i) if isinstance(raw, list) else path
                self.problem(
                    where,
                    "condition values must be strings, numbers or booleans, "
                    f"not {_type_name(item)}",
                )
                return None
            out.append(text)
        return tuple(out)


def _item_path(path: JsonPath, item: Mapping[str, object], key: str, index: int) -> JsonPath:
    """The path of entry ``index`` of ``key``: the key itself when it holds a single string."""
    return (*path, key, index) if isinstance(item.get(key), list) else (*path, key)


def _scalar_text(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    return None


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def read_policy(document: object, kind: PolicyKind) -> tuple[Policy, list[PolicyProblem]]:
    """The policy model and the problems found (without positions)."""
    reader = _Reader(kind)
    policy = reader.document(document)
    return policy, reader.problems
