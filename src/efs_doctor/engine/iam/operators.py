"""The names of the IAM condition operators and how an operator string decomposes.

``[ForAnyValue:|ForAllValues:]<Base>[IfExists]``; ``Null`` takes neither prefix nor suffix.
Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

from dataclasses import dataclass

from efs_doctor.engine.iam.model import OperatorFamily, SetOperator

# base operator -> (family, negated)
BASE_OPERATORS: dict[str, tuple[OperatorFamily, bool]] = {
    "StringEquals": ("string", False),
    "StringNotEquals": ("string", True),
    "StringEqualsIgnoreCase": ("string", False),
    "StringNotEqualsIgnoreCase": ("string", True),
    "StringLike": ("string", False),
    "StringNotLike": ("string", True),
    "NumericEquals": ("numeric", False),
    "NumericNotEquals": ("numeric", True),
    "NumericLessThan": ("numeric", False),
    "NumericLessThanEquals": ("numeric", False),
    "NumericGreaterThan": ("numeric", False),
    "NumericGreaterThanEquals": ("numeric", False),
    "DateEquals": ("date", False),
    "DateNotEquals": ("date", True),
    "DateLessThan": ("date", False),
    "DateLessThanEquals": ("date", False),
    "DateGreaterThan": ("date", False),
    "DateGreaterThanEquals": ("date", False),
    "Bool": ("bool", False),
    "BinaryEquals": ("binary", False),
    "IpAddress": ("ip", False),
    "NotIpAddress": ("ip", True),
    "ArnEquals": ("arn", False),
    "ArnLike": ("arn", False),
    "ArnNotEquals": ("arn", True),
    "ArnNotLike": ("arn", True),
    "Null": ("null", False),
}

_BY_LOWER = {name.lower(): name for name in BASE_OPERATORS}
_SET_OPERATORS: dict[str, SetOperator] = {
    "foranyvalue": "ForAnyValue",
    "forallvalues": "ForAllValues",
}


@dataclass(frozen=True, slots=True)
class OperatorName:
    base: str
    family: OperatorFamily
    negated: bool
    if_exists: bool
    set_operator: SetOperator | None
    canonical: str  # the spelling AWS documents
    case_differs: bool


def parse_operator(text: str) -> OperatorName | str:
    """The decomposed operator, or an error message."""
    rest = text
    set_operator: SetOperator | None = None
    if ":" in rest:
        prefix, _, rest = rest.partition(":")
        found = _SET_OPERATORS.get(prefix.lower())
        if found is None:
            return f'unknown set operator "{prefix}" (expected ForAnyValue or ForAllValues)'
        set_operator = found
    if_exists = False
    base = _BY_LOWER.get(rest.lower())
    if base is None and rest.lower().endswith("ifexists"):
        base = _BY_LOWER.get(rest[: -len("IfExists")].lower())
        if_exists = base is not None
    if base is None:
        return f'unknown condition operator "{text}"'
    if base == "Null" and (if_exists or set_operator):
        return f'"{text}" is not valid: Null takes no IfExists suffix or set operator'
    family, negated = BASE_OPERATORS[base]
    canonical = (
        (f"{set_operator}:" if set_operator else "") + base + ("IfExists" if if_exists else "")
    )
    return OperatorName(
        base=base,
        family=family,
        negated=negated,
        if_exists=if_exists,
        set_operator=set_operator,
        canonical=canonical,
        case_differs=canonical != text,
    )
