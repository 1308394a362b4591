"""Policy variables (``${aws:username}``, ``${key, 'default'}``, ``${*}``, ``${?}``, ``${$}``).

A value is split once into literal text, wildcards and variables. A variable whose key is
absent from the request context (and has no default), or holds several values, cannot be
substituted and the value then matches nothing
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value).
Variables are only recognised with ``"Version": "2012-10-17"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from efs_doctor.engine.iam.context_value import ContextValue
from efs_doctor.engine.iam.wildcard import star_join


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # lower case: context key names are case-insensitive
    default: str | None
    text: str


Token = str | Variable  # a literal run, the wildcards "\x00*" / "\x00?", or a variable

STAR = "\x00*"
QMARK = "\x00?"
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Template:
    tokens: tuple[Token, ...]
    variables: tuple[Variable, ...]

    @property
    def has_variables(self) -> bool:
        return bool(self.variables)


@lru_cache(maxsize=4096)
def parse_template(text: str, variables_enabled: bool = True) -> Template:
    tokens: list[Token] = []
    found: list[Variable] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            tokens.append("".join(literal))
            literal.clear()

    index = 0
    while index < len(text):
        char = text[index]
        if char in "*?":
            flush()
            tokens.append(STAR if char == "*" else QMARK)
            index += 1
            continue
        if variables_enabled and text.startswith("${", index):
            end = text.find("}", index + 2)
            if end != -1:
                inner = text[index + 2 : end]
                if inner in _ESCAPES:
                    literal.append(_ESCAPES[inner])
                else:
                    flush()
                    variable = _variable(inner, text[index : end + 1])
                    tokens.append(variable)
                    found.append(variable)
                index = end + 1
                continue
        literal.append(char)
        index += 1
    flush()
    return Template(tuple(tokens), tuple(found))


def _variable(inner: str, text: str) -> Variable:
    name, sep, rest = inner.partition(",")
    default = None
    if sep:
        rest = rest.strip()
        if len(rest) >= 2 and rest[0] == rest[-1] == "'":
            default = rest[1:-1]
    return Variable(key=name.strip().lower(), default=default, text=text)


def resolve_text(template: Template, context: Mapping[str, ContextValue]) -> str | None:
    """The value with variables substituted (wildcards kept as ``*``/``?``), or ``None``."""
    out: list[str] = []
    for token in template.tokens:
        if isinstance(token, Variable):
            value = substitute(token, context)
            if value is None:
                return None
            out.append(value)
        elif token == STAR:
            out.append("*")
        elif token == QMARK:
            out.append("?")
        else:
            out.append(token)
    return "".join(out)


def substitute(variable: Variable, context: Mapping[str, ContextValue]) -> str | None:
    value = context.get(variable.key)
    if isinstance(value, str):
        return str(value)
    if value is None and variable.default is not None:
        return variable.default
    return None  # absent without default, or multivalued


def to_regex(template: Template, context: Mapping[str, ContextValue], like: bool) -> str | None:
    """Regex source for the value; wildcards are patterns only when ``like`` is true (the
    pieces between stars joined by :func:`~efs_doctor.engine.iam.wildcard.star_join`)."""
    segments: list[str] = [""]
    for token in template.tokens:
        if isinstance(token, Variable):
            value = substitute(token, context)
            if value is None:
                return None
            segments[-1] += re.escape(value)
        elif token == STAR:
            if like:
                segments.append("")
            else:
                segments[-1] += re.escape("*")
        elif token == QMARK:
            segments[-1] += "." if like else re.escape("?")
        else:
            segments[-1] += re.escape(token)
    return star_join(segments)


@lru_cache(maxsize=8192)
def compile_regex(source: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(source, re.DOTALL | (re.IGNORECASE if ignore_case else 0))
