"""Where a loaded object came from: file, line and column of the object and of its fields.

A :class:`SourceMap` is kept beside the data instead of inside it. For YAML the field
positions come for free from the composed node tree; for JSON they are computed only when
somebody asks for a field's position (most objects never get a finding).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

FieldPath = tuple[str | int, ...]
Marks = Mapping[FieldPath, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Location:
    """A point in an input: ``path:line:column`` (1-based), or an AWS/live object with no file."""

    path: str | None
    line: int | None = None
    column: int | None = None
    object: str | None = None

    def __str__(self) -> str:
        if self.path is None:
            return self.object or "<unknown>"
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(eq=False, slots=True)
class SourceMap:
    """Positions of one document's fields. ``marks`` may be computed lazily by ``loader``."""

    path: str | None
    line: int | None = None
    column: int | None = None
    _marks: Marks | None = None
    _loader: Callable[[], Marks] | None = field(default=None, repr=False)

    @property
    def marks(self) -> Marks:
        if self._marks is None:
            loader, self._loader = self._loader, None
            try:
                self._marks = loader() if loader is not None else {}
            except Exception:  # positions are a courtesy: never fail a run over them
                self._marks = {}
        return self._marks

    def location(self, *field_path: str | int, object_name: str | None = None) -> Location:
        """The location of ``field_path`` (or of the nearest enclosing field that is known)."""
        path = tuple(field_path)
        marks = self.marks
        while path:
            found = marks.get(path)
            if found is not None:
                return Location(self.path, found[0], found[1], object_name)
            path = path[:-1]
        return Location(self.path, self.line, self.column, object_name)


LIVE = SourceMap(path=None)
