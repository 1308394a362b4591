"""A small seeded mutation fuzzer: byte-level and structure-aware mutations of a seed corpus.

Deterministic: the same seed, target and count give the same inputs, so a CI failure can be
replayed exactly. Used by ``tests/fuzz/test_fuzz_ci.py`` (a few hundred inputs per target)
and by ``scripts/fuzz.py`` (long campaigns; it runs this in a child process per target so
that a hang inside C code is caught by the parent as well).

A failure is any exception escaping the target other than the ones a target documents, a
:class:`~fuzz_targets.PropertyViolation`, or an input that takes longer than the per-input
time limit (``signal.setitimer``; the exception it raises derives from ``BaseException`` so
that no ``except Exception`` in the code under test can swallow it).
"""

from __future__ import annotations

import hashlib
import json
import random
import signal
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
REGRESSIONS = HERE / "regressions"
NOTE_SUFFIX = ".why"

# Fragments that reach the interesting corners of YAML, JSON, IAM policies, mount options
# and pasted error text. Mutations insert them or replace one with another.
TOKENS: tuple[bytes, ...] = (
    b"&a ",
    b"*a",
    b"<<: ",
    b"!!python/object:os.system ",
    b"!!python/name:os.system",
    b"!custom ",
    b"!!binary ",
    b"!!timestamp 2024-02-30",
    b"2024-02-30",
    b"2001-12-14t21:59:43.10-05:00",
    b"!!set ",
    b"!!bool ",
    b"!!int ",
    b"!!float ",
    b"!!str ",
    b"!!null ",
    b"!!seq ",
    b"!!map ",
    b"!!omap ",
    b"? ",
    b"--- ",
    b"\n---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"%TAG ! tag:x,2000:\n",
    b"|\n  ",
    b">-\n  ",
    b"- ",
    b": ",
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b"'",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"\t",
    b"\r\n",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"\xe2\x80\xae",
    b"\x1b[31m",
    b"null",
    b"~",
    b"true",
    b"on",
    b"NaN",
    b".nan",
    b"-.inf",
    b"Infinity",
    b"1e999999",
    b"-1e-999999",
    b"9" * 5000,
    b"[" * 3000,
    b'{"a":' * 1500,
    b"- " * 2000,
    b"{a: " * 1500,
    b"0x" + b"f" * 64,
    b"0o777",
    b"0b1",
    b"190:20:30",
    b"-0",
    b"1_000",
    b"apiVersion: v1\n",
    b"kind: PersistentVolume\n",
    b"kind: List\nitems:\n",
    b"metadata:\n  name: x\n",
    b"metadata: null\n",
    b"spec: []\n",
    b"csi:\n  driver: efs.csi.aws.com\n  volumeHandle: ",
    b"efs.csi.aws.com",
    b"fs-0123456789abcdef0",
    b"fs-",
    b"fsap-0123456789abcdef0",
    b"fsap-",
    b"efs:",
    b"s3files:",
    b"::",
    b"/../..",
    b"//",
    b"\x1e",
    b"tls",
    b"iam",
    b"accesspoint=",
    b"awscredsuri=",
    b"awsprofile=x",
    b"mounttargetip=",
    b"mounttargetipmap",
    b'{"us-east-1a":"10.0.0.1"}',
    b"encryptInTransit=",
    b"crossaccount=",
    b"tlsport=x",
    b"port=2049",
    b"a=b=c",
    b",,,",
    b'"Statement"',
    b'"Effect": "Deny"',
    b'"Principal": {"AWS": "*"}',
    b'"Principal": "*"',
    b'"Action": "elasticfilesystem:Client*"',
    b'"NotAction"',
    b'"NotPrincipal"',
    b'"Resource": "*"',
    b'"Condition": {"Bool": {"aws:SecureTransport": "true"}}',
    b'"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}',
    b'"ForAnyValue:StringLike"',
    b'"StringEqualsIfExists"',
    b'"Null"',
    b'"DateLessThan": {"aws:CurrentTime": "2026-13-45T00:00:00Z"}',
    b'"NumericLessThan": {"aws:MultiFactorAuthAge": "1e400"}',
    b"${aws:username}",
    b"${",
    b"arn:aws:iam::123456789012:role/x",
    b"arn:aws:sts::123456789012:assumed-role/x/y",
    b"arn:",
    b'"FileSystems"',
    b'"MountTargets"',
    b'"Reservations"',
    b'"SecurityGroups"',
    b'"IpPermissions"',
    b'"FromPort": 2049',
    b'"RoleDetailList"',
    b'"PolicyNotFound"',
    b'"Error": {"Code": "PolicyNotFound"}',
    b"Warning  FailedMount  ",
    b"MountVolume.SetUp failed for volume ",
    b"mount.nfs4: access denied by server while mounting 127.0.0.1:/",
    b"Output: b'",
    b"\\n",
    b"\\x1b[0m",
    b"&quot;",
    b"&#999999999;",
    b"Failed to resolve ",
    b"Connection reset by peer",
    b"exit status 32",
    b"I0101 00:00:00.000000       1 ",
    b"Events:\n",
    b"2026-01-01T00:00:00Z",
)

