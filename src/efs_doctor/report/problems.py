"""Printing input problems: one line each, ``file:line:col: message``, on stderr."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from efs_doctor.model.problems import InputProblem, ProblemLevel, one_line

# Warnings shown per file without -v; the rest are counted in one line. A large template
# (a CloudFormation stack of fifty resources) otherwise buries the few lines that matter.
WARNINGS_PER_FILE = 3


def print_problems(
    problems: Iterable[InputProblem], *, verbose: int = 0, stream: TextIO | None = None
) -> None:
    """Errors always; warnings, up to :data:`WARNINGS_PER_FILE` per file unless ``verbose``;
    debug lines only with ``verbose``."""
    out = stream if stream is not None else sys.stderr
    shown: Counter[str | None] = Counter()
    held: Counter[str | None] = Counter()
    for problem in problems:
        if problem.level is ProblemLevel.DEBUG and verbose < 1:
            continue
        if problem.level is ProblemLevel.WARNING and not verbose:
            path = problem.location.path
            if shown[path] >= WARNINGS_PER_FILE:
                held[path] += 1
                continue
            shown[path] += 1
        prefix = "" if problem.level is ProblemLevel.ERROR else f"{problem.level.value}: "
        out.write(one_line(f"{problem.location}: {prefix}{problem.message}") + "\n")
    for path, count in held.items():
        more = f"{count} more warning{'s' if count != 1 else ''}"
        out.write(one_line(f"{path or '<input>'}: {more} (-v lists them)") + "\n")
