"""Optional dependencies ("extras"): which modules each one provides, and what to say when a
command needs one that is not installed.

A plain ``pip install efs-doctor`` reads files. Live mode needs the ``live`` extra; its
modules are imported only when a command uses them, so a command checks with
:func:`require` first, and a missing module is a usage error that says what to install
(exit 2), not an internal error. pyproject.toml's ``[project.optional-dependencies]``
declares the distributions; a test keeps this table in step with it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable

from efs_doctor.errors import UsageError

# extra -> the top-level modules efs-doctor imports from it (httpx2 comes with lightkube >= 1.0
# and is imported directly by sources/k8s_live.py).
MODULES: dict[str, tuple[str, ...]] = {
    "live": ("lightkube", "httpx2", "boto3"),
}


class MissingExtra(UsageError):
    """A command needs an optional dependency that is not installed."""


def missing(modules: Iterable[str]) -> list[str]:
    """The modules of ``modules`` that cannot be found (not imported: only looked up)."""
    return [name for name in modules if importlib.util.find_spec(name) is None]


def require(
    extra: str,
    modules: Iterable[str] | None = None,
    *,
    needed_for: str,
    otherwise: str | None = None,
) -> None:
    """Raise :class:`MissingExtra` unless ``modules`` (default: all of ``extra``'s) are
    installed. ``needed_for`` is what needs them ("live mode"); ``otherwise`` a way to do
    without them, said after the install command."""
    absent = missing(MODULES[extra] if modules is None else modules)
    if absent:
        names = " and ".join(absent)
        verb = "is" if len(absent) == 1 else "are"
        raise MissingExtra(
            f"{needed_for} needs {names}, which {verb} not installed: "
            f"pip install 'efs-doctor[{extra}]'" + (f" ({otherwise})" if otherwise else "")
        )
