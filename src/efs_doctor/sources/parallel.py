"""Reading and parsing a large tree of inputs on more than one core (issue 8).

Worker processes read and parse contiguous shares of the file list while the loader does
the first share itself; the loader then adds the workers' documents in file order, with
every problem in the place a sequential load puts it, so the inventory is the same. A
worker writes its results (pickled) to an unlinked temporary file and exits; a worker that
fails costs nothing but time: the loader reads its share itself.

Workers are forked (no second start-up: they inherit the imported modules), so this is
used only where ``fork`` exists, with more than one usable CPU, from a process with no
other threads, and for at least :data:`MIN_FILES` files; below that a worker costs more
than it saves. Workers parse YAML only; JSON (``json.loads`` is fast, and its positions
are found lazily from the text), CloudFormation YAML templates and stdin stay with the
loader. ``EFS_DOCTOR_WORKERS`` caps the number of workers (``0``: none).
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from efs_doctor.model.problems import InputProblem
from efs_doctor.model.source import Marks
from efs_doctor.sources.documents import parse_yaml
from efs_doctor.sources.files import STDIN, InputText, read_input
from efs_doctor.sources.manifests import ignored_kind
from efs_doctor.sources.taken import untaken_key

T = TypeVar("T")

MIN_FILES = 300
# Fewest files worth a worker of their own.
PER_WORKER = 150
# Seconds per file of a worker (read, parse, pickle) and of the loader (read, parse, add),
# measured on the benchmark corpus; only their ratio matters: the loader's own share is
# chosen so that it and the workers finish together.
WORKER_SECONDS_PER_FILE = 0.000165
LOADER_SECONDS_PER_FILE = 0.00015


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
    if files < MIN_FILES:
        return 0
    return min(spare_cpus(), files // PER_WORKER)


def spare_cpus() -> int:
    """How many processes may run beside this one: one per usable CPU but this one's,
    at most ``EFS_DOCTOR_WORKERS``; 0 where forking is impossible or unsafe."""
    if not hasattr(os, "fork") or other_threads():
        return 0
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    wanted = cpus - 1
    cap = os.environ.get("EFS_DOCTOR_WORKERS", "").strip()
    if cap.isdigit():
        wanted = min(wanted, int(cap))
    return max(0, wanted)


def shares(items: Sequence[T], count: int) -> list[Sequence[T]]:
    """``items`` cut into ``count`` contiguous shares, in order, their sizes differing by
    at most one (the first ones the larger)."""
    size, extra = divmod(len(items), count)
    bounds = [index * size + min(index, extra) for index in range(count + 1)]
    return [items[start:end] for start, end in itertools.pairwise(bounds)]


def other_threads() -> bool:
    """Whether threads other than this one run in the process: a forked child gets only
    the forking thread, and a lock another one held stays locked in it for good. Linux
    counts every thread, those a native library started too (the Helm library's Go
    runtime, loaded when a chart is rendered in this process); elsewhere only Python's."""
    try:
        return len(os.listdir("/proc/self/task")) > 1
    except OSError:
        threading = sys.modules.get("threading")  # never imported: no other thread exists
        return threading is not None and threading.active_count() > 1


def split(count: int, workers: int, head_start: float = 0.0) -> int:
    """How many of ``count`` files the loader reads itself (the first ones), so that it
    finishes them when ``workers`` finish the rest, after ``head_start`` seconds of other
    work of its own."""
    per_worker = WORKER_SECONDS_PER_FILE / workers
    own = (count * per_worker - head_start) / (LOADER_SECONDS_PER_FILE + per_worker)
    return min(count, max(0, round(own)))


_Worker = tuple[int, Any, Sequence[str]]  # (pid, its output file, its paths)


@dataclass
class Load:
    """A load under way: the walked files, and the workers reading all but the first
    ``own`` of them."""

    files: list[tuple[str, int]]  # (path, how many walk problems came before it)
    walked: list[InputProblem]
    own: int
    workers: list[_Worker] = field(default_factory=list)
    results: Generator[ParsedFile | None, None, None] | None = None

    def close(self) -> None:
        """Stop and reap workers whose results will not be read."""
        if self.results is not None:
            self.results.close()
        _stop(self.workers)


