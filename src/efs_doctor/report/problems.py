"""Printing input problems: one line each, ``file:line:col: message``, on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO

from efs_doctor.model.problems import InputProblem, ProblemLevel, one_line


def print_problems(
    problems: Iterable[InputProblem], *, verbose: int = 0, stream: TextIO | None = None
) -> None:
    out = stream if stream is not None else sys.stderr
    for problem in problems:
        if problem.level is ProblemLevel.DEBUG and verbose < 1:
            continue
        prefix = "" if problem.level is ProblemLevel.ERROR else f"{problem.level.value}: "
        out.write(one_line(f"{problem.location}: {prefix}{problem.message}") + "\n")
