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
from typing import Any, ClassVar

import yaml

from efs_doctor.model.problems import InputProblem, ProblemLevel, one_line
from efs_doctor.model.source import FieldPath, Location, SourceMap

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR_TAGS = ("int", "float", "timestamp", "bool")


class GuardedSafeLoader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, except that a scalar Python cannot hold (an integer of more than 4300
    digits, ``2024-02-30`` read as a date) is a YAML error at its position, not a ValueError.
    Every YAML reader of the project derives from it (the CloudFormation one too).

    Tag resolution, which libyaml calls back into Python for every node, takes a shortcut
    with the same answers: a plain scalar whose first character starts no implicit
    resolver's pattern is a string, and short plain scalars' tags are remembered (issue 8:
    a quarter of composing)."""

    _resolved_by_class: ClassVar[dict[type, dict[str, str]]] = {}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._starts = frozenset(self.yaml_implicit_resolvers)
        self._resolved = self._resolved_by_class.setdefault(type(self), {})
        base: Any = super()
        if None in self._starts or self.yaml_path_resolvers:  # no shortcut: PyYAML's way
            self.resolve = base.resolve  # type: ignore[method-assign]
            self.descend_resolver = base.descend_resolver  # type: ignore[method-assign]
            self.ascend_resolver = base.ascend_resolver  # type: ignore[method-assign]

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> Any:
        if kind is not yaml.ScalarNode:
            if kind is yaml.MappingNode:
                return self.DEFAULT_MAPPING_TAG
            return self.DEFAULT_SEQUENCE_TAG
        if not implicit[0] or value[:1] not in self._starts:
            return self.DEFAULT_SCALAR_TAG
        if len(value) > 12:
            return super().resolve(kind, value, implicit)
        resolved = self._resolved
        tag = resolved.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(resolved) < 20_000:
                resolved[value] = tag
        return tag

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Nothing to track without path resolvers."""

    def ascend_resolver(self) -> None:
        """Nothing to track without path resolvers."""


_Loader = GuardedSafeLoader


def _guarded(construct: Callable[[Any, yaml.Node], Any]) -> Callable[[Any, yaml.Node], Any]:
    def guarded(loader: Any, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError, AttributeError, KeyError, IndexError) as error:
            # AttributeError, KeyError, IndexError: PyYAML's own failures on an explicit tag
            # over a value it does not match ("!!timestamp soon", "!!bool maybe", "!!int ")
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
    if isinstance(error, AttributeError | KeyError | IndexError):
        return "it does not have the form its tag asks for"
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


def yaml_problem(path: str, error: yaml.YAMLError, text: str, what: str = "YAML") -> InputProblem:
    """One positioned line for a YAML error (``what``: "YAML", "CloudFormation YAML")."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML forbids; no mark
        character = error.character
        shown = f"#x{character:04x}" if isinstance(character, int) else repr(character)
        message = f"invalid {what}: character {shown} is not allowed ({error.reason})"
        line, column = _line_column(text, error.position)
        return InputProblem(Location(path, line, column), one_line(message))
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    message = one_line(f"invalid {what}: {problem}" + (f" ({context})" if context else ""))
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


_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = f"{_TAG}str", f"{_TAG}map", f"{_TAG}seq"
# Implicitly resolved scalars the fast path builds one at a time with the loader's own
# constructors; any other tag (binary, set, omap, merge, Python, custom) takes PyYAML's path.
_PLAIN_SCALARS = frozenset(
    f"{_TAG}{name}" for name in ("int", "float", "bool", "null", "timestamp")
)
_FAST_DEPTH = 64


class _Unusual(Exception):
    """Something the fast path leaves to PyYAML's constructor (which also reports it)."""


def _fast_construct(
    node: yaml.Node,
    loader: Any,
    marks: dict[FieldPath, tuple[int, int]] | None,
    path: FieldPath = (),
    depth: int = 0,
) -> Any:
    """The value ``loader.construct_document(node)`` returns, and the positions
    ``_collect_marks`` finds (into ``marks`` unless None), for the documents nearly every
    manifest is: core tags only, string keys never repeated, no anchors (the caller checks
    the text), nesting under ``_FAST_DEPTH``. Anything else raises :class:`_Unusual` and
    the document is read the ordinary way, so problems, values and positions stay exactly
    the same. One walk instead of PyYAML's constructor (several calls and a generator per
    node) plus the walk collecting positions: about four times faster (issue 8)."""
    if marks is not None:
        mark = node.start_mark
        marks[path] = (mark.line + 1, mark.column + 1)
    kind = type(node)
    if kind is yaml.ScalarNode:
        if node.tag == _STR:
            return node.value
        if node.tag in _PLAIN_SCALARS:
            try:
                return loader.yaml_constructors[node.tag](loader, node)
            except yaml.YAMLError:
                raise _Unusual from None
        raise _Unusual
    if depth > _FAST_DEPTH:
        raise _Unusual
    if kind is yaml.MappingNode and node.tag == _MAP:
        data: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR:
                raise _Unusual
            key = key_node.value
            if key in data:
                raise _Unusual  # a repeated key: warned about on the ordinary path
            if type(value_node) is yaml.ScalarNode and value_node.tag == _STR:
                data[key] = value_node.value
                if marks is not None:
                    mark = value_node.start_mark
                    marks[(*path, key)] = (mark.line + 1, mark.column + 1)
            else:
                inner = (*path, key) if marks is not None else path
                data[key] = _fast_construct(value_node, loader, marks, inner, depth + 1)
        return data
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        if marks is None:
            return [_fast_construct(item, loader, None, path, depth + 1) for item in node.value]
        return [
            _fast_construct(item, loader, marks, (*path, index), depth + 1)
            for index, item in enumerate(node.value)
        ]
    raise _Unusual


