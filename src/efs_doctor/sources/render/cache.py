"""Renders cached by the content of their inputs, so that a second scan of a large tree
renders only what changed. A cache that cannot be read or written is no cache: it never
fails a scan.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from typing import Any

# hashlib and tempfile are imported where they are used: a forked process plans and renders
# while the scan starts (sources/loader.py), and the scan's start-up would pay 4 ms for them.

# Bumped when what is stored changes shape.
FORMAT = "4"


def default_directory() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "efs-doctor", "render")


def comes_back_from_json(value: Any) -> bool:
    """Whether ``value`` read back from JSON is equal to it and of the same types: string
    keys only, no tuples, dates or binary, finite numbers."""
    if isinstance(value, str | bool | int) or value is None:
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(comes_back_from_json(item) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(key, str) and comes_back_from_json(item) for key, item in value.items()
        )
    return False


def write_json(path: str, value: Any) -> None:
    """Write ``value`` as JSON to ``path`` at once (a temporary file renamed over it, so a
    reader never sees half an entry); a cache that cannot be written is no cache: errors
    are dropped."""
    import tempfile

    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as output:
                # one string: ``json.dump`` streams through the encoder written in Python,
                # several times slower than the C one ``dumps`` uses
                output.write(json.dumps(value, separators=(",", ":")))
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, ValueError, TypeError, RecursionError):
        pass


class RenderCache:
    """Renders by key, one JSON file each under ``directory`` (None: the default
    directory; "": no cache)."""

    def __init__(self, directory: str | None) -> None:
        self.directory = default_directory() if directory is None else directory
        # each file's contribution to a key, read once per scan: an app's base files are
        # inputs of each of its overlays
        self._files: dict[str, bytes] = {}

    def key(self, parts: Iterable[str], files: Iterable[str]) -> str:
        """A digest of ``parts`` (renderer, options) and of each file's path and bytes."""
        import hashlib

        digest = hashlib.sha256(FORMAT.encode())
        for part in parts:
            digest.update(b"\0p" + part.encode("utf-8", "surrogatepass"))
        for path in files:
            digest.update(self._file(os.path.abspath(path)))
        return digest.hexdigest()

    def _file(self, path: str) -> bytes:
        part = self._files.get(path)
        if part is None:
            import hashlib

            part = b"\0f" + path.encode("utf-8", "surrogateescape")
            try:
                with open(path, "rb") as handle:
                    part += b"\0c" + hashlib.sha256(handle.read()).digest()
            except OSError as error:
                part += b"\0e" + str(error.errno).encode()
            self._files[path] = part
        return part

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.directory:
            return None
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                value = json.load(handle)
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        if not self.directory:
            return
        write_json(self._path(key), value)

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".json")
