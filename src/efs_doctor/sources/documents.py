"""Parsing text into documents with positions: YAML (libyaml) and JSON.

YAML is read with PyYAML's safe loader (libyaml's ``CSafeLoader`` when available): no
Python tags, and aliases are refused outright because an alias bomb loads in no time but
explodes on the first walk (dependencies.md §5). Field positions are collected from the
composed node tree in the same pass. JSON is parsed with the standard library; its field
positions are computed only if asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from efs_doctor.model.problems import InputProblem
from efs_doctor.model.source import FieldPath, Location, SourceMap

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Document:
    data: Any
    source: SourceMap


class _AliasRefused(Exception):
    def __init__(self, line: int, column: int) -> None:
        super().__init__("YAML aliases/anchors are not accepted")
        self.line, self.column = line, column


def _collect_marks(node: yaml.Node) -> dict[FieldPath, tuple[int, int]]:
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
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    stack.append((value, (*path, key.value)))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                stack.append((item, (*path, index)))
    return marks


def _yaml_problem(path: str, error: yaml.YAMLError) -> InputProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    if mark is not None:
        return InputProblem(Location(path, mark.line + 1, mark.column + 1), message)
    return InputProblem(Location(path), message)


def parse_yaml(path: str, text: str, problems: list[InputProblem]) -> Iterator[Document]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            try:
                marks = _collect_marks(node)
            except _AliasRefused as refused:
                problems.append(
                    InputProblem(
                        Location(path, refused.line, refused.column),
                        "YAML aliases/anchors are not accepted (they can expand without "
                        "bound); write the values out; document skipped",
                    )
                )
                continue
            data = loader.construct_document(node)
            start = node.start_mark
            yield Document(data, SourceMap(path, start.line + 1, start.column + 1, marks))
    except yaml.YAMLError as error:
        problems.append(_yaml_problem(path, error))
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


def parse_json(path: str, text: str, problems: list[InputProblem]) -> Iterator[Document]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        problems.append(
            InputProblem(Location(path, error.lineno, error.colno), f"invalid JSON: {error.msg}")
        )
        return
    except RecursionError:
        problems.append(
            InputProblem(Location(path), "JSON nested too deeply (over ~1000 levels); skipped")
        )
        return
    except ValueError as error:  # e.g. integers longer than Python's digit limit
        problems.append(InputProblem(Location(path), f"invalid JSON: {error}"))
        return
    yield Document(data, SourceMap(path, 1, 1, _loader=lambda: _json_marks(text)))


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
