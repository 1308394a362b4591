"""A one-line progress display on stderr while live mode collects; silent when not a TTY."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class Progress:
    """``begin(label)`` / ``end(label)`` around each request; thread-safe.

    On a terminal it redraws one line (``collecting 12 done, 3 running: ec2
    DescribeSecurityGroups``) at most every 50 ms; elsewhere it writes nothing at all, so
    logs and pipes stay clean.
    """

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self._stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._lock = threading.Lock()
        self._running: list[str] = []
        self._done = 0
        self._last = 0.0
        self._width = 0

    def begin(self, label: str) -> None:
        with self._lock:
            self._running.append(label)
            self._draw()

    def end(self, label: str) -> None:
        with self._lock:
            if label in self._running:
                self._running.remove(label)
            self._done += 1
            self._draw()

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.05:
            return
        self._last = now
        current = self._running[-1] if self._running else ""
        line = f"collecting: {self._done} done, {len(self._running)} running {current}"[:79]
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = len(line)

    def close(self) -> None:
        """Erase the progress line."""
        with self._lock:
            if self.enabled and self._width:
                self._stream.write("\r" + " " * self._width + "\r")
                self._stream.flush()
                self._width = 0


class Step:
    """``with Step(progress, "efs DescribeFileSystems"):`` brackets one request."""

    def __init__(self, progress: Progress | None, label: str) -> None:
        self._progress = progress
        self._label = label

    def __enter__(self) -> Step:
        if self._progress is not None:
            self._progress.begin(self._label)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.end(self._label)
