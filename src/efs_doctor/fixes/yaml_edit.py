"""Comment- and format-preserving edits of Kubernetes objects in YAML text (ruamel round trip).

Only the document that holds the object is re-serialised; every other document of the file
is kept byte for byte. Indentation is taken from the document itself (dependencies.md §5:
ruamel ``rt`` keeps comments, flow style and quotes; positions via ``.lc``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from efs_doctor.findings import YamlEdit

_SEPARATOR = re.compile(r"^(---|\.\.\.)(\s.*)?$")
_KEY_LINE = re.compile(r"^( *)[^\s#-][^:#]*:\s*(#.*)?$")


class EditError(ValueError):
    """The edit cannot be made (object not found, field of another type)."""


def split_documents(text: str) -> list[tuple[bool, str]]:
    """``(is_separator, text)`` pieces whose concatenation is ``text``."""
    pieces: list[tuple[bool, str]] = []
    current: list[str] = []
    for line in text.splitlines(keepends=True):
        if _SEPARATOR.match(line.rstrip("\r\n")):
            if current:
                pieces.append((False, "".join(current)))
                current = []
            pieces.append((True, line))
        else:
            current.append(line)
    if current:
        pieces.append((False, "".join(current)))
    return pieces


def _mapping_indent(text: str) -> int:
    lines = text.splitlines()
    for index, line in enumerate(lines[:-1]):
        match = _KEY_LINE.match(line)
        if not match:
            continue
        following = lines[index + 1]
        stripped = following.lstrip(" ")
        depth = len(following) - len(stripped) - len(match.group(1))
        if depth > 0 and stripped and not stripped.startswith(("-", "#")):
            return depth
    return 2


def _load(text: str) -> tuple[Any, Any]:
    """A round-trip YAML instance set to dump like ``text`` is indented, and ``text`` loaded
    by it (one parse: the indentation guess loads the text with the instance it is given)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.util import load_yaml_guess_indent

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    data, sequence_indent, offset = load_yaml_guess_indent(text, yaml=yaml)
    mapping = _mapping_indent(text)
    sequence_indent = sequence_indent or mapping
    offset = offset or 0
    sequence_indent = max(sequence_indent, offset + 2)
    yaml.indent(mapping=mapping, sequence=sequence_indent, offset=offset)
    return yaml, data


def _objects(data: Any) -> list[Any]:
    """The object itself, or the items of a ``kind: List``."""
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(data, CommentedMap):
        return []
    items = data.get("items")
    if str(data.get("kind", "")).endswith("List") and isinstance(items, list):
        return [item for item in items if isinstance(item, CommentedMap)]
    return [data]


def _is_target(obj: Any, edit: YamlEdit) -> bool:
    metadata = obj.get("metadata") or {}
    if obj.get("kind") != edit.kind or metadata.get("name") != edit.name:
        return False
    if edit.namespace is None:
        return True
    return (metadata.get("namespace") or "default") == edit.namespace


def _scalar(value: str | bool | int) -> Any:
    """Strings that YAML would read as something else are written double-quoted."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if not isinstance(value, str):
        return value
    lowered = value.lower()
    if (
        lowered in ("true", "false", "yes", "no", "on", "off", "null", "~", "")
        or re.fullmatch(r"[-+]?[0-9.]+(e[-+]?[0-9]+)?", lowered)
        or value.startswith(("0x", "0o"))
    ):
        return DoubleQuotedScalarString(value)
    return value


def _parent(obj: Any, field: Sequence[str], create: bool) -> Any:
    from ruamel.yaml.comments import CommentedMap

    node = obj
    for key in field[:-1]:
        child = node.get(key)
        if child is None:
            if not create:
                return None
            child = CommentedMap()
            node[key] = child
        if not isinstance(child, CommentedMap):
            raise EditError(f"{'.'.join(field)}: {key} is not a mapping")
        node = child
    return node


def _insert_position(parent: Any, field: Sequence[str]) -> int:
    # A PV's mountOptions sit before its csi block, as `kubectl get -o yaml` orders fields.
    if field[-1] == "mountOptions" and "csi" in parent:
        return list(parent.keys()).index("csi")
    return len(parent)


def _apply(obj: Any, edit: YamlEdit) -> bool:
    """Apply one edit; False when it changes nothing (already applied)."""
    from ruamel.yaml.comments import CommentedSeq

    key = edit.field[-1]
    if edit.operation == "append":
        parent = _parent(obj, edit.field, create=True)
        current = parent.get(key)
        if current is None:
            sequence = CommentedSeq([_scalar(edit.value)])
            parent.insert(_insert_position(parent, edit.field), key, sequence)
            return True
        if not isinstance(current, list):
            raise EditError(f"{'.'.join(edit.field)} is not a list")
        if str(edit.value) in [str(item) for item in current]:
            return False
        current.append(_scalar(edit.value))
        return True
    if edit.operation == "delete":
        parent = _parent(obj, edit.field, create=False)
        if parent is None or key not in parent:
            return False
        del parent[key]
        if not parent and len(edit.field) > 1:
            grand = _parent(obj, edit.field[:-1], create=False)
            if grand is not None:
                del grand[edit.field[-2]]
        return True
    if edit.operation == "replace":
        parent = _parent(obj, edit.field, create=False)
        current = parent.get(key) if parent is not None else None
        if not isinstance(current, list) or edit.new_value is None:
            return False
        hits = [i for i, item in enumerate(current) if str(item) == str(edit.value)]
        for index in hits:
            current[index] = _scalar(edit.new_value)
        return bool(hits)
    if edit.operation == "remove":
        parent = _parent(obj, edit.field, create=False)
        current = parent.get(key) if parent is not None else None
        if not isinstance(current, list):
            return False
        kept = [item for item in current if str(item) != str(edit.value)]
        if len(kept) == len(current):
            return False
        if kept:
            for index in reversed(range(len(current))):
                if str(current[index]) == str(edit.value):
                    del current[index]
        else:
            del parent[key]
        return True
    parent = _parent(obj, edit.field, create=True)
    if key in parent and parent.get(key) == _scalar(edit.value):
        return False
    parent[key] = _scalar(edit.value)
    return True


def apply_edits(text: str, edits: Sequence[YamlEdit]) -> str:
    """``text`` with ``edits`` applied. Raises :class:`EditError` when an object is missing."""
    from ruamel.yaml.error import YAMLError

    pieces = split_documents(text)
    pending = list(edits)
    out: list[str] = []
    for is_separator, piece in pieces:
        if is_separator or not pending or not piece.strip():
            out.append(piece)
            continue
        try:
            yaml, data = _load(piece)
        except YAMLError:  # ruamel reads YAML a little differently: that document stays as is
            out.append(piece)
            continue
        changed = False
        for obj in _objects(data):
            for edit in [e for e in pending if _is_target(obj, e)]:
                changed = _apply(obj, edit) or changed
                pending.remove(edit)
        if not changed:
            out.append(piece)
            continue
        buffer = io.StringIO()
        yaml.dump(data, buffer)
        out.append(buffer.getvalue())
    if pending:
        missing = ", ".join(sorted({f"{e.kind} {e.name}" for e in pending}))
        raise EditError(f"not found in the file: {missing}")
    return "".join(out)
