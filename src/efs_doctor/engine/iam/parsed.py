"""A policy read from a document or a JSON text: model, grammar problems with positions, and
the compiled form the evaluator uses."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from efs_doctor.engine.iam.compiled import CompiledPolicy
from efs_doctor.engine.iam.grammar import read_policy
from efs_doctor.engine.iam.model import JsonPath, Policy, PolicyKind, PolicyProblem
from efs_doctor.engine.iam.positions import json_marks, locate

# EFS file system policies are limited to 20,000 characters (efs-semantics.md §4.4).
MAX_POLICY_CHARS = 20_000


@dataclass(frozen=True, eq=False)
class ParsedPolicy:
    policy: Policy
    problems: tuple[PolicyProblem, ...]
    kind: PolicyKind
    source: str | None  # file name, for messages
    size: int  # characters of the text (or of its compact JSON form)
    document: object = field(repr=False)
    compiled: CompiledPolicy = field(repr=False)
    marks: Mapping[JsonPath, tuple[int, int]] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> tuple[PolicyProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        return not self.errors

    def position(self, path: JsonPath) -> tuple[int, int] | None:
        """Line and column of ``path`` (or its nearest known ancestor) when the text was given."""
        return locate(self.marks, path) if self.marks else None


class PolicyTextError(ValueError):
    """The text is not JSON; ``line``/``column`` locate the problem (1-based)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def parse_policy(
    document: object,
    *,
    kind: PolicyKind = "resource",
    path: str | None = None,
    text: str | None = None,
    marks: Mapping[JsonPath, tuple[int, int]] | None = None,
    label: str | None = None,
) -> ParsedPolicy:
    """Read a decoded policy document. Give ``text`` (or ``marks``) to get line:col positions."""
    policy, problems = read_policy(document, kind)
    if marks is None and text is not None:
        marks = json_marks(text)
    positioned = marks or {}
    if positioned:
        problems = [_with_position(problem, positioned) for problem in problems]
    size = len(text) if text is not None else len(json.dumps(document, separators=(",", ":")))
    default_label = "file-system-policy" if kind == "resource" else "identity-policy"
    return ParsedPolicy(
        policy=policy,
        problems=tuple(problems),
        kind=kind,
        source=path,
        size=size,
        document=document,
        compiled=CompiledPolicy(policy, label or default_label),
        marks=positioned,
    )


def _with_position(
    problem: PolicyProblem, marks: Mapping[JsonPath, tuple[int, int]]
) -> PolicyProblem:
    found = locate(marks, problem.path)
    if found is None:
        return problem
    return replace(problem, line=found[0], column=found[1])


def _duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def decode_policy_text(text: str) -> object:
    """``json.loads`` that rejects duplicate keys (IAM would silently keep one of them).

    Raises :class:`PolicyTextError` with the position of the problem.
    """
    try:
        return json.loads(text, object_pairs_hook=_duplicate_keys)
    except json.JSONDecodeError as error:
        raise PolicyTextError(f"invalid JSON: {error.msg}", error.lineno, error.colno) from None
    except _DuplicateKey as duplicate:
        line, column = _find_key(text, duplicate.key)
        raise PolicyTextError(
            # json.dumps quotes the key with its control characters escaped: one line.
            f"duplicate key {json.dumps(duplicate.key)}: only one of them would take effect",
            line,
            column,
        ) from None
    except RecursionError:
        raise PolicyTextError("invalid JSON: nested too deeply", 1, 1) from None
    except ValueError:  # an integer over sys.get_int_max_str_digits() digits
        line, column = _long_number(text)
        raise PolicyTextError("invalid JSON: a number with too many digits", line, column) from None


def _long_number(text: str) -> tuple[int, int]:
    found = re.search(rf"\d{{{sys.get_int_max_str_digits() + 1},}}", text)
    offset = found.start() if found else 0
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _find_key(text: str, key: str) -> tuple[int, int]:
    needle = json.dumps(key)
    first = text.find(needle)
    second = text.find(needle, first + 1) if first != -1 else -1
    offset = second if second != -1 else max(first, 0)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def parse_policy_text(
    text: str, *, kind: PolicyKind = "resource", path: str | None = None, label: str | None = None
) -> ParsedPolicy:
    """Decode and read a policy from JSON text. Raises :class:`PolicyTextError` on bad JSON."""
    document = decode_policy_text(text)
    return parse_policy(document, kind=kind, path=path, text=text, label=label)
