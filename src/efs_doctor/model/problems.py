"""Input problems: what could not be loaded (or only partly), with where and why."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from efs_doctor.model.source import Location


class ProblemLevel(Enum):
    ERROR = "error"  # the object or file was not loaded
    WARNING = "warning"  # loaded, but a field was ignored or defaulted
    DEBUG = "debug"  # skipped on purpose (not Kubernetes, not AWS)


@dataclass(frozen=True, slots=True)
class InputProblem:
    location: Location
    message: str
    level: ProblemLevel = ProblemLevel.ERROR

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"