# Values a structure-aware mutation puts in place of one field (issue 9, item 3).
EVIL_VALUES: tuple[Any, ...] = (
    None,
    0,
    -1,
    2**64,
    10**200,
    1.5,
    float("inf"),
    "",
    " ",
    "\x00",
    "\u202e",
    "x" * 10_000,
    [],
    [None],
    [[[[[]]]]],
    {},
    {"a": {"b": {"c": {"d": {"e": {}}}}}},
    True,
    False,
    "null",
    "true",
    "fs-0123456789abcdef0",
    "efs:fs-0123456789abcdef0::fsap-0123456789abcdef0",
    "*",
    "arn:aws:iam::*:role/*",
    "2049",
)


class InputTimeout(BaseException):
    """One input ran longer than the per-input limit."""


@dataclass
class Failure:
    target: str
    kind: str  # "crash" | "property" | "timeout" | "slow"
    signature: str  # exception type and innermost efs_doctor frame
    detail: str
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha1(self.data).hexdigest()[:16]


@dataclass
class Stats:
    target: str
    inputs: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    failures: list[Failure] = field(default_factory=list)

    @property
    def signatures(self) -> set[str]:
        return {f.signature for f in self.failures}


# ---- corpus -----------------------------------------------------------------------------------


def corpus_inputs(target: str) -> list[bytes]:
    folder = CORPUS / target
    if not folder.is_dir():
        return []
    return [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()]


def regression_files(target: str | None = None) -> list[Path]:
    """Kept failing inputs (the ``.why`` files beside them say what they broke)."""
    roots = [REGRESSIONS / target] if target else sorted(REGRESSIONS.glob("*"))
    return [
        p
        for root in roots
        if root.is_dir()
        for p in sorted(root.iterdir())
        if p.is_file() and not p.name.endswith(NOTE_SUFFIX) and not p.name.startswith(".")
    ]


def save_regression(failure: Failure) -> Path:
    folder = REGRESSIONS / failure.target
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / failure.digest
    path.write_bytes(failure.data)
    note = f"{failure.kind}: {failure.signature}: {failure.detail}"
    (folder / (failure.digest + NOTE_SUFFIX)).write_text(
        " ".join(note.split())[:500] + "\n", encoding="utf-8"
    )
    return path


# ---- mutations --------------------------------------------------------------------------------


class Mutator:
    """Produces inputs from ``seeds``: 1-6 stacked byte-level mutations, or one
    structure-aware replacement of a field in a JSON/YAML seed."""

    def __init__(self, seeds: Sequence[bytes], rng: random.Random, max_len: int = 65536) -> None:
        self.seeds = [s for s in seeds if s] or [b""]
        self.rng = rng
        self.max_len = max_len
        self._byte_ops: list[Callable[[bytearray], None]] = [
            self._flip_bit,
            self._set_byte,
            self._insert_random,
            self._delete_range,
            self._duplicate_range,
            self._repeat_range,
            self._insert_token,
            self._replace_token,
            self._splice,
            self._truncate,
            self._swap_ranges,
            self._huge_number,
        ]

    def next(self) -> bytes:
        rng = self.rng
        seed = rng.choice(self.seeds)
        if rng.random() < 0.25:
            structured = self._structural(seed)
            if structured is not None:
                return structured[: self.max_len]
        data = bytearray(seed)
        for _ in range(rng.randint(1, 6)):
            rng.choice(self._byte_ops)(data)
            if len(data) > self.max_len:
                del data[self.max_len :]
        return bytes(data)

    # byte-level
    def _pos(self, data: bytearray, end: bool = False) -> int:
        return self.rng.randint(0, len(data)) if end else self.rng.randrange(max(len(data), 1))

    def _flip_bit(self, data: bytearray) -> None:
        if data:
            i = self._pos(data)
            data[i] ^= 1 << self.rng.randrange(8)

    def _set_byte(self, data: bytearray) -> None:
        if data:
            special = b"\x00\xff\x7f\x80\n:\"'{}[]-#&*!|>%@`\\ \t"
            data[self._pos(data)] = self.rng.choice(special + bytes([self.rng.randrange(256)]))

    def _insert_random(self, data: bytearray) -> None:
        chunk = bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 8)))
        i = self._pos(data, end=True)
        data[i:i] = chunk

    def _span(self, data: bytearray) -> tuple[int, int]:
        if not data:
            return 0, 0
        start = self._pos(data)
        return start, min(len(data), start + self.rng.randint(1, 64))

    def _delete_range(self, data: bytearray) -> None:
        start, end = self._span(data)
        del data[start:end]

    def _duplicate_range(self, data: bytearray) -> None:
        start, end = self._span(data)
        i = self._pos(data, end=True)
        data[i:i] = data[start:end]

    def _repeat_range(self, data: bytearray) -> None:
        """Deep nesting and long lines: a short slice repeated up to a few thousand times."""
        start, end = self._span(data)
        end = min(end, start + 4)
        times = self.rng.choice((2, 10, 100, 1000, 5000))
        data[start:end] = bytes(data[start:end]) * times

    def _insert_token(self, data: bytearray) -> None:
        i = self._pos(data, end=True)
        data[i:i] = self.rng.choice(TOKENS)

    def _replace_token(self, data: bytearray) -> None:
        token = self.rng.choice(TOKENS)
        found = [t for t in TOKENS if t in data]
        if found:
            old = self.rng.choice(found)
            i = bytes(data).find(old)
            data[i : i + len(old)] = token
        else:
            self._insert_token(data)

    def _splice(self, data: bytearray) -> None:
        other = self.rng.choice(self.seeds)
        cut = self._pos(data, end=True)
        other_cut = self.rng.randint(0, len(other))
        data[cut:] = other[other_cut:]

    def _truncate(self, data: bytearray) -> None:
        if data:
            del data[self._pos(data) :]

    def _swap_ranges(self, data: bytearray) -> None:
        a0, a1 = self._span(data)
        b0, b1 = self._span(data)
        if a1 <= b0:
            data[a0:b1] = data[b0:b1] + data[a1:b0] + data[a0:a1]

    def _huge_number(self, data: bytearray) -> None:
        text = bytes(data)
        digits = [i for i in range(len(text)) if 48 <= text[i] <= 57]
        if not digits:
            return self._insert_token(data)
        i = self.rng.choice(digits)
        data[i : i + 1] = self.rng.choice((b"9" * 5000, b"1e999999", b"-1e309", b"0.0000001e-999"))
        return None

    # structure-aware
    def _structural(self, seed: bytes) -> bytes | None:
        from fuzz_structure import load_any, mutate_tree

        loaded = load_any(seed)
        if loaded is None:
            return None
        tree, dump = loaded
        mutated = mutate_tree(tree, self.rng, EVIL_VALUES)
        try:
            return dump(mutated)
        except (ValueError, TypeError, OverflowError, RecursionError):
            return None


