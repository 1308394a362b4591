"""The configuration file: where it is, its keys, and the line and column of each.

``.efs-doctor.toml`` (the whole file is the settings) or the ``[tool.efs-doctor]`` table of
``pyproject.toml``, looked for in the working directory and each directory above it up to
the repository's top level (``sources.repository``). In one directory ``.efs-doctor.toml``
wins; a ``pyproject.toml`` without the table is passed over, as ruff does.

This module only reads: which keys are settings, and what their values may be, is the
command's business (``commands/scan_settings.py``). TOML's parser gives no positions, so
they come from a line scan of the file for the key inside its table: the first line that
assigns the key there, or the header of a sub-table named by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from efs_doctor.model.problems import InputProblem
from efs_doctor.model.source import Location
from efs_doctor.sources.repository import upward

CONFIG_NAME = ".efs-doctor.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "efs-doctor")
MAX_CONFIG_BYTES = 1024 * 1024  # far above any real configuration

_PART = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*""")
_ASSIGNED = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")
_TABLE_MENTION = re.compile(r"""tool\s*\.\s*["']?efs-doctor""")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


@dataclass(frozen=True, slots=True)
class ConfigEntry:
    key: str
    value: object
    location: Location  # of the key


@dataclass(frozen=True, slots=True)
class ConfigFile:
    path: str  # relative to the working directory
    directory: Path  # relative paths in the file are relative to it
    table: str  # "[tool.efs-doctor]", or "" when the whole file holds the settings
    entries: tuple[ConfigEntry, ...]
    problems: tuple[InputProblem, ...]  # the file could not be read or parsed

    def where(self) -> str:
        return f"{self.table} in {self.path}" if self.table else self.path


def find_config(start: Path) -> Path | None:
    """The configuration file that applies in ``start``, if any."""
    for directory in upward(start):
        own = directory / CONFIG_NAME
        if own.is_file():
            return own
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _mentions_table(pyproject):
            return pyproject
    return None


def read_config(path: Path) -> ConfigFile:
    """The settings of one configuration file; a file that cannot be read or parsed gives
    no entries and one problem at the position the parser names."""
    import os
    import tomllib

    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        shown = str(path)
    table = PYPROJECT_TABLE if path.name == PYPROJECT else ()
    table_name = f"[{'.'.join(table)}]" if table else ""
    directory = path.absolute().parent

    def failed(problem: InputProblem) -> ConfigFile:
        return ConfigFile(shown, directory, table_name, (), (problem,))

    try:
        data = path.read_bytes()[: MAX_CONFIG_BYTES + 1]
        if len(data) > MAX_CONFIG_BYTES:
            return failed(InputProblem(Location(shown), "larger than 1 MiB; not read"))
        text = data.decode("utf-8")
    except OSError as error:
        return failed(InputProblem(Location(shown), (error.strerror or str(error)).lower()))
    except UnicodeDecodeError as error:
        return failed(InputProblem(Location(shown), f"not UTF-8 (byte {error.start + 1})"))
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_POSITION.search(message)
        if found is None:
            return failed(InputProblem(Location(shown), f"invalid TOML: {message}"))
        location = Location(shown, int(found.group(1)), int(found.group(2)))
        return failed(InputProblem(location, f"invalid TOML: {message[: found.start()]}"))
    settings: object = document
    for part in table:
        settings = settings.get(part) if isinstance(settings, dict) else None
    if not isinstance(settings, dict):
        what = "is not a table" if settings is not None else "is missing"
        return failed(InputProblem(Location(shown), f"{table_name} {what}"))
    positions = key_positions(text, table)
    entries = tuple(
        ConfigEntry(key, value, Location(shown, *positions.get(key, (None, None))))
        for key, value in settings.items()
    )
    return ConfigFile(shown, directory, table_name, entries, ())


def key_positions(text: str, table: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Line and column of each key of ``table`` (``()``: the root table) in ``text``."""
    positions: dict[str, tuple[int, int]] = {}
    current: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if stripped.startswith("["):
            header = stripped.lstrip("[")
            current = _dotted(header[: header.find("]")] if "]" in header else header)
            if len(current) > len(table) and current[: len(table)] == table:
                column = len(line) - len(stripped) + 1
                positions.setdefault(current[len(table)], (number, column))
            continue
        if current != table:
            continue
        match = _ASSIGNED.match(line)
        if match is not None:
            key = _dotted(match.group(1))
            if key:
                positions.setdefault(key[0], (number, match.start(1) + 1))
    return positions


def _dotted(text: str) -> tuple[str, ...]:
    parts: list[str] = []
    rest = text.strip()
    while rest:
        match = _PART.match(rest)
        if match is None:
            break
        parts.append(next(group for group in match.groups() if group is not None))
        rest = rest[match.end() :]
        if not rest.startswith("."):
            break
        rest = rest[1:]
    return tuple(parts)


def _mentions_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml holds ``[tool.efs-doctor]``. A file that names the table
    but does not parse counts, so that reading it reports the error."""
    try:
        text = pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if _TABLE_MENTION.search(text) is None:
        return False
    import tomllib

    try:
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError:
        return True
    return isinstance(tool, dict) and "efs-doctor" in tool
