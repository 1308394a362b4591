"""Finding a Terraform resource's block, and an attribute inside it, in the ``.tf`` sources.

Terraform's JSON plan carries no source positions (the configuration representation has
addresses and expressions only: https://developer.hashicorp.com/terraform/internals/json-format),
so findings would point into the plan file. When the configuration sits beside the plan, as
it does after ``terraform show -json plan > plan.json`` in the root module, this module finds
``resource "<type>" "<name>" {`` in its ``.tf`` files (child modules through
``.terraform/modules/modules.json``, which ``terraform init`` writes, or a local ``source``),
and then the line of a nested attribute or block. It is a scanner, not an HCL parser: strings
(with ``${...}`` templates), comments and heredocs are skipped so braces inside them do not
count; anything it cannot follow falls back to the block's own line.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from efs_doctor.model.source import FieldPath

_BLOCK_START = re.compile(
    r'^[ \t]*(resource|data)[ \t]+"([^"\n]+)"[ \t]+"([^"\n]+)"[ \t]*\{', re.MULTILINE
)
_ITEM = re.compile(r'([A-Za-z_][A-Za-z0-9_-]*)[ \t]*(=(?!=)|(?:"[^"\n]*"[ \t]*)*\{)')
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n")
MAX_TF_BYTES = 4 * 1024 * 1024


class _Text:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def skip_string(self, index: int) -> int:
        """``index`` at an opening quote; returns the index after the closing quote."""
        text, n = self.text, len(self.text)
        j = index + 1
        while j < n:
            char = text[j]
            if char == "\\":
                j += 2
            elif char == '"':
                return j + 1
            elif char in "$%" and text.startswith("{", j + 1):
                j = self.skip_template(j + 2)
            elif char == "\n":
                return j  # unterminated on this line: stop here
            else:
                j += 1
        return n

    def skip_template(self, index: int) -> int:
        text, n = self.text, len(self.text)
        depth, j = 1, index
        while j < n:
            char = text[j]
            if char == '"':
                j = self.skip_string(j)
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return n

    def skip_noise(self, index: int) -> int | None:
        """If a string, comment or heredoc starts at ``index``, the index after it."""
        text = self.text
        char = text[index]
        if char == '"':
            return self.skip_string(index)
        if char == "#" or text.startswith("//", index):
            end = text.find("\n", index)
            return len(text) if end < 0 else end
        if text.startswith("/*", index):
            end = text.find("*/", index + 2)
            return len(text) if end < 0 else end + 2
        if text.startswith("<<", index):
            match = _HEREDOC.match(text, index)
            if match:
                closing = re.compile(rf"^[ \t]*{re.escape(match.group(1))}[ \t]*$", re.MULTILINE)
                found = closing.search(text, match.end())
                return len(text) if found is None else found.end()
        return None

    def close_of(self, open_index: int) -> int:
        """The index of the bracket closing the one at ``open_index``."""
        depth, j, n = 0, open_index, len(self.text)
        while j < n:
            skipped = self.skip_noise(j)
            if skipped is not None:
                j = max(skipped, j + 1)
                continue
            char = self.text[j]
            if char in "{[(":
                depth += 1
            elif char in "}])":
                depth -= 1
                if depth == 0:
                    return j
            j += 1
        return n

    def items(self, start: int, end: int) -> Iterator[tuple[str, bool, int, int, int]]:
        """Top-level items of a block body: (name, is_block, offset, body_start, body_end)."""
        text = self.text
        j, line_start = start, True
        while j < end:
            char = text[j]
            if char == "\n":
                line_start = True
                j += 1
                continue
            if char in " \t\r,":
                j += 1
                continue
            skipped = self.skip_noise(j)
            if skipped is not None:
                j = max(skipped, j + 1)
                continue
            if line_start:
                match = _ITEM.match(text, j)
                if match and match.end() <= end:
                    if match.group(2).endswith("{"):
                        close = self.close_of(match.end() - 1)
                        yield match.group(1), True, j, match.end(), close
                        j, line_start = close + 1, False
                        continue
                    yield match.group(1), False, j, match.end(), match.end()
            line_start = False
            if char in "{[(":
                j = self.close_of(j) + 1
            else:
                j += 1


@dataclass(frozen=True, slots=True)
class Block:
    """One ``resource``/``data`` block in a ``.tf`` file."""

    path: str
    source: _Text
    start: int  # offset of the keyword
    body_start: int
    body_end: int

    @property
    def position(self) -> tuple[int, int]:
        return self.source.position(self.start)

    @property
    def text(self) -> str:
        return self.source.text[self.body_start : self.body_end]

    def attribute_text(self, path: FieldPath) -> str | None:
        """The expression of the attribute at ``path`` when it fits on its line, without a
        trailing comment; None for a block or an expression spanning lines."""
        found = self._find(path)
        if found is None or found[0]:
            return None
        end = self.source.text.find("\n", found[2])
        line = self.source.text[found[2] : end if end >= 0 else len(self.source.text)]
        line = re.sub(r"\s+(#|//).*$", "", line).strip()
        if not line or line.count("{") != line.count("}") or line.count("[") != line.count("]"):
            return None
        return line

    def _find(self, path: FieldPath) -> tuple[bool, int, int, int] | None:
        start, end = self.body_start, self.body_end
        parts = list(path)
        hit: tuple[bool, int, int, int] | None = None
        while parts:
            name = parts.pop(0)
            if not isinstance(name, str):
                return None
            wanted = parts.pop(0) if parts and isinstance(parts[0], int) else 0
            seen, hit = -1, None
            for item_name, is_block, offset, body_start, body_end in self.source.items(start, end):
                if item_name == name:
                    seen += 1
                    if seen == wanted or not is_block:
                        hit = (is_block, offset, body_start, body_end)
                        break
            if hit is not None and not hit[0] and parts:
                hit = self._object_body(hit)
            if hit is None or (not hit[0] and parts):
                return None
            start, end = hit[2], hit[3]
        return hit

    def _object_body(self, hit: tuple[bool, int, int, int]) -> tuple[bool, int, int, int] | None:
        """An attribute whose value is an object constructor (``parameters = { ... }``) read
        as a body, so a key of it can be found like an attribute of a block."""
        text = self.source.text
        at = hit[2]
        while at < self.body_end and text[at] in " \t":
            at += 1
        if at >= self.body_end or text[at] != "{":
            return None
        return True, hit[1], at + 1, self.source.close_of(at)

    def attribute_span(self, path: FieldPath) -> tuple[int, int] | None:
        """Offsets of a one-line attribute's expression (for rewriting it)."""
        found = self._find(path)
        if found is None or found[0]:
            return None
        text = self.source.text
        start = found[2]
        while start < len(text) and text[start] in " \t":
            start += 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        expression = re.sub(r"\s+(#|//).*$", "", text[start:end]).rstrip()
        return start, start + len(expression)

    def body_of(self, path: FieldPath) -> tuple[int, int] | None:
        """Offsets of a nested block's body (``()`` is this block's own body)."""
        if not path:
            return self.body_start, self.body_end
        found = self._find(path)
        if found is None or not found[0]:
            return None
        return found[2], found[3]

    def locate(self, path: FieldPath) -> tuple[int, int] | None:
        """Line/column of a Terraform attribute path like ``("spec", 0, "mount_options")``
        (block lists are indexed by occurrence); the deepest part found."""
        start, end = self.body_start, self.body_end
        found: tuple[int, int] | None = None
        parts = list(path)
        while parts:
            name = parts.pop(0)
            if not isinstance(name, str):
                return found
            wanted = parts.pop(0) if parts and isinstance(parts[0], int) else 0
            seen = -1
            hit = None
            for item_name, is_block, offset, body_start, body_end in self.source.items(start, end):
                if item_name != name:
                    continue
                seen += 1
                if seen == wanted or not is_block:
                    hit = (is_block, offset, body_start, body_end)
                    break
            if hit is None:
                return found
            is_block, offset, body_start, body_end = hit
            found = self.source.position(offset)
            if not is_block:
                return found
            start, end = body_start, body_end
        return found


