"""Evaluating one condition entry against a request context, IAM semantics.

Rules (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):

- several values for one key are ORed; for a negated operator the result is true only when
  the context value matches none of them (NOR). A value that cannot be read or whose policy
  variable cannot be substituted matches nothing and, for a negated operator, makes the
  condition false.
- key absent: positive operators false; negated operators true; ``...IfExists`` true;
  ``Null: true`` true; ``ForAllValues`` true; ``ForAnyValue`` false (efs-semantics.md §4.5).
- a multivalued key needs a set operator; a plain operator on it is false.
- ``ForAllValues``: every context value must satisfy the base operator; ``ForAnyValue``: one.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from efs_doctor.engine.iam import values as v
from efs_doctor.engine.iam.context_value import ContextValue, Opaque
from efs_doctor.engine.iam.model import Condition
from efs_doctor.engine.iam.variables import (
    compile_regex,
    parse_template,
    resolve_text,
    to_regex,
)

Context = Mapping[str, ContextValue]
ValueTest = Callable[[str, Context], bool | None]

# Negated operators are evaluated through their positive counterpart.
POSITIVE = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}

# Outcome codes, rendered to sentences by the trace module.
MATCHED = "matched"
NOT_MATCHED = "not-matched"
ABSENT_FALSE = "absent-false"
ABSENT_TRUE = "absent-true"
MULTIVALUED = "multivalued-needs-set-operator"
UNRESOLVED = "variable-unresolved"
IGNORED = "ignored"
OPAQUE = "opaque"


class ConditionOutcome(NamedTuple):
    matched: bool
    code: str
    seen: ContextValue | None  # the context value compared (None: key absent)


class CompiledCondition:
    """A condition entry with its value tests built once."""

    __slots__ = ("condition", "key", "negated", "tests", "variable_keys")

    def __init__(self, condition: Condition, variables_enabled: bool) -> None:
        self.condition = condition
        self.key = condition.key_lower
        self.negated = condition.negated
        base = POSITIVE.get(condition.base, condition.base)
        self.tests: tuple[ValueTest, ...] = tuple(
            _value_test(base, value, variables_enabled) for value in condition.values
        )
        keys: list[str] = []
        if variables_enabled and condition.family in ("string", "arn"):
            for value in condition.values:
                keys.extend(var.key for var in parse_template(value).variables)
        self.variable_keys = frozenset(keys)

    def evaluate(self, context: Context, ignored: frozenset[str] = frozenset()) -> ConditionOutcome:
        if ignored and (self.key in ignored or self.variable_keys & ignored):
            return ConditionOutcome(True, IGNORED, context.get(self.key))
        condition = self.condition
        seen = context.get(self.key)
        if condition.family == "null":
            want = "true" if seen is None else "false"
            hit = any(value.lower() == want for value in condition.values)
            return ConditionOutcome(hit, MATCHED if hit else NOT_MATCHED, seen)
        if seen is None or seen == ():
            absent_result = condition.if_exists or (
                condition.set_operator == "ForAllValues"
                if condition.set_operator
                else condition.negated
            )
            return ConditionOutcome(
                absent_result, ABSENT_TRUE if absent_result else ABSENT_FALSE, None
            )
        if condition.set_operator is None:
            if isinstance(seen, tuple):
                return ConditionOutcome(False, MULTIVALUED, seen)
            return self._single(seen, context)
        items = (seen,) if isinstance(seen, str) else seen
        results = [self._single(item, context) for item in items]
        if condition.set_operator == "ForAllValues":
            hit = all(result.matched for result in results)
        else:
            hit = any(result.matched for result in results)
        codes = {result.code for result in results}
        code = UNRESOLVED if UNRESOLVED in codes and not hit else (MATCHED if hit else NOT_MATCHED)
        return ConditionOutcome(hit, code, seen)

    def _single(self, seen: str, context: Context) -> ConditionOutcome:
        if isinstance(seen, Opaque):
            return ConditionOutcome(self.negated, OPAQUE, seen)
        # Positive: any value matches. Negated: every value is a clean non-match (NOR); a value
        # that cannot be read or substituted (None) makes the negated condition false.
        negated = self.negated
        unresolved = False
        hit = negated
        for test in self.tests:
            result = test(seen, context)
            if result is None:
                unresolved = True
                if negated:
                    hit = False
                    break
            elif result:
                hit = not negated
                break
        if not hit and unresolved and self.variable_keys:
            return ConditionOutcome(False, UNRESOLVED, seen)
        return ConditionOutcome(hit, MATCHED if hit else NOT_MATCHED, seen)


def _value_test(base: str, value: str, variables_enabled: bool) -> ValueTest:
    if base.startswith("String"):
        return _string_test(base, value, variables_enabled)
    if base.startswith("Numeric"):
        return _ordered_test(
            _COMPARE[base[len("Numeric") :]], v.parse_number(value), v.parse_number
        )
    if base.startswith("Date"):
        return _ordered_test(_COMPARE[base[len("Date") :]], v.parse_date(value), v.parse_date)
    if base == "Bool":
        wanted = v.parse_bool(value)

        def bool_test(seen: str, _context: Context) -> bool | None:
            got = v.parse_bool(seen)
            return None if got is None or wanted is None else got == wanted

        return bool_test
    if base == "BinaryEquals":
        return lambda seen, _context: seen == value
    if base == "IpAddress":
        return _ip_test(value)
    if base in ("ArnEquals", "ArnLike"):
        return _arn_test(value, variables_enabled)
    return lambda _seen, _context: None


def _string_test(base: str, value: str, variables_enabled: bool) -> ValueTest:
    template = parse_template(value, variables_enabled)
    like = base == "StringLike"
    ignore_case = base == "StringEqualsIgnoreCase"
    if not template.has_variables:
        if like:
            pattern = compile_regex(to_regex(template, {}, True) or "", False)
            return lambda seen, _context: pattern.fullmatch(seen) is not None
        literal = resolve_text(template, {}) or ""
        if ignore_case:
            lowered = literal.lower()
            return lambda seen, _context: seen.lower() == lowered
        return lambda seen, _context: seen == literal

    def dynamic(seen: str, context: Context) -> bool | None:
        source = to_regex(template, context, like)
        if source is None:
            return None
        return compile_regex(source, ignore_case).fullmatch(seen) is not None

    return dynamic


def _ordered_test(
    compare: Callable[[Any, Any], bool],
    wanted: Decimal | float | None,
    parse: Callable[[str], Decimal | float | None],
) -> ValueTest:
    def test(seen: str, _context: Context) -> bool | None:
        got = parse(seen)
        if got is None or wanted is None:
            return None
        return compare(got, wanted)

    return test


def _ip_test(value: str) -> ValueTest:
    network = v.parse_network(value)

    def test(seen: str, _context: Context) -> bool | None:
        address = v.parse_address(seen)
        if address is None or network is None:
            return None
        if address.version != network.version:
            return False
        return address in network

    return test


def _arn_test(value: str, variables_enabled: bool) -> ValueTest:
    # ArnEquals and ArnLike behave alike: each of the six colon-separated parts is compared
    # separately, case-sensitively, and may hold * and ? (condition operators page, ARN section).
    policy_parts = v.split_arn(value)
    if policy_parts is None:
        return lambda _seen, _context: None
    templates = [parse_template(part, variables_enabled) for part in policy_parts[1:]]
    if not any(t.has_variables for t in templates):
        patterns = [compile_regex(to_regex(t, {}, True) or "", False) for t in templates]

        def static_test(seen: str, _context: Context) -> bool | None:
            seen_parts = v.split_arn(seen)
            if seen_parts is None:
                return None
            return all(
                p.fullmatch(part) is not None
                for p, part in zip(patterns, seen_parts[1:], strict=True)
            )

        return static_test

    def test(seen: str, context: Context) -> bool | None:
        seen_parts = v.split_arn(seen)
        if seen_parts is None:
            return None
        for template, part in zip(templates, seen_parts[1:], strict=True):
            source = to_regex(template, context, True)
            if source is None:
                return None
            if compile_regex(source, False).fullmatch(part) is None:
                return False
        return True

    return test
