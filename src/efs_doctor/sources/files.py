"""Finding and reading input files safely: directories, stdin, size caps, binary detection.

Every failure becomes an :class:`InputProblem` naming the path; nothing here raises for a
bad input.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.model.source import Location

MAX_FILE_BYTES = 32 * 1024 * 1024
INPUT_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
# Files that make a directory a unit to render (Kustomize's suffix-less spelling included)
UNIT_FILES = frozenset({"Kustomization"})


@dataclass(frozen=True, slots=True)
class InputText:
    path: str
    text: str


def iter_input_paths(paths: Sequence[str], problems: list[InputProblem]) -> Iterator[str]:
    """Files named directly (any suffix) and, under directories, files with a YAML/JSON suffix.

    Directory walks do not follow symbolic links to directories, so a link loop cannot
    trap the walk; hidden directories (``.git``) are skipped.
    """
    return (path for _argument, path in iter_input_files(paths, problems))


def iter_input_files(
    paths: Sequence[str], problems: list[InputProblem]
) -> Iterator[tuple[str, str]]:
    """(the argument, a file under it) for every input file, as :func:`iter_input_paths`;
    a file under two arguments belongs to the first."""
    seen: set[str] = set()
    for path in paths:
        if path == STDIN:
            yield path, path
            continue
        if os.path.isdir(path):
            terraform = 0
            for full, name in _walk(path, problems):
                if name.lower().endswith(INPUT_SUFFIXES) or name in UNIT_FILES:
                    if full not in seen:
                        seen.add(full)
                        yield path, full
                elif name.endswith(".tf"):
                    terraform += 1
            if terraform:
                problems.append(_terraform_hint(path, terraform))
        elif os.path.lexists(path):
            if path not in seen:
                seen.add(path)
                yield path, path
        else:
            problems.append(InputProblem(Location(path), "no such file or directory"))


def _terraform_hint(path: str, count: int) -> InputProblem:
    """Terraform sources are not read (their values are known only once planned): one line
    per argument saying how to give efs-doctor the plan instead."""
    files = f"{count} Terraform source file{'s' if count != 1 else ''} (.tf)"
    return InputProblem(
        Location(path),
        f"{files} not read: efs-doctor reads plans; run `terraform plan -out=tf.plan && "
        "terraform show -json tf.plan > plan.json` and scan plan.json",
        ProblemLevel.WARNING,
    )


def _walk(top: str, problems: list[InputProblem]) -> Iterator[tuple[str, str]]:
    """(path, name) of every file under ``top``, as ``os.walk`` gives them top-down with
    each directory's files and subdirectories sorted by name: a directory's files, then
    each subdirectory's; hidden directories and links to directories are not entered. One
    ``scandir`` a directory and no ``stat`` an entry where the directory gives the type
    (``os.walk`` checks each subdirectory for a link again: a tenth of a 5,000-file walk)."""
    pending = [top]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=_name)
        except OSError as error:
            problems.append(InputProblem(Location(error.filename), _os_reason(error)))
            continue
        subdirectories: list[str] = []
        for entry in entries:
            try:
                is_directory = entry.is_dir()
            except OSError:
                is_directory = False
            if not is_directory:
                yield entry.path, entry.name
            elif not entry.name.startswith(".") and not _is_link(entry):
                subdirectories.append(entry.path)
        pending.extend(reversed(subdirectories))


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def read_input(path: str, problems: list[InputProblem]) -> InputText | None:
    """The decoded text of one input, or None with a problem recorded."""
    display = "<stdin>" if path == STDIN else path
    try:
        if path == STDIN:
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                problems.append(InputProblem(Location(display), "not a regular file; skipped"))
                return None
            if info.st_size > MAX_FILE_BYTES:
                problems.append(InputProblem(Location(display), _too_big(info.st_size)))
                return None
            with open(path, "rb") as handle:
                # a buffer the file's size, not the limit's: allocating 32 MiB for every
                # read cost ~20 us a file (issue 22); one that grew since is read on
                data = handle.read(info.st_size + 1)
                if len(data) > info.st_size:
                    data += handle.read(MAX_FILE_BYTES + 1 - len(data))
    except OSError as error:
        problems.append(InputProblem(Location(display), f"cannot read: {_os_reason(error)}"))
        return None
    if len(data) > MAX_FILE_BYTES:  # stdin, or a file that grew since stat: size unknown
        problems.append(
            InputProblem(
                Location(display),
                f"more than {MAX_FILE_BYTES // 1048576} MiB, the limit for one input; "
                "split it or pass only the relevant objects",
            )
        )
        return None
    wide = _wide_encoding(data)
    if wide is not None:  # Windows PowerShell 5.1 redirects command output as UTF-16
        try:
            return InputText(display, data.decode(wide))
        except UnicodeDecodeError:
            problems.append(
                InputProblem(Location(display), f"not valid {wide.upper()} text; skipped")
            )
            return None
    if b"\x00" in data[:8192]:
        problems.append(
            InputProblem(Location(display), "binary file (contains NUL bytes); skipped")
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        problems.append(
            InputProblem(
                Location(display, line, column),
                "not valid UTF-8 text (YAML and JSON inputs must be UTF-8); skipped",
            )
        )
        return None
    return InputText(display, text)


def _wide_encoding(data: bytes) -> str | None:
    """UTF-32 or UTF-16 announced by a byte order mark (YAML 1.2 §5.2 allows both)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _too_big(size: int) -> str:
    return (
        f"file is {size / 1048576:.1f} MiB, over the {MAX_FILE_BYTES // 1048576} MiB limit "
        "for one input; split it or pass only the relevant objects"
    )


def debug(path: str, message: str) -> InputProblem:
    return InputProblem(Location(path), message, ProblemLevel.DEBUG)