@dataclass(slots=True)
class TerraformSources:
    """The ``.tf`` files of a configuration whose root module is ``root``, read on demand."""

    root: str
    _modules: dict[str, str] | None = None
    _blocks: dict[str, dict[tuple[str, str, str], Block]] = field(default_factory=dict)

    def module_dir(self, module_key: str, sources: Mapping[str, str]) -> str | None:
        """Directory of the module ``module_key`` (``"efs"``, ``"a.b"``; ``""`` is the root).
        ``sources`` maps module keys to their ``source`` arguments from the plan."""
        if module_key == "":
            return self.root
        if self._modules is None:
            self._modules = self._read_modules_json()
        if module_key in self._modules:
            return os.path.join(self.root, self._modules[module_key])
        parent, _, _ = module_key.rpartition(".")
        source = sources.get(module_key)
        parent_dir = self.module_dir(parent, sources)
        if source and parent_dir and source.startswith(("./", "../")):
            return os.path.normpath(os.path.join(parent_dir, source))
        return None

    def _read_modules_json(self) -> dict[str, str]:
        manifest = os.path.join(self.root, ".terraform", "modules", "modules.json")
        try:
            with open(manifest, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return {}
        out: dict[str, str] = {}
        for module in data.get("Modules") or () if isinstance(data, dict) else ():
            if isinstance(module, dict):
                key, directory = module.get("Key"), module.get("Dir")
                if isinstance(key, str) and isinstance(directory, str):
                    out[key] = directory
        return out

    def block(self, directory: str, mode: str, kind: str, name: str) -> Block | None:
        if directory not in self._blocks:
            self._blocks[directory] = self._scan(directory)
        keyword = "data" if mode == "data" else "resource"
        return self._blocks[directory].get((keyword, kind, name))

    def _scan(self, directory: str) -> dict[tuple[str, str, str], Block]:
        found: dict[tuple[str, str, str], Block] = {}
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith(".tf"))
        except OSError:
            return found
        for name in names:
            path = os.path.join(directory, name)
            try:
                if os.path.getsize(path) > MAX_TF_BYTES:
                    continue
                with open(path, encoding="utf-8") as handle:
                    text = _Text(handle.read())
            except (OSError, UnicodeDecodeError):
                continue
            for match in _BLOCK_START.finditer(text.text):
                close = text.close_of(match.end() - 1)
                key = (match.group(1), match.group(2), match.group(3))
                found.setdefault(key, Block(path, text, match.start(), match.end(), close))
        return found


def block_in_file(path: str, mode: str, kind: str, name: str) -> Block | None:
    """The ``resource``/``data`` block ``kind.name`` in one ``.tf`` file."""
    try:
        if os.path.getsize(path) > MAX_TF_BYTES:
            return None
        with open(path, encoding="utf-8") as handle:
            text = _Text(handle.read())
    except (OSError, UnicodeDecodeError):
        return None
    keyword = "data" if mode == "data" else "resource"
    for match in _BLOCK_START.finditer(text.text):
        if (match.group(1), match.group(2), match.group(3)) == (keyword, kind, name):
            return Block(path, text, match.start(), match.end(), text.close_of(match.end() - 1))
    return None
