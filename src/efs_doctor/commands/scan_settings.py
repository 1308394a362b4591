"""``scan``'s settings from the configuration file, and which one wins.

Not a command: ``scan`` calls :func:`add_settings_arguments` at the end of ``configure``
and :func:`apply_settings` first in ``run``. A setting given on the command line wins, then
the configuration file (``sources/config_file.py``), then the flag's own default. The
defaults and allowed values are the parser's (read from its actions once), so the file
accepts exactly what the flags accept.

Extension point: a new flag that belongs in the file becomes one more :class:`Setting` in
:data:`SETTINGS`, with a reader for its value; ``--help``, ``--show-config`` and the
unknown-key check follow from that table. The rendering flags are there (values files apply
to every chart, as ``--values`` does; per-chart values would need the loader to take them).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from efs_doctor.sources.config_file import ConfigEntry, ConfigFile

# A reader gets the file's value and the setting's allowed choices (None: any), and returns
# the value as the parsed command line would hold it, or the problem with it.
Reader = Callable[[object, tuple[str, ...] | None], tuple[object, str | None]]


class Setting(NamedTuple):  # not a dataclass: this module loads with every --help
    key: str  # in the file
    dest: str  # the argparse destination the command line fills
    flag: str  # how to give it on the command line
    example: str  # a value for --help
    read: Reader


def _strings(value: object, choices: tuple[str, ...] | None) -> tuple[object, str | None]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None, "expected a list of non-empty strings"
    return [v.strip() for v in value], None


def _boolean(value: object, choices: tuple[str, ...] | None) -> tuple[object, str | None]:
    if not isinstance(value, bool):
        return None, f"expected true or false; got {_toml(value)}"
    return value, None


def _choice(value: object, choices: tuple[str, ...] | None) -> tuple[object, str | None]:
    if not isinstance(value, str) or (choices is not None and value not in choices):
        allowed = ", ".join(f'"{c}"' for c in choices or ())
        return None, f"expected one of {allowed}; got {_toml(value)}"
    return value, None


SETTINGS: tuple[Setting, ...] = (
    Setting("paths", "paths", "PATH...", '["deploy/", "aws-state/"]', _strings),
    Setting("select", "select", "--select", '["AUTH", "NET"]', _strings),
    Setting("ignore", "ignore", "--ignore", '["CSI006"]', _strings),
    Setting("min-severity", "min_severity", "--min-severity", '"medium"', _choice),
    Setting("min-confidence", "min_confidence", "--min-confidence", '"low"', _choice),
    Setting("format", "format", "--format", '"text"', _choice),
    Setting("values", "values", "--values", '["values-prod.yaml"]', _strings),
    Setting("set", "set_values", "--set", '["replicaCount=2"]', _strings),
    Setting("allow-network", "allow_network", "--allow-network", "false", _boolean),
    Setting("no-render", "no_render", "--no-render", "false", _boolean),
)
# Settings naming files, which are relative to the configuration file that names them.
FILE_SETTINGS = ("paths", "values")

HELP = """\
the configuration file:
  scan reads its settings from .efs-doctor.toml, or from the [tool.efs-doctor] table of
  pyproject.toml, in the working directory or the nearest directory above it up to the
  repository's top level (the one holding .git). Flags override the file; its paths are
  scanned when no PATH is given (not with --live). An unknown key or a bad value is an error
  naming the file, line and column (exit 2).

{keys}
"""


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """``--config``, ``--no-config`` and ``--show-config``, the file's keys in ``--help``,
    and the flags' defaults moved aside so that ``run`` can tell a given flag from none."""
    group = parser.add_argument_group("configuration file")
    which = group.add_mutually_exclusive_group()
    which.add_argument(
        "--config",
        metavar="FILE",
        help="read settings from FILE (default: the nearest .efs-doctor.toml or pyproject.toml)",
    )
    which.add_argument("--no-config", action="store_true", help="ignore any configuration file")
    group.add_argument(
        "--show-config",
        action="store_true",
        help="print the effective settings and where each came from, then exit",
    )
    actions = {action.dest: action for action in parser._actions}
    defaults = {s.dest: actions[s.dest].default for s in SETTINGS}
    choices = {
        s.dest: tuple(str(c) for c in actions[s.dest].choices or ()) or None for s in SETTINGS
    }
    parser.set_defaults(_setting_defaults=defaults, _setting_choices=choices)
    parser.set_defaults(**{s.dest: None for s in SETTINGS})
    width = max(len(s.key) + len(s.example) for s in SETTINGS) + 5
    keys = "\n".join(
        f"  {f'{s.key} = {s.example}':<{width}}"
        + ("files and directories to scan" if s.key == "paths" else f"as {s.flag}")
        + (" (relative to the file)" if s.key in FILE_SETTINGS else "")
        for s in SETTINGS
    )
    parser.epilog = HELP.format(keys=keys)


