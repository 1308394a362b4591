"""Parsing text into documents with positions: YAML (libyaml) and JSON.

YAML is read with PyYAML's safe loader (libyaml's ``CSafeLoader`` when available): no
Python tags, and aliases are refused outright because an alias bomb loads in no time but
explodes on the first walk (dependencies.md §5). Field positions are collected from the
composed node tree in the same pass. JSON is parsed with the standard library; its field
positions are computed only if asked for.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from efs_doctor.model.problems import InputProblem, ProblemLevel, one_line
from efs_doctor.model.source import FieldPath, Location, SourceMap

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR_TAGS = ("int", "float", "timestamp")


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, except that a scalar Python cannot hold (an integer of more than 4300
    digits, ``2024-02-30`` read as a date) is a YAML error at its position, not a ValueError."""


def _guarded(construct: Callable[[Any, yaml.Node], Any]) -> Callable[[Any, yaml.Node], Any]:
    def guarded(loader: Any, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value: {_value_reason(error)}", node.start_mark
            ) from None

    return guarded


for _tag in _SCALAR_TAGS:
    _name = f"tag:yaml.org,2002:{_tag}"
    _Loader.add_constructor(_name, _guarded(_BaseLoader.yaml_constructors[_name]))


def _value_reason(error: Exception) -> str:
    text = str(error)
    if "integer string conversion" in text:  # sys.get_int_max_str_digits() guards int()
        return f"a number with more than {sys.get_int_max_str_digits()} digits"
    return text.splitlines()[0] if text else type(error).__name__


@dataclass(frozen=True, slots=True)
class Document:
    data: Any
    source: SourceMap


class _AliasRefused(Exception):
    def __init__(self, line: int, column: int) -> None:
        super().__init__("YAML aliases/anchors are not accepted")
        self.line, self.column = line, column


@dataclass(frozen=True, slots=True)
class _Duplicate:
    key: str
    line: int
    column: int
    first_line: int