def start(
    files: list[tuple[str, int]], walked: list[InputProblem], head_start: float = 0.0
) -> Load:
    """Start workers on the walked ``files`` (path, walk problems before it) past the
    loader's own share (smaller by ``head_start`` seconds of other work the loader does
    while the workers parse)."""
    workers = 0 if any(path == STDIN for path, _ in files) else worker_count(len(files))
    if not workers:
        return Load(files, walked, len(files))
    own = split(len(files), workers, head_start)
    load = Load(files, walked, own)
    load.workers = _fork(files[own:], workers)
    load.results = _results(load.workers)
    return load


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
    for document in parse_yaml(
        loaded.path, loaded.text, problems, ignored_kind, skip_key=untaken_key
    ):
        source = document.source
        before.append(len(problems))
        documents.append(ParsedDocument(document.data, source.line, source.column, source.marks))
    return ParsedFile(path, loaded, tuple(documents), tuple(problems), tuple(before))


def _yaml_only(text: str) -> bool:
    """Text the loader would give to ``parse_yaml`` (not JSON, not a CloudFormation
    template), whose documents carry all their positions and so can be sent back."""
    from efs_doctor.sources.iac.cfn_yaml import looks_like_yaml_template

    return text.lstrip()[:1] not in ("{", "[") and not looks_like_yaml_template(text)


def _fork(files: list[tuple[str, int]], workers: int) -> list[_Worker]:
    """Fork ``workers`` processes, each reading and parsing a contiguous share of ``files``
    and writing the results to an unlinked temporary file, read once it exits.

    Plain ``fork`` rather than an executor: an executor's result thread would contend for
    the GIL with the loader while both run, which cost more than the worker saved."""
    import pickle
    import tempfile

    paths = [path for path, _ in files]
    started: list[_Worker] = []
    try:
        for share in shares(paths, workers):
            output = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _results or _stop)
            pid = os.fork()
            if pid == 0:  # the worker: parse, write, leave without any cleanup of the parent's
                code = 1
                try:
                    pickle.dump(parse_batch(share), output, protocol=pickle.HIGHEST_PROTOCOL)
                    output.flush()
                    code = 0
                finally:
                    os._exit(code)
            started.append((pid, output, share))
    except BaseException:
        _stop(started)
        raise
    return started


def _results(started: list[_Worker]) -> Generator[ParsedFile | None, None, None]:
    """The workers' results in order; None per file of a worker that failed (killed, out
    of memory, disk full), which the loader then reads itself."""
    import pickle

    try:
        while started:
            pid, output, share = started[0]
            _pid, status = os.waitpid(pid, 0)
            started.pop(0)
            parsed: list[ParsedFile] | None = None
            with output:
                if os.waitstatus_to_exitcode(status) == 0:
                    output.seek(0)
                    try:
                        parsed = pickle.load(output)
                    except Exception:  # a truncated file (disk full): read the share here
                        parsed = None
            if parsed is None or len(parsed) != len(share):
                yield from [None] * len(share)
            else:
                yield from parsed
    finally:
        _stop(started)


def _stop(started: list[_Worker]) -> None:
    """End and reap workers whose results will not be read (an error in the loader)."""
    import signal

    for pid, output, _share in started:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
        output.close()
    started.clear()


@dataclass
class Forked:
    """A call running in a forked process; :meth:`result` waits for its answer, or gives
    None when the process failed or its answer could not be sent (the caller then makes
    the call itself)."""

    pid: int
    output: Any

    def result(self) -> Any:
        import pickle

        with self.output:
            _pid, status = os.waitpid(self.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                return None
            self.output.seek(0)
            try:
                return pickle.load(self.output)
            except Exception:  # a truncated file (disk full)
                return None


def fork_call(call: Callable[[], Any]) -> Forked | None:
    """``call`` in a forked process (None where forking is not safe or possible: see
    :func:`spare_cpus`), so that the caller does other work meanwhile."""
    import pickle
    import tempfile

    if spare_cpus() == 0:
        return None
    output = tempfile.TemporaryFile()  # noqa: SIM115 (closed by Forked.result)
    pid = os.fork()
    if pid == 0:  # the child: answer, write, leave without any cleanup of the parent's
        code = 1
        try:
            pickle.dump(call(), output, protocol=pickle.HIGHEST_PROTOCOL)
            output.flush()
            code = 0
        finally:
            os._exit(code)
    return Forked(pid, output)
