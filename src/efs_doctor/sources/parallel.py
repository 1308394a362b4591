"""Reading and parsing a large tree of inputs on more than one core (issue 8).

Worker processes read and parse contiguous shares of the file list while the loader does
the first share itself; the loader then adds the workers' documents in file order, with
every problem in the place a sequential load puts it, so the inventory is the same.

Workers are forked (no second start-up: they inherit the imported modules), so this is
used only where ``fork`` exists, with more than one usable CPU, from a process with no
other threads, and for at least :data:`MIN_FILES` files; below that a worker costs more
than it saves. Workers parse YAML only; JSON (``json.loads`` is fast, and its positions
are found lazily from the text), CloudFormation YAML templates and stdin stay with the
loader. ``EFS_DOCTOR_WORKERS`` caps the number of workers (``0``: none).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from efs_doctor.model.problems import InputProblem
from efs_doctor.model.source import Marks
from efs_doctor.sources.documents import parse_yaml
from efs_doctor.sources.files import InputText, read_input
from efs_doctor.sources.manifests import ignored_kind

MIN_FILES = 1000
# Files per worker task: results stream back in this size, so the loader adds the first
# ones while the workers parse the rest.
BATCH = 250
# The loader's own share is smaller than a worker's: it also adds every document.
OWN_SHARE = 0.7


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    data: Any
    line: int | None
    column: int | None
    marks: Marks


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One input as a worker read it. ``documents`` is None when the loader must parse the
    text itself; ``before[i]`` is how many of ``problems`` came before document ``i``."""

    path: str
    loaded: InputText | None
    documents: tuple[ParsedDocument, ...] | None
    problems: tuple[InputProblem, ...]
    before: tuple[int, ...]


def worker_count(files: int) -> int:
    """How many worker processes to use for ``files`` files (0: load sequentially)."""
    if files < MIN_FILES or sys.platform == "win32" or threading.active_count() > 1:
        return 0
    try:
        import multiprocessing

        multiprocessing.get_context("fork")
    except ValueError:
        return 0
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    wanted = cpus - 1
    cap = os.environ.get("EFS_DOCTOR_WORKERS", "").strip()
    if cap.isdigit():
        wanted = min(wanted, int(cap))
    return max(0, min(wanted, files // BATCH))


def split(count: int, workers: int) -> int:
    """How many of ``count`` files the loader reads itself (the first ones)."""
    return int(count * OWN_SHARE / (workers + OWN_SHARE))


def parse_batch(paths: Sequence[str]) -> list[ParsedFile]:
    """Read and parse ``paths`` (in a worker)."""
    return [_parse_file(path) for path in paths]


def _parse_file(path: str) -> ParsedFile:
    problems: list[InputProblem] = []
    loaded = read_input(path, problems)
    if loaded is None or not _yaml_only(loaded.text):
        return ParsedFile(path, loaded, None, tuple(problems), ())
    documents: list[ParsedDocument] = []
    before: list[int] = []
    for document in parse_yaml(loaded.path, loaded.text, problems, ignored_kind):
        source = document.source
        before.append(len(problems))
        documents.append(ParsedDocument(document.data, source.line, source.column, source.marks))
    return ParsedFile(path, loaded, tuple(documents), tuple(problems), tuple(before))


def _yaml_only(text: str) -> bool:
    """Text the loader would give to ``parse_yaml`` (not JSON, not a CloudFormation
    template), whose documents carry all their positions and so can be sent back."""
    from efs_doctor.sources.iac.cfn_yaml import looks_like_yaml_template

    return text.lstrip()[:1] not in ("{", "[") and not looks_like_yaml_template(text)


def parse_in_workers(
    paths: Sequence[str], workers: int
) -> Generator[ParsedFile | None, None, None]:
    """Start ``workers`` processes on ``paths`` and yield their results in order; a batch
    whose worker failed (killed, out of memory) yields None per file, for the loader to
    read itself. Start this before the loader reads its own share."""
    import multiprocessing

    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    batches = [list(paths[i : i + BATCH]) for i in range(0, len(paths), BATCH)]
    futures: list[Future[list[ParsedFile]]] = [
        executor.submit(parse_batch, batch) for batch in batches
    ]

    def results() -> Generator[ParsedFile | None, None, None]:
        try:
            for batch, future in zip(batches, futures, strict=True):
                try:
                    parsed: list[ParsedFile | None] = list(future.result())
                except Exception:  # a dead worker: the loader reads the batch itself
                    parsed = [None] * len(batch)
                yield from parsed
        finally:
            executor.shutdown(wait=True, cancel_futures=True)

    return results()
