"""Turn whatever the user pasted into clean lines and message blocks.

Users paste whole ``kubectl describe pod`` outputs, single event lines, JSON-escaped log lines,
terminal captures with colours, and Python bytes reprs (efs-utils prints mount.nfs4's stderr as
``b'...'``, efs-semantics.md §2.10). Nothing here may raise on odd input.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_CHARS = 2_000_000

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")
# Escaped forms of ESC as they appear in JSON logs or copied repr output.
_ESCAPED_ANSI = re.compile(r"(?:\\(?:u001[bB]|x1[bB]|033|e)|\^\[)\[[0-9;?]*[A-Za-z]")
_HTML_ENTITY = re.compile(r"&(?:quot|apos|lt|gt|amp|#\d{2,3});")
_BYTES_REPR = re.compile(r"""\bb(['"])((?:\\.|(?!\1)[^\\\n])*)\1""")
_ESCAPES = re.compile(r"\\(\\|n|r|t|'|\"|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})")
_TRANSLATE = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u2026": "...",
        "\u00a0": " ",
        "\r": "\n",
        "\t": "    ",
    }
)
_SPACES = re.compile(r"[ \f\v]+")

# A line that starts a new message: a describe event row, a klog/logrus/ISO-timestamped log
# line, or one of kubelet's own message heads. Everything else continues the previous message.
_BLOCK_HEAD = re.compile(
    r"""^\s*(?:
        (?:Warning|Normal)\s+\S+\s+\S          # kubectl describe Events row
      | [IWEF]\d{4}\s+\d\d:\d\d:\d\d            # klog
      | \d{4}-\d\d-\d\d[T\s]\d\d:\d\d           # ISO timestamp (mount.log, json logs)
      | \d{4}\.\d\d\.\d\d\s\d\d:\d\d             # stunnel log
      | [A-Z][a-z]{2}\s+\d{1,2}\s\d\d:\d\d:\d\d     # syslog / journalctl
      | \[\s*\d+\.\d+\]                          # dmesg
      | (?:\d+[smhd]){1,3}\s+(?:Warning|Normal)\s  # kubectl get events
      | <unknown>\s+(?:Warning|Normal)\s
      | LAST\ SEEN\s
      | time="                                   # logrus
      | \{"                                      # a JSON log line
      | (?:kubernetes\.io/csi:\s*)?MountVolume\.
      | Unable\ to\ (?:attach\ or\ )?mount\ volumes
      | failed\ to\ provision\ volume
      | Events:
      | \S+:\s*$                                 # describe section header ("Volumes:")
      | [A-Z][A-Za-z ]{1,30}:\s{2,}              # describe field row ("Status:    Pending")
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Block:
    """One message: its lines as pasted (normalised) and a one-line form for matching."""

    lines: tuple[str, ...]
    flat: str
    start_line: int
    line_ends: tuple[int, ...] = ()
    """Offset in ``flat`` where each line ends."""
    line_numbers: tuple[int, ...] = ()

    def line_of(self, offset: int) -> int:
        """The (normalised) text line holding ``offset`` of ``flat``."""
        for end, number in zip(self.line_ends, self.line_numbers, strict=False):
            if offset <= end:
                return number
        return self.line_numbers[-1] if self.line_numbers else self.start_line


def _unescape_match(match: re.Match[str]) -> str:
    token = match.group(1)
    if token == "n":
        return "\n"
    if token == "r":
        return "\n"
    if token == "t":
        return " "
    if token[0] in "xu":
        try:
            return chr(int(token[1:], 16))
        except ValueError:  # pragma: no cover - the pattern only admits hex
            return token
    return token


def unescape(text: str) -> str:
    """Decode backslash escapes (``\\n``, ``\\'``, ``\\xNN``) the way repr/JSON wrote them."""
    return _ESCAPES.sub(_unescape_match, text)


def _decode_bytes_repr(match: re.Match[str]) -> str:
    return unescape(match.group(2))


def normalise(text: str) -> str:
    """Clean text: no colours, bytes reprs opened, escaped newlines real, spaces collapsed."""
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    text = text.replace("\r\n", "\n").translate(_TRANSLATE)
    text = _ANSI.sub("", text)
    text = _ESCAPED_ANSI.sub("", text)
    if _HTML_ENTITY.search(text):  # copied from a rendered web page's source
        text = html.unescape(text)
    text = _BYTES_REPR.sub(_decode_bytes_repr, text)
    # Double-escaped text (a JSON string holding a Go-quoted message) needs two passes.
    for _ in range(2):
        if "\\" not in text:
            break
        text = unescape(text)
    text = _ANSI.sub("", text)
    text = _BYTES_REPR.sub(_decode_bytes_repr, text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def split_blocks(clean: str) -> list[Block]:
    """Group normalised lines into messages (a multi-line kubelet event stays one block)."""
    blocks: list[Block] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(clean.split("\n"), start=1):
        if not line.strip():
            continue
        if current and _BLOCK_HEAD.match(line):
            blocks.append(_block(current))
            current = []
        current.append((number, line))
    if current:
        blocks.append(_block(current))
    return blocks


def _block(numbered: list[tuple[int, str]]) -> Block:
    lines = [line for _, line in numbered]
    parts = [_SPACES.sub(" ", line.strip()) for line in lines]
    ends: list[int] = []
    offset = 0
    for part in parts:
        offset += len(part)
        ends.append(offset)
        offset += 1
    numbers = tuple(number for number, _ in numbered)
    return Block(tuple(lines), " ".join(parts), numbers[0], tuple(ends), numbers)
