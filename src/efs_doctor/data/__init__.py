"""Vendored data files (catalogues, IAM facts, AWS managed policies), read without importing
``importlib.resources`` (its import costs every start-up about 10 ms, issue 8)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

_FOLDER = os.path.dirname(__file__)


def read_text(name: str) -> str:
    """The text of the data file ``name`` (a path relative to this package), read through the
    package's own loader, as ``importlib.resources`` does underneath (a folder or a zip)."""
    loader: Any = __spec__.loader
    raw: bytes = loader.get_data(os.path.join(_FOLDER, name))
    return raw.decode("utf-8")


def folder_texts(folder: str) -> Iterator[tuple[str, str]]:
    """(name, text) of every file in the data folder ``folder``, by name; through
    ``importlib.resources`` only when the package is not a folder on disk."""
    try:
        names = sorted(os.listdir(os.path.join(_FOLDER, folder)))
    except OSError:
        from importlib import resources

        entries = resources.files(__name__).joinpath(folder).iterdir()
        for entry in sorted(entries, key=lambda e: e.name):
            yield entry.name, entry.read_text(encoding="utf-8")
        return
    for name in names:
        yield name, read_text(os.path.join(folder, name))
