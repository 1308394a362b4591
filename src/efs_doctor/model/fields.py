"""Typed reads from raw JSON/YAML data that report wrong types instead of raising.

Model constructors use :class:`FieldReader` so that a field of the wrong type becomes one
clear problem naming the object, the field and its position, and a safe default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.model.source import FieldPath, SourceMap

_MISSING = object()


def _describe(value: object) -> str:
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
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class FieldReader:
    """Reads fields of one raw object; collects problems in ``problems``."""

    __slots__ = ("label", "problems", "raw", "source")

    def __init__(self, raw: Mapping[str, Any], source: SourceMap, label: str) -> None:
        self.raw = raw
        self.source = source
        self.label = label
        self.problems: list[InputProblem] = []

    def _get(self, path: FieldPath) -> Any:
        node: Any = self.raw
        for part in path:
            if isinstance(part, int):
                if not isinstance(node, list) or part >= len(node):
                    return _MISSING
                node = node[part]
            else:
                # a dict first: the Mapping ABC check costs a sixth of building the model
                if type(node) is not dict and not isinstance(node, Mapping):
                    return _MISSING
                node = node.get(part, _MISSING)
                if node is _MISSING:
                    return _MISSING
        return node

    def problem(
        self, path: FieldPath, message: str, level: ProblemLevel = ProblemLevel.WARNING
    ) -> None:
        dotted = ".".join(str(p) for p in path)
        self.problems.append(
            InputProblem(
                self.source.location(*path), f"{self.label}: field {dotted} {message}", level
            )
        )

    def _typed(self, path: FieldPath, types: tuple[type, ...], expected: str) -> Any:
        value = self._get(path)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, bool) and bool not in types:
            self.problem(path, f"must be {expected}, got {_describe(value)}; ignored")
            return None
        if not isinstance(value, types):
            self.problem(path, f"must be {expected}, got {_describe(value)}; ignored")
            return None
        return value

    def mapping(self, *path: str | int) -> Mapping[str, Any]:
        value = self._typed(path, (dict,), "a mapping")
        return value if value is not None else {}

    def items(self, *path: str | int) -> list[Any]:
        value = self._typed(path, (list,), "a list")
        return value if value is not None else []

    def string(self, *path: str | int) -> str | None:
        value = self._get(path)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if not isinstance(value, str):
            self.problem(path, f"must be a string, got {_describe(value)}; ignored")
            return None
        return value

    def integer(self, *path: str | int) -> int | None:
        value = self._get(path)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                return int(value)
            self.problem(path, f"must be an integer, got {_describe(value)}; ignored")
            return None
        return value

    def boolean(self, *path: str | int) -> bool | None:
        value = self._get(path)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.problem(path, f"must be a boolean, got {_describe(value)}; ignored")
        return None

    def objects(self, *path: str | int) -> tuple[list[tuple[int, Mapping[str, Any]]], bool]:
        """The objects a listing answer holds at ``path`` (``MountTargets``, ``Reservations``),
        each with its index, and whether that list was read whole. A field that is not a
        list, or an item that is not an object, is an error naming its position and type:
        what it held is not read, and the answer cannot say that nothing else exists. An
        absent field is an empty list, read whole."""
        value = self._get(path)
        if value is _MISSING:
            return [], True
        if not isinstance(value, list):
            self.problem(
                path, f"must be a list, got {_describe(value)}; not read", ProblemLevel.ERROR
            )
            return [], False
        found: list[tuple[int, Mapping[str, Any]]] = []
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                found.append((index, item))
            else:
                self.problem(
                    (*path, index),
                    f"must be an object, got {_describe(item)}; not read",
                    ProblemLevel.ERROR,
                )
        return found, len(found) == len(value)

    def strings(self, *path: str | int) -> tuple[str, ...]:
        """A list of strings; non-string entries are reported and skipped."""
        out: list[str] = []
        for index, item in enumerate(self.items(*path)):
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, int | float) and not isinstance(item, bool):
                out.append(str(item))
            else:
                self.problem((*path, index), f"must be a string, got {_describe(item)}; ignored")
        return tuple(out)

    def string_map(self, *path: str | int) -> dict[str, str]:
        """A mapping of strings (labels, annotations, parameters, volumeAttributes)."""
        out: dict[str, str] = {}
        for key, value in self.mapping(*path).items():
            if isinstance(value, str):
                out[str(key)] = value
            elif isinstance(value, bool):
                out[str(key)] = "true" if value else "false"
            elif isinstance(value, int | float):
                out[str(key)] = str(value)
            else:
                self.problem((*path, key), f"must be a string, got {_describe(value)}; ignored")
        return out