class Effective(NamedTuple):
    """What the scan will use, and where each value came from (``--show-config``)."""

    file: ConfigFile | None
    origins: tuple[tuple[str, object, str], ...]  # (key, value, origin)

    def text(self) -> str:
        lines = [f"# configuration file: {self.file.where() if self.file else 'none'}"]
        width = max(len(key) + len(_toml(value)) for key, value, _ in self.origins) + 3
        for key, value, origin in self.origins:
            lines.append(f"{f'{key} = {_toml(value)}':<{width}} # {origin}")
        return "\n".join(lines) + "\n"


def apply_settings(args: argparse.Namespace) -> Effective:
    """Fill ``args`` with the effective settings: the command line's, else the file's, else
    the defaults. A configuration problem is one line each on stderr and a usage error."""
    import os
    import sys
    from pathlib import Path

    from efs_doctor.errors import UsageError
    from efs_doctor.sources.config_file import find_config, read_config

    config: ConfigFile | None = None
    if args.config:
        if not os.path.isfile(args.config):
            raise UsageError(f"--config {args.config}: no such file")
        config = read_config(Path(args.config))
    elif not args.no_config:
        found = find_config(Path.cwd())
        config = read_config(found) if found is not None else None
    entries = {entry.key: entry for entry in config.entries} if config else {}
    problems = [str(p) for p in config.problems] if config else []
    problems.extend(_unknown_keys(entries, config))
    origins: list[tuple[str, object, str]] = []
    for setting in SETTINGS:
        given = getattr(args, setting.dest)
        entry = entries.get(setting.key)
        if given not in (None, []):
            origins.append((setting.key, given, f"command line ({setting.flag})"))
            continue
        if entry is not None and not (setting.key == "paths" and args.live):
            value, problem = setting.read(entry.value, args._setting_choices[setting.dest])
            problem = problem or _check(setting, value, args)
            if problem is None:
                assert config is not None
                if setting.key in FILE_SETTINGS:
                    value = _relative_paths(value, config)
                setattr(args, setting.dest, value)
                origins.append((setting.key, entry.value, str(entry.location)))
                continue
            problems.append(f"{entry.location}: {setting.key}: {problem}")
        default = args._setting_defaults[setting.dest]
        setattr(args, setting.dest, default)
        shown = default if default is not None else []
        origins.append(
            (setting.key, shown, "not used with --live" if entry is not None else "default")
        )
    if problems:
        assert config is not None
        for problem in sorted(problems, key=_position):
            print(f"efs-doctor: {problem}", file=sys.stderr)
        raise UsageError(
            f"{len(problems)} problem(s) in {config.where()}; fix them or pass --no-config"
        )
    if not args.paths and not args.live and not args.show_config:
        raise UsageError(
            "give PATH... to scan files, set paths in .efs-doctor.toml or [tool.efs-doctor] "
            "of pyproject.toml, or --live to scan the cluster"
        )
    return Effective(config, tuple(origins))


def _position(problem: str) -> tuple[int, int]:
    """Problems in file order: by the line and column after the file name."""
    import re

    found = re.match(r"[^:]*:(\d+):(\d+):", problem)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


def _unknown_keys(entries: dict[str, ConfigEntry], config: ConfigFile | None) -> list[str]:
    import difflib

    known = [s.key for s in SETTINGS]
    problems = []
    for key, entry in entries.items():
        if key in known:
            continue
        close = difflib.get_close_matches(key.replace("_", "-"), known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
        where = f" in {config.table}" if config and config.table else ""
        problems.append(f"{entry.location}: unknown key '{key}'{where}; {hint}")
    return problems


def _check(setting: Setting, value: object, args: argparse.Namespace) -> str | None:
    """What the command line would refuse later, said here with the file's position."""
    if setting.key in FILE_SETTINGS and isinstance(value, list) and "-" in value:
        return "stdin (-) is given on the command line, not in the file"
    if setting.key in ("select", "ignore") and isinstance(value, list):
        from efs_doctor.config import Config, split_selectors
        from efs_doctor.rules import REGISTRY

        unknown = Config(select=split_selectors(value)).unknown_selectors(REGISTRY)
        if unknown:
            return f"no rule matches {', '.join(unknown)} (see `efs-doctor rules`)"
    return None


def _relative_paths(value: object, config: ConfigFile) -> list[str]:
    """The file's paths as the working directory sees them (they are relative to the file)."""
    import os

    assert isinstance(value, list)
    out = []
    for path in value:
        joined = config.directory / path
        relative = os.path.relpath(joined)
        out.append(relative if not os.path.isabs(path) else str(path))
    return out


def _toml(value: object) -> str:
    """A value as it would be written in the file."""
    import json

    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, str) else str(value)