# ---- running ----------------------------------------------------------------------------------


def _on_alarm(_signum: int, _frame: object) -> None:
    raise InputTimeout()


def _signature(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "efs_doctor" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    return f"{type(error).__name__} at {where}"


def run_one(
    target: str, function: Callable[[bytes], None], data: bytes, timeout: float
) -> Failure | None:
    """Run one input under a time limit; the failure, if any."""
    from fuzz_targets import PropertyViolation

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        function(data)
    except InputTimeout:
        return Failure(target, "timeout", f"timeout over {timeout:g}s", "", data)
    except PropertyViolation as error:
        return Failure(target, "property", _signature(error), str(error)[:300], data)
    except (Exception, RecursionError, MemoryError) as error:
        return Failure(target, "crash", _signature(error), f"{error}"[:300], data)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return None


def generate(target: str, seed: int, seeds: Sequence[bytes]) -> Iterator[bytes]:
    """The seeds themselves, then endless mutations (deterministic for ``seed``)."""
    yield from seeds
    mutator = Mutator(seeds, random.Random(f"{seed}:{target}"))
    while True:
        yield mutator.next()


def campaign(
    target: str,
    *,
    count: int | None = None,
    seconds: float | None = None,
    seed: int = 0,
    timeout: float = 10.0,
    slow: float | None = None,
    on_input: Callable[[bytes], None] | None = None,
    on_failure: Callable[[Failure], None] | None = None,
) -> Stats:
    """Run ``target`` on its corpus and mutations until ``count`` inputs or ``seconds``.

    ``slow``: an input that completes but takes longer than this many seconds is a failure
    too (kind "slow"): with inputs of at most 64 KiB it means superlinear work somewhere."""
    from fuzz_targets import TARGETS

    function = TARGETS[target].run
    stats = Stats(target)
    started = time.monotonic()
    for data in generate(target, seed, corpus_inputs(target)):
        if count is not None and stats.inputs >= count:
            break
        if seconds is not None and time.monotonic() - started >= seconds:
            break
        if on_input is not None:
            on_input(data)
        began = time.perf_counter()
        failure = run_one(target, function, data, timeout)
        elapsed = time.perf_counter() - began
        stats.slowest = max(stats.slowest, elapsed)
        stats.inputs += 1
        if failure is None and slow is not None and elapsed > slow:
            failure = Failure(target, "slow", f"over {slow:g}s", f"took {elapsed:.2f}s", data)
        if failure is not None:
            stats.failures.append(failure)
            if on_failure is not None:
                on_failure(failure)
    stats.seconds = time.monotonic() - started
    return stats


def stats_json(stats: Stats) -> str:
    return json.dumps(
        {
            "target": stats.target,
            "inputs": stats.inputs,
            "seconds": round(stats.seconds, 1),
            "slowest": round(stats.slowest, 3),
            "failures": len(stats.failures),
            "signatures": sorted(stats.signatures),
        }
    )
