"""Where a rendered object comes from: the file and line to edit.

kustomize writes ``config.kubernetes.io/origin`` on each object when the kustomization
asks for ``buildMetadata: [originAnnotations]``: the file the object was read from
(relative to the kustomization that was built), or the generator and the kustomization
that made it (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/buildmetadata/).
The object is then found by kind and name in that file, and its field positions are kept
where the rendered value is still the one written there (a patched field points at the
nearest enclosing field that was not changed).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from efs_doctor.model.problems import InputProblem
from efs_doctor.model.source import FieldPath, Marks, SourceMap
from efs_doctor.sources.documents import Document, parse_yaml
from efs_doctor.sources.files import read_input

ORIGIN = "config.kubernetes.io/origin"
TRANSFORMATIONS = "alpha.config.kubernetes.io/transformations"
BUILD_ANNOTATIONS = (ORIGIN, TRANSFORMATIONS)
# Generators a kustomization configures, by the field that configures them.
_GENERATOR_FIELDS = {
    "ConfigMapGenerator": "configMapGenerator",
    "SecretGenerator": "secretGenerator",
}


def strip_build_annotations(data: Any) -> str | None:
    """Remove kustomize's build annotations from ``data`` (a rendered object); return
    the origin annotation's text, if any. An annotations map left empty goes too."""
    if not isinstance(data, dict):
        return None
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return None
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict):
        return None
    origin = annotations.pop(ORIGIN, None)
    annotations.pop(TRANSFORMATIONS, None)
    if not annotations:
        del metadata["annotations"]
    return origin if isinstance(origin, str) else None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where one rendered object was found: the original file (absolute; None: not a
    local file, the object points at the unit's kustomization), the object's line and
    column there, and the positions of its fields still as written (None: the object has
    no field positions, as for a generated one). Kept in the render cache, so that a
    second scan neither reads nor parses the origin files again."""

    path: str | None
    line: int | None = None
    column: int | None = None
    marks: Marks | None = None

    def as_json(self) -> list[Any]:
        """The origin as stored; the field positions as one JSON text, decoded only for an
        object that gets a finding (and sent across processes as one string: issue 22)."""
        marks = None
        if self.marks is not None:
            marks = json.dumps(
                [[list(k), *v] for k, v in self.marks.items()], separators=(",", ":")
            )
        return [self.path, self.line, self.column, marks]

    @classmethod
    def from_json(cls, value: Any) -> Origin | None:
        """The origin stored by :meth:`as_json`, or None if ``value`` is not one."""
        if not (isinstance(value, list) and len(value) == 4):
            return None
        path, line, column, marks = value
        if not (
            (path is None or isinstance(path, str))
            and (line is None or isinstance(line, int))
            and (column is None or isinstance(column, int))
            and (marks is None or isinstance(marks, str))
        ):
            return None
        return cls(path, line, column, None if marks is None else _StoredMarks(marks))


class _StoredMarks(Mapping[FieldPath, tuple[int, int]]):
    """Field positions read back from the cache as text, turned into a mapping only when
    asked (most objects never get a finding); text that is not what :meth:`Origin.as_json`
    writes gives no positions (the object's own line still locates it)."""

    def __init__(self, stored: str) -> None:
        self._stored = stored
        self._marks: dict[FieldPath, tuple[int, int]] | None = None

    def _built(self) -> dict[FieldPath, tuple[int, int]]:
        if self._marks is None:
            try:
                items = json.loads(self._stored)
            except ValueError:
                items = None
            self._marks = {
                tuple(item[0]): (item[1], item[2])
                for item in (items if isinstance(items, list) else ())
                if isinstance(item, list) and len(item) == 3 and isinstance(item[0], list)
            }
        return self._marks

    def __getitem__(self, path: FieldPath) -> tuple[int, int]:
        return self._built()[path]

    def __iter__(self) -> Iterator[FieldPath]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())


@dataclass
class OriginFinder:
    """Turns origin annotations of one build into origins, and origins into source maps.

    ``base``: the directory the origin paths are relative to (the wrapper kustomization's).
    ``shown``: absolute path -> the path as the user gave it (the walked files).
    ``fallback``: the file objects without a local origin point at (the root's
    kustomization)."""

    base: str
    shown: Mapping[str, str]
    fallback: str
    relative: bool
    _documents: dict[str, list[Document]] = field(default_factory=dict)

    def origin_of(self, data: Any, annotation: str | None) -> Origin:
        fields = _origin_fields(annotation)
        path = fields.get("path")
        if isinstance(path, str) and "repo" not in fields:
            full = os.path.normpath(os.path.join(self.base, path))
            return self._in_file(full, data)
        configured = fields.get("configuredIn")
        if isinstance(configured, str):  # made by a generator: the kustomization
            full = os.path.normpath(os.path.join(self.base, configured))
            by = fields.get("configuredBy")
            kind = by.get("kind") if isinstance(by, Mapping) else None
            return self._generator(full, _GENERATOR_FIELDS.get(str(kind)))
        return Origin(None)  # a remote base: where it is included

    def source(self, origin: Origin) -> SourceMap:
        """``origin`` as a source map naming the file as the user gave it."""
        if origin.path is None:
            return SourceMap(self.fallback)
        marks = origin.marks
        if marks is None:
            return SourceMap(self.show(origin.path), origin.line, origin.column)
        return SourceMap(self.show(origin.path), origin.line, origin.column, marks)

    def show(self, full: str) -> str:
        shown = self.shown.get(full)
        if shown is not None:
            return shown
        return os.path.relpath(full) if self.relative else full

    def _in_file(self, full: str, data: Any) -> Origin:
        document = _matching(self._read(full), data)
        if document is None:
            return Origin(full, 1, 1)
        source = document.source
        marks = _unchanged_marks(source.marks, document.data, data)
        return Origin(full, source.line, source.column, marks)

    def _generator(self, full: str, field_name: str | None) -> Origin:
        documents = self._read(full)
        if not documents:
            return Origin(full, 1, 1)
        where = documents[0].source.location(*((field_name,) if field_name else ()))
        return Origin(full, where.line, where.column)

    def _read(self, full: str) -> list[Document]:
        documents = self._documents.get(full)
        if documents is None:
            ignored: list[InputProblem] = []  # the file's own problems: reported if scanned
            loaded = read_input(full, ignored)
            documents = [] if loaded is None else list(parse_yaml(full, loaded.text, ignored))
            self._documents[full] = documents
        return documents


def _origin_fields(origin: str | None) -> Mapping[str, Any]:
    if not origin:
        return {}
    for document in parse_yaml("<origin>", origin, [], positions=False):
        if isinstance(document.data, Mapping):
            return document.data
    return {}


def _identity(data: Any) -> tuple[str, str]:
    if not isinstance(data, Mapping):
        return "", ""
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return str(data.get("kind", "")), str(name or "")


def _matching(documents: list[Document], rendered: Any) -> Document | None:
    """The document of the origin file the rendered object came from: same kind and
    name; else same kind and a name the rendered one contains (a name prefix or suffix
    was added); else the only one of that kind."""
    kind, name = _identity(rendered)
    same_kind = [d for d in documents if _identity(d.data)[0] == kind]
    for document in same_kind:
        if _identity(document.data)[1] == name:
            return document
    contained = [d for d in same_kind if _identity(d.data)[1] and _identity(d.data)[1] in name]
    if contained:
        return max(contained, key=lambda d: len(_identity(d.data)[1]))
    return same_kind[0] if len(same_kind) == 1 else None


_MISSING = object()


def _unchanged_marks(
    marks: Mapping[FieldPath, tuple[int, int]], original: Any, rendered: Any
) -> dict[FieldPath, tuple[int, int]]:
    """The marks of fields whose rendered value is still the original one (containers:
    still a container of the same type)."""
    kept: dict[FieldPath, tuple[int, int]] = {}
    for path, mark in marks.items():
        before, after = _at(original, path), _at(rendered, path)
        if after is _MISSING:
            continue
        if isinstance(before, dict | list):
            same = type(before) is type(after)
        else:
            same = before == after and type(before) is type(after)
        if same:
            kept[path] = mark
    return kept


def _at(data: Any, path: FieldPath) -> Any:
    for key in path:
        present = (isinstance(data, dict) and key in data) or (
            isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)
        )
        if not present:
            return _MISSING
        data = data[key]
    return data
