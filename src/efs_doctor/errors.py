"""Exit codes and the exceptions the CLI turns into them (contracts.md "Exit codes")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INPUT = 2
EXIT_INTERNAL = 3


def exit_status(*, usable: bool, found: int) -> int:
    """The exit code of a command that ran to its end; the one place that decides it.

    ``usable``: something was loaded to work on (a bad input beside usable ones is a
    problem line on stderr, not exit 2). ``found``: how many things the command reports
    at or above its threshold: findings and inconclusive checks (scan), failed or
    indeterminate mounts (simulate, diagnose), ranked causes (explain), denied or
    undecided access (policy simulate), lint findings (policy check). 0 for a command
    that reports nothing of the kind (inventory, snapshot). Usage errors and bugs do not
    come here: they leave as :class:`UsageError` (2) and :class:`InternalError` (3)."""
    if not usable:
        return EXIT_INPUT
    return EXIT_FINDINGS if found else EXIT_OK


class UsageError(Exception):
    """The command line asks for something impossible; reported as one line, exit 2."""


class InternalError(Exception):
    """A bug inside efs-doctor: a rule, an engine step or a renderer raised ``error``.

    ``where`` names the rule or step. Nothing turns it into a result: the CLI reports it as
    the one line ``str(self)`` and exits 3; the original exception is ``__cause__``.
    """

    def __init__(self, where: str, error: BaseException) -> None:
        super().__init__(where, error)
        self.where = where
        self.error = error

    def __str__(self) -> str:
        # one line whatever the message holds (a KeyError of a multi-line name, say)
        message = " ".join(str(self.error).split())
        what = type(self.error).__name__ + (f": {message}" if message else "")
        return f"internal error in {self.where}: {what}"


@contextmanager
def internal_step(where: str) -> Iterator[None]:
    """Run one of our steps: an exception escaping it is a bug, raised again as an
    :class:`InternalError` naming ``where``. A step nested inside keeps its own name."""
    try:
        yield
    except InternalError:
        raise
    except Exception as error:
        raise InternalError(where, error) from error