def _root_kind(node: yaml.Node) -> str | None:
    """The ``kind`` of a Kubernetes-looking document (a mapping with plain ``kind`` and
    ``apiVersion`` keys), read from the composed node; None for anything else."""
    if type(node) is not yaml.MappingNode or node.tag != _MAP:
        return None
    kind = None
    api_version = False
    for key_node, value_node in node.value:
        if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR:
            return None  # a merge key or a computed key: cannot tell without building
        if key_node.value == "kind":
            is_text = type(value_node) is yaml.ScalarNode and value_node.tag == _STR
            kind = value_node.value if is_text else None
        elif key_node.value == "apiVersion":
            api_version = True
    return kind if api_version else None


# What the loader says of a document none of its readers takes (debug, shown with -v).
NOT_READ = "not a Kubernetes or AWS document; skipped"

# Lines at column 0 (comments aside): in a stream of block mappings, the top-level keys,
# the items of a top-level key's compact sequence, and document markers.
_COLUMN_ZERO = re.compile(r"^[^ \t\r\n#].*", re.MULTILINE)
_FIRST_CONTENT = re.compile(r"^[ \t]*[^ \t\r\n#]", re.MULTILINE)
_MARKER = re.compile(r"(?:---|\.\.\.)(?:[ \t]+#.*)?[ \t\r]*")
_PLAIN_KEY = re.compile(r"([A-Za-z_][\w.-]*):(?:[ \t]|\r?$)|-(?:[ \t]|\r?$)")
_KIND = re.compile(r"kind:[ \t]+([\"']?)([A-Za-z][A-Za-z0-9]*)\1(?:[ \t]+#.*)?[ \t\r]*")
_API_VERSION = re.compile(r"apiVersion:[ \t]+([\"']?)[\w./-]+\1(?:[ \t]+#.*)?[ \t\r]*")


def skipped_whole(
    text: str,
    skip_kind: Callable[[str], bool],
    skip_key: Callable[[str], bool] | None = None,
) -> bool:
    """Whether every document of ``text`` is, from its lines alone, a Kubernetes object
    of a kind ``skip_kind`` accepts (issue 22: most files of a monorepo are Services,
    Applications, RBAC; composing them only to drop them was most of their cost).

    The evidence: each document is a block mapping at column 0 whose lines at column 0
    are plain keys, compact sequence items or bare document markers, with exactly one
    ``kind:`` line (a plain name) and one ``apiVersion:`` line. Anything else (a flow or
    quoted key, a merge key, a directive, a tag or content on a marker line, a second
    ``kind:``, a kind written over two lines, a root that is not at column 0) is not
    evidence, and the text is parsed. A ``kind:`` line that is only the continuation of
    a quoted scalar would make a second one (the document's own key is at column 0 too),
    or stand in a document with no kind at all, which no reader takes.

    With ``skip_key``, a document with neither ``kind:`` nor ``apiVersion:`` line whose
    every key at column 0 it accepts is skipped too (a Helm values file: keys no reader
    looks at), on the same evidence."""
    return _skippable(text, skip_kind, skip_key) is not None


# More opening brackets than this and a text is parsed whatever its lines show: the
# parser's nesting limit is what reports a hostile one.
_MAX_BRACKETS = 256
# A text with an anchor, an alias or a tag is parsed: the parser refuses what is hostile.
_PARSER_MARKS = ("&", "*", "!")


def _skippable(
    text: str,
    skip_kind: Callable[[str], bool],
    skip_key: Callable[[str], bool] | None,
) -> int | None:
    """None when ``text`` must be parsed, else how many of its documents were told
    skippable by their keys alone (see :func:`skipped_whole`)."""
    by_keys = 0
    kinds: list[str] = []
    keys: list[str] = []
    api_versions = 0
    start = 0
    for line in itertools.chain(_COLUMN_ZERO.finditer(text), (None,)):
        if line is None or _MARKER.fullmatch(line.group()):
            end = len(text) if line is None else line.start()
            first = _FIRST_CONTENT.search(text, start, end)
            if first is not None:  # not an empty document
                if first.group()[0] in " \t":
                    return None
                if kinds or api_versions:
                    if len(kinds) != 1 or api_versions != 1 or not skip_kind(kinds[0]):
                        return None
                elif not _untaken(keys, skip_key) or (not by_keys and _parser_should_see(text)):
                    return None
                else:
                    by_keys += 1
            elif kinds or api_versions:
                return None
            if line is None:
                return by_keys
            kinds, keys, api_versions, start = [], [], 0, line.end()
            continue
        content = line.group()
        if content.startswith("kind:"):
            kind = _KIND.fullmatch(content)
            if kind is None:
                return None
            kinds.append(kind.group(2))
        elif content.startswith("apiVersion:"):
            if _API_VERSION.fullmatch(content) is None:
                return None
            api_versions += 1
        else:
            key = _PLAIN_KEY.match(content)
            if key is None:
                return None
            if key.group(1):
                keys.append(key.group(1))
    return by_keys  # not reached: the loop ends on None


