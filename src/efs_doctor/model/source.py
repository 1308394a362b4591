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


Locator = Callable[[FieldPath], tuple[int, int] | None]


@dataclass(eq=False, slots=True)
class SourceMap:
    """Positions of one document's fields. ``marks`` may be computed lazily by ``loader``.

    A ``locator`` answers for one field at a time without computing every mark (JSON: a
    scan of the few containers on the way to the field); when set, ``location`` uses it
    until somebody asks for all ``marks``."""

    path: str | None
    line: int | None = None
    column: int | None = None
    _marks: Marks | None = None
    _loader: Callable[[], Marks] | None = field(default=None, repr=False)
    _locator: Locator | None = field(default=None, repr=False)
    # marks grouped by their first n path elements, per n (built once, for ``sub``)
    _groups: dict[int, dict[FieldPath, dict[FieldPath, tuple[int, int]]]] | None = field(
        default=None, repr=False
    )

    @property
    def marks(self) -> Marks:
        if self._marks is None:
            loader, self._loader = self._loader, None
            self._marks = loader() if loader is not None else {}
        return self._marks

    def _find(self, path: FieldPath) -> tuple[int, int] | None:
        if self._marks is None and self._locator is not None:
            return self._locator(path)
        return self.marks.get(path)

    def location(self, *field_path: str | int, object_name: str | None = None) -> Location:
        """The location of ``field_path`` (or of the nearest enclosing field that is known)."""
        path = tuple(field_path)
        while path:
            found = self._find(path)
            if found is not None:
                return Location(self.path, found[0], found[1], object_name)
            path = path[:-1]
        return Location(self.path, self.line, self.column, object_name)

    def sub(self, *prefix: str | int) -> SourceMap:
        """The source map of the value at ``prefix`` (a list item, a nested object), with
        positions relative to it; as lazy as this one."""
        where = self.location(*prefix)
        n = len(prefix)

        def marks() -> Marks:
            return self._grouped(n).get(prefix, {})

        locator: Locator | None = None
        outer = self._locator
        if self._marks is None and outer is not None:

            def locator(path: FieldPath) -> tuple[int, int] | None:
                return outer((*prefix, *path))

        return SourceMap(self.path, where.line, where.column, _loader=marks, _locator=locator)

    def _grouped(self, n: int) -> dict[FieldPath, dict[FieldPath, tuple[int, int]]]:
        """Every mark under a path of ``n`` elements, by that path, found in one pass: the
        items of a 5,000-item list each asking would otherwise scan all marks (issue 8)."""
        if self._groups is None:
            self._groups = {}
        groups = self._groups.get(n)
        if groups is None:
            groups = self._groups[n] = {}
            for key, value in self.marks.items():
                if len(key) >= n:
                    groups.setdefault(key[:n], {})[key[n:]] = value
        return groups


LIVE = SourceMap(path=None)
