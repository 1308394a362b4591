"""Line and column of every member and array item in a JSON text, keyed by JSON path.

The standard ``json`` module gives no positions, so this walks the (already valid) text once.
For an object member the position is that of its key; for an array item, that of the item.
Positions are a courtesy: on anything unexpected the walk stops and returns what it has.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re
from collections.abc import Mapping

from efs_doctor.engine.iam.model import JsonPath

Marks = dict[JsonPath, tuple[int, int]]

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR_END = re.compile(r"[^,\]\}\s]*")


class _Stop(Exception):
    pass


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.marks: Marks = {}

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def skip_ws(self, index: int) -> int:
        match = _WS.match(self.text, index)
        return match.end() if match else index

    def read_string(self, index: int) -> tuple[str, int]:
        # json's own scanner decodes escapes exactly; it returns the index after the quote.
        value, end = json.decoder.scanstring(self.text, index + 1)  # type: ignore[attr-defined]
        return str(value), int(end)

    def value(self, index: int, path: JsonPath) -> int:
        index = self.skip_ws(index)
        if index >= len(self.text):
            raise _Stop
        char = self.text[index]
        if char == "{":
            return self.obj(index + 1, path)
        if char == "[":
            return self.array(index + 1, path)
        if char == '"':
            return self.read_string(index)[1]
        match = _SCALAR_END.match(self.text, index)
        if match is None or match.end() == index:
            raise _Stop
        return match.end()

    def obj(self, index: int, path: JsonPath) -> int:
        index = self.skip_ws(index)
        if self.text.startswith("}", index):
            return index + 1
        while True:
            index = self.skip_ws(index)
            if not self.text.startswith('"', index):
                raise _Stop
            key_offset = index
            key, index = self.read_string(index)
            child = (*path, key)
            self.marks.setdefault(child, self.position(key_offset))
            index = self.skip_ws(index)
            if not self.text.startswith(":", index):
                raise _Stop
            index = self.value(index + 1, child)
            index = self.skip_ws(index)
            if self.text.startswith(",", index):
                index += 1
                continue
            if self.text.startswith("}", index):
                return index + 1
            raise _Stop

    def array(self, index: int, path: JsonPath) -> int:
        index = self.skip_ws(index)
        if self.text.startswith("]", index):
            return index + 1
        item = 0
        while True:
            index = self.skip_ws(index)
            child = (*path, item)
            self.marks[child] = self.position(index)
            index = self.value(index, child)
            index = self.skip_ws(index)
            if self.text.startswith(",", index):
                index += 1
                item += 1
                continue
            if self.text.startswith("]", index):
                return index + 1
            raise _Stop


def json_marks(text: str) -> Marks:
    """``{json_path: (line, column)}`` (1-based) for a JSON text; ``()`` is the root value."""
    walker = _Walker(text)
    start = walker.skip_ws(0)
    walker.marks[()] = walker.position(start)
    with contextlib.suppress(_Stop, RecursionError, ValueError, IndexError):
        walker.value(start, ())
    return walker.marks


def locate(marks: Mapping[JsonPath, tuple[int, int]], path: JsonPath) -> tuple[int, int] | None:
    """The position of ``path`` or of its nearest known ancestor."""
    current = path
    while True:
        found = marks.get(current)
        if found is not None:
            return found
        if not current:
            return None
        current = current[:-1]