def _untaken(keys: list[str], skip_key: Callable[[str], bool] | None) -> bool:
    return skip_key is not None and bool(keys) and all(skip_key(key) for key in keys)


def _parser_should_see(text: str) -> bool:
    """A text no reader takes is still parsed when it may be hostile (anchors, aliases,
    tags, deep nesting), so that the parser refuses it with its one line as before."""
    if any(mark in text for mark in _PARSER_MARKS):
        return True
    return text.count("[") + text.count("{") > _MAX_BRACKETS


def parse_yaml(
    path: str,
    text: str,
    problems: list[InputProblem],
    skip_kind: Callable[[str], bool] | None = None,
    *,
    positions: bool = True,
    skip_key: Callable[[str], bool] | None = None,
) -> Iterator[Document]:
    """The documents of a YAML stream, with their field positions; problems are appended.

    ``skip_kind``: documents of a kind it accepts are checked (they report the same
    problems) but not yielded, e.g. the Services and ConfigMaps the loader would drop; a
    text whose every document shows such a kind in its lines (:func:`skipped_whole`) is
    not parsed at all, and its YAML errors, duplicate keys and unreadable values are not
    reported (nothing of it is used); with ``skip_key``, so is a text whose documents
    without a kind show only keys it accepts (:func:`skipped_whole`).
    ``positions=False``: documents carry their start only, for a reader that needs the
    values alone (a kustomization's references); problems are the same."""
    if skip_kind is not None:
        by_keys = _skippable(text, skip_kind, skip_key)
        if by_keys is not None:
            # what the loader says of a document no reader takes, without parsing it
            problems.extend(
                InputProblem(Location(path), NOT_READ, ProblemLevel.DEBUG) for _ in range(by_keys)
            )
            return
    loader = _Loader(text)
    fast = "&" not in text  # no anchor, so no alias: the fast path needs no revisit check
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            kind = _root_kind(node) if skip_kind is not None else None
            skip = kind is not None and skip_kind is not None and skip_kind(kind)
            if fast:
                wanted = positions and not skip
                fast_marks: dict[FieldPath, tuple[int, int]] | None = {} if wanted else None
                try:
                    data = _fast_construct(node, loader, fast_marks)
                except _Unusual:
                    pass
                else:
                    if skip:
                        continue
                    start = node.start_mark
                    source = SourceMap(path, start.line + 1, start.column + 1, fast_marks)
                    yield Document(data, source)
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
            if skip:
                continue
            start = node.start_mark
            yield Document(data, SourceMap(path, start.line + 1, start.column + 1, marks))
    except yaml.YAMLError as error:
        problems.append(yaml_problem(path, error, text))
    except RecursionError:
        problems.append(InputProblem(Location(path), "document nested too deeply; skipped"))
    finally:
        loader.dispose()


def _json_marks(text: str) -> dict[FieldPath, tuple[int, int]]:
    """Every field's position, from the YAML composer (JSON is YAML, almost): a JSON text
    it cannot compose, or nested past its recursion, has no positions but its start."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return _collect_marks(node) if node is not None else {}
    except (yaml.YAMLError, RecursionError):
        return {}
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


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _deep_offset(text: str, depth: int) -> int:
    """Where the nesting of ``text`` first reaches ``depth`` (strings skipped)."""
    level = 0
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()[0]
        if char in "[{":
            level += 1
            if level >= depth:
                return token.start()
        elif char in "]}":
            level -= 1
    return 0


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
        line, column = _line_column(text, _deep_offset(text, 1000))
        problems.append(
            InputProblem(
                Location(path, line, column), "JSON nested too deeply (over ~1000 levels); skipped"
            )
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


def parse_text(
    path: str,
    text: str,
    problems: list[InputProblem],
    skip_kind: Callable[[str], bool] | None = None,
    skip_key: Callable[[str], bool] | None = None,
) -> Iterator[Document]:
    """JSON when the text starts like JSON, else YAML (which also reads most JSON);
    ``skip_kind`` and ``skip_key`` as for :func:`parse_yaml` (JSON is read whole:
    ``json.loads`` is cheap).

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
    yield from parse_yaml(path, text, problems, skip_kind, skip_key=skip_key)