def _collect_marks(
    node: yaml.Node, duplicates: list[_Duplicate] | None = None
) -> dict[FieldPath, tuple[int, int]]:
    marks: dict[FieldPath, tuple[int, int]] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, FieldPath]] = [(node, ())]
    while stack:  # iterative: deep nesting must not exhaust the Python stack
        current, path = stack.pop()
        if id(current) in seen:  # a node reached twice is an alias
            mark = current.start_mark
            raise _AliasRefused(mark.line + 1, mark.column + 1)
        seen.add(id(current))
        marks[path] = (current.start_mark.line + 1, current.start_mark.column + 1)
        if isinstance(current, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    mark = key.start_mark
                    if key.value not in keys:
                        keys[key.value] = mark.line + 1
                    elif duplicates is not None:
                        first = keys[key.value]
                        duplicates.append(
                            _Duplicate(key.value, mark.line + 1, mark.column + 1, first)
                        )
                    stack.append((value, (*path, key.value)))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                stack.append((item, (*path, index)))
    return marks


def _yaml_problem(path: str, error: yaml.YAMLError, text: str) -> InputProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML forbids; no mark
        character = error.character
        shown = f"#x{character:04x}" if isinstance(character, int) else repr(character)
        message = f"invalid YAML: character {shown} is not allowed ({error.reason})"
        line, column = _line_column(text, error.position)
        return InputProblem(Location(path, line, column), one_line(message))
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    message = one_line(f"invalid YAML: {problem}" + (f" ({context})" if context else ""))
    if mark is not None:
        return InputProblem(Location(path, mark.line + 1, mark.column + 1), message)
    return InputProblem(Location(path, 1, 1), message)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _duplicate_problem(path: str, duplicate: _Duplicate) -> InputProblem:
    # kubectl since about 1.21 refuses such a file ('mapping key "spec" already defined at
    # line 7', github.com/olix0r/l2-k3d-multi/issues/6); older kubectl and the API server
    # kept the last value (github.com/kubernetes/kubernetes/issues/89303). We keep the last
    # one, as the YAML and JSON libraries do, and say so.
    return InputProblem(
        Location(path, duplicate.line, duplicate.column),
        one_line(
            f"duplicate key {duplicate.key!r} (first at line {duplicate.first_line}); the last "
            "value is used (kubectl rejects duplicate keys)"
        ),
        ProblemLevel.WARNING,
    )


def parse_yaml(path: str, text: str, problems: list[InputProblem]) -> Iterator[Document]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            duplicates: list[_Duplicate] = []
            try:
                marks = _collect_marks(node, duplicates)
            except _AliasRefused as refused:
                problems.append(
                    InputProblem(
                        Location(path, refused.line, refused.column),
                        "YAML aliases/anchors are not accepted (they can expand without "
                        "bound); write the values out; document skipped",
                    )
                )
                continue
            problems.extend(_duplicate_problem(path, d) for d in duplicates)
            data = loader.construct_document(node)
            start = node.start_mark
            yield Document(data, SourceMap(path, start.line + 1, start.column + 1, marks))
    except yaml.YAMLError as error:
        problems.append(_yaml_problem(path, error, text))
    except RecursionError:
        problems.append(InputProblem(Location(path), "document nested too deeply; skipped"))
    finally:
        loader.dispose()


def _json_marks(text: str) -> dict[FieldPath, tuple[int, int]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return _collect_marks(node) if node is not None else {}
    finally:
        loader.dispose()


class _JsonPositions:
    """Positions of JSON values, found one path at a time.

    Composing a whole JSON document with the YAML parser to get its marks costs about thirty
    times ``json.loads`` (a 20 MB describe answer: ~20 s). Here each container on the way to a
    field is scanned once, value by value with the C decoder's ``raw_decode``, and its
    children's offsets cached: listing the items of a big answer costs about one more
    ``json.loads``; a field inside one item, a scan of that item only."""

    _SPACE = " \t\n\r"

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder()
        self.children: dict[FieldPath, dict[str | int, int]] = {}
        self.line_starts: list[int] | None = None

    def _skip(self, index: int) -> int:
        text, space = self.text, self._SPACE
        while index < len(text) and text[index] in space:
            index += 1
        return index

    def _scan(self, start: int) -> dict[str | int, int]:
        """Offsets of the children of the container starting at ``start``."""
        text = self.text
        found: dict[str | int, int] = {}
        opening = text[start] if start < len(text) else ""
        if opening not in ("{", "["):
            return found
        closing = "}" if opening == "{" else "]"
        index, count = self._skip(start + 1), 0
        while index < len(text) and text[index] != closing:
            key: str | int = count
            if opening == "{":
                name, index = self.decoder.raw_decode(text, index)
                index = self._skip(self._skip(index) + 1)  # past ':'
                key = str(name)
            found[key] = index  # a repeated key: the last one, as json.loads keeps
            _value, index = self.decoder.raw_decode(text, index)
            index = self._skip(index)
            if index < len(text) and text[index] == ",":
                index = self._skip(index + 1)
            count += 1
        return found

    def offset(self, path: FieldPath) -> int | None:
        index = self._skip(0)
        for depth in range(len(path)):
            parent = tuple(path[:depth])
            kids = self.children.get(parent)
            if kids is None:
                kids = self.children[parent] = self._scan(index)
            found = kids.get(path[depth])
            if found is None:
                return None
            index = found
        return index

    def locate(self, path: FieldPath) -> tuple[int, int] | None:
        found = self.offset(path)
        if found is None:
            return None
        if self.line_starts is None:
            lengths = (len(line) + 1 for line in self.text.split("\n"))
            self.line_starts = list(itertools.accumulate(lengths, initial=0))
        line = bisect.bisect_right(self.line_starts, found) - 1
        return line + 1, found - self.line_starts[line] + 1


class _KeyCounter:
    """``object_pairs_hook`` that notes repeated keys (json.loads keeps the last one)."""

    def __init__(self) -> None:
        self.repeated: dict[str, None] = {}

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            for key, _value in pairs:
                if key in seen:
                    self.repeated.setdefault(key)
                seen.add(key)
        return result


_LONG_INTEGER = re.compile(rf"-?\d{{{sys.get_int_max_str_digits() + 1},}}")


def _duplicate_json_problem(path: str, text: str, key: str) -> InputProblem:
    needle = json.dumps(key)
    first = text.find(needle)
    second = text.find(needle, first + 1) if first != -1 else -1
    line, column = _line_column(text, second if second != -1 else max(first, 0))
    first_line = _line_column(text, max(first, 0))[0]
    return _duplicate_problem(path, _Duplicate(key, line, column, first_line))


def parse_json(path: str, text: str, problems: list[InputProblem]) -> Iterator[Document]:
    counter = _KeyCounter()
    try:
        data = json.loads(text, object_pairs_hook=counter)
    except json.JSONDecodeError as error:
        problems.append(
            InputProblem(
                Location(path, error.lineno, error.colno), one_line(f"invalid JSON: {error.msg}")
            )
        )
        return
    except RecursionError:
        problems.append(
            InputProblem(Location(path), "JSON nested too deeply (over ~1000 levels); skipped")
        )
        return
    except ValueError as error:  # integers longer than Python's digit limit
        found = _LONG_INTEGER.search(text)
        line, column = _line_column(text, found.start()) if found else (1, 1)
        problems.append(
            InputProblem(
                Location(path, line, column), f"invalid JSON: {_value_reason(error)}; skipped"
            )
        )
        return
    for key in counter.repeated:
        problems.append(_duplicate_json_problem(path, text, key))
    positions = _JsonPositions(text)
    start = positions.locate(()) or (1, 1)
    yield Document(
        data,
        SourceMap(path, *start, _loader=lambda: _json_marks(text), _locator=positions.locate),
    )


def parse_text(path: str, text: str, problems: list[InputProblem]) -> Iterator[Document]:
    """JSON when the text starts like JSON, else YAML (which also reads most JSON).

    Text that starts like JSON but is not JSON is read as YAML unless the file is named
    ``.json``: a one-line flow-style manifest (``{apiVersion: v1, kind: Pod, ...}``) is valid
    YAML, and kubectl accepts it."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        json_problems: list[InputProblem] = []
        documents = list(parse_json(path, text, json_problems))
        if documents or path.lower().endswith(".json"):
            problems.extend(json_problems)
            yield from documents
            return
    yield from parse_yaml(path, text, problems)
