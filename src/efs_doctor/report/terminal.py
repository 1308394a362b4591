"""Output that cannot drive the terminal: input text is shown, never interpreted.

efs-doctor prints what it reads (object names, volume handles, policy text, error messages
from APIs). A hostile manifest could hold terminal escape sequences (clear the screen, move
the cursor, retitle the window, hide text), a carriage return that overwrites the line, or
bidirectional overrides that reorder what is shown. :func:`terminal_safe` writes every such
character as a ``\\uXXXX`` escape (valid inside JSON strings too, so JSON output stays
JSON with the same values) and keeps only the colour codes efs-doctor's own text report
writes. :func:`guard_output` applies it to everything a command prints.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

# The SGR sequences report/text.py writes (bold, dim, red, green, yellow, cyan, reset).
OWN_COLOURS = re.compile(r"\x1b\[(?:0|1|2|31|32|33|36|1;31)m")
# C0 controls but tab and newline, DEL, C1 controls, bidi marks, embeddings, overrides and
# isolates, line/paragraph separators.
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every control character escaped, except newlines, tabs and the colour
    codes of :data:`OWN_COLOURS` (so an input can change a colour at most, never hide or
    rewrite anything: no conceal, no cursor movement, no black-on-black)."""
    if not _UNSAFE.search(text):
        return text
    out: list[str] = []
    position = 0
    for own in OWN_COLOURS.finditer(text):
        out.append(_UNSAFE.sub(_escape, text[position : own.start()]))
        out.append(own.group())
        position = own.end()
    out.append(_UNSAFE.sub(_escape, text[position:]))
    return "".join(out)


class SafeStream(io.TextIOBase):
    """A text stream that writes through :func:`terminal_safe` to ``inner``."""

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(terminal_safe(text))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return self._inner.isatty()

    def fileno(self) -> int:
        return self._inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self._inner, "encoding", "utf-8"))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextlib.contextmanager
def guard_output() -> Iterator[None]:
    """Route ``sys.stdout`` and ``sys.stderr`` through :class:`SafeStream` meanwhile."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(stdout), SafeStream(stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = stdout, stderr
