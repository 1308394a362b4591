"""Input problems: what could not be loaded (or only partly), with where and why."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from efs_doctor.model.source import Location


class ProblemLevel(Enum):
    ERROR = "error"  # the object or file was not loaded
    WARNING = "warning"  # loaded, but a field was ignored or defaulted
    DEBUG = "debug"  # skipped on purpose (not Kubernetes, not AWS)


def one_line(text: str) -> str:
    """``text`` with every character that is not printable (newlines, terminal escapes,
    bidirectional overrides) written as its Python escape: messages quote the input, and a
    hostile value must neither break the one-line format nor reach the terminal raw."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@dataclass(frozen=True, slots=True)
class InputProblem:
    location: Location
    message: str
    level: ProblemLevel = ProblemLevel.ERROR

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", one_line(self.message))

    def __str__(self) -> str:
        return one_line(f"{self.location}: {self.message}")
