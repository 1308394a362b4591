"""Where the repository being scanned starts: the directory that holds ``.git``.

The configuration file is looked for up to it (never above, so a file in a home directory
does not reach into every clone), and SARIF paths are written relative to it, which is what
GitHub code scanning expects whatever directory the scan ran in. ``.git`` is a directory in
a clone and a file in a worktree or submodule; either marks the top level.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def upward(start: Path) -> Iterator[Path]:
    """``start`` (made absolute) and its parents, up to and including the repository's top
    level, or up to the file system root outside a repository."""
    directory = start.absolute()
    for candidate in (directory, *directory.parents):
        yield candidate
        if (candidate / ".git").exists():
            return


def repository_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` that holds ``.git``; None outside one."""
    for candidate in upward(start):
        if (candidate / ".git").exists():
            return candidate
    return None


def source_root() -> str:
    """What SARIF file URIs are relative to: the repository's top level around the working
    directory, or the working directory outside a repository."""
    here = Path.cwd()
    return str(repository_root(here) or here)
