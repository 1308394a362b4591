"""Exit codes and the exceptions the CLI turns into them."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INPUT = 2


class UsageError(Exception):
    """The command line asks for something impossible; reported as one line, exit 2."""
