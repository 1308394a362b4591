"""A safe YAML loader for CloudFormation templates: the short-form intrinsic tags become the
JSON form (``!Ref X`` -> ``{"Ref": "X"}``, ``!GetAtt A.B`` -> ``{"Fn::GetAtt": ["A", "B"]}``,
``!Sub ...`` -> ``{"Fn::Sub": ...}``), any other tag is refused, and so are aliases, as in the
Kubernetes path (documents.py). Only templates take this path: Kubernetes YAML keeps refusing
unknown tags.

Tags: CloudFormation User Guide, "Intrinsic function reference" (short form of each function)
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from efs_doctor.model.problems import InputProblem
from efs_doctor.model.source import FieldPath, Location, SourceMap
from efs_doctor.sources.documents import Document, GuardedSafeLoader, yaml_problem

_Base: Any = GuardedSafeLoader

FUNCTIONS = (
    "And",
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Not",
    "Or",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "ToJsonString",
    "Length",
)
_TOP_LEVEL_RESOURCES = re.compile(r"^Resources[ \t]*:", re.MULTILINE)
_TEMPLATE_HINT = re.compile(
    r"^AWSTemplateFormatVersion[ \t]*:|^[ \t]+Type:[ \t]*['\"]?(AWS|Custom)::", re.MULTILINE
)


class TemplateLoader(_Base):  # type: ignore[misc]
    """PyYAML's safe loader plus CloudFormation's short-form tags."""


def _construct(name: str) -> Any:
    key = "Ref" if name == "Ref" else "Condition" if name == "Condition" else f"Fn::{name}"

    def construct(loader: Any, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "GetAtt" and isinstance(value, str):
                resource, _, attribute = value.partition(".")
                value = [resource, attribute]
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {key: value}

    return construct


for _name in (*FUNCTIONS, "Ref", "Condition"):
    TemplateLoader.add_constructor(f"!{_name}", _construct(_name))


def looks_like_yaml_template(text: str) -> bool:
    """A top-level ``Resources:`` and a template version or a ``Type: AWS::``/``Custom::``."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return False
    return bool(_TOP_LEVEL_RESOURCES.search(text) and _TEMPLATE_HINT.search(text))


def _marks(node: yaml.Node) -> dict[FieldPath, tuple[int, int]]:
    marks: dict[FieldPath, tuple[int, int]] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, FieldPath]] = [(node, ())]
    while stack:
        current, path = stack.pop()
        if id(current) in seen:
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


class _AliasRefused(Exception):
    def __init__(self, line: int, column: int) -> None:
        super().__init__("aliases are not accepted")
        self.line, self.column = line, column


def parse_template_yaml(path: str, text: str, problems: list[InputProblem]) -> Iterator[Document]:
    loader = TemplateLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return
        try:
            marks = _marks(node)
        except _AliasRefused as refused:
            problems.append(
                InputProblem(
                    Location(path, refused.line, refused.column),
                    "YAML aliases/anchors are not accepted in templates (they can expand "
                    "without bound); write the values out; template skipped",
                )
            )
            return
        data = loader.construct_document(node)
        start = node.start_mark
        yield Document(data, SourceMap(path, start.line + 1, start.column + 1, marks))
    except yaml.YAMLError as error:
        problems.append(yaml_problem(path, error, text, "CloudFormation YAML"))
    except RecursionError:
        problems.append(InputProblem(Location(path), "template nested too deeply; skipped"))
    finally:
        loader.dispose()
