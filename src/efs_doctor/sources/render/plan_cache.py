"""Plans remembered between scans, so that a second scan of an unchanged monorepo does not
read its kustomizations and texts again (issue 22: 0.25 s of a 5,000-file scan).

A plan is stored under the render cache's directory, keyed by the walked files (paths, in
order), the working directory and the planner's own code. With it is kept what the plan
depends on beyond the paths: the signature (kind, mode, size, inode, modification and
change times) of every file the planner read, inside the walk or outside it; the kind of
every path it asked about (a resource found missing, a base directory); and the signature
of every directory it listed (a chart, a folder a kustomization names). The plan is
trusted only while all of these are the same.

A signature taken within :data:`RACY_NS` of the plan's start proves nothing: a file
changed again within the same tick of the file system's clock keeps its times. Such a
plan is not stored; the next scan, later, stores it (Git's "racy clean" entries, same
reason). On POSIX a file's change time is set by the kernel on every write, rename or
``touch`` and cannot be set back, so a change time older than the plan's start minus the
window means the file has not changed since it was read. (Windows reports the creation
time there; the modification time is checked as well.)

A cache that cannot be read or written is no cache: it never fails a scan.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.model.source import Location
from efs_doctor.sources.render.cache import default_directory, write_json
from efs_doctor.sources.render.kustomization import NOTHING, Signature, signature
from efs_doctor.sources.render.model import Unit, UnitKind, UnitPlan

# Bumped when what is stored changes shape.
FORMAT = "2"
# Change times this close to the plan's start may hide a later change (file systems keep
# times in ticks: a jiffy, one second on ext3 and HFS+, two on FAT).
RACY_NS = 3_000_000_000
# The modules whose code decides a plan: an edited checkout must not use an older plan.
_PLANNER_MODULES = (
    "efs_doctor.sources.render.units",
    "efs_doctor.sources.render.kustomization",
    "efs_doctor.sources.render.relevance",
    "efs_doctor.sources.render.plan_cache",
    "efs_doctor.sources.documents",
    "efs_doctor.sources.files",
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a plan was made from: every path the planner asked about (``paths``: its
    signature when first asked), the files it ``read`` and the directories it ``listed``
    (signatures taken before listing)."""

    paths: Mapping[str, Signature]
    read: Sequence[str]
    listed: Mapping[str, Signature]


class PlanCache:
    """The remembered plan of one list of walked files, under ``directory`` (the render
    cache's: None for the default one, "" for no cache)."""

    def __init__(self, directory: str | None, walked: Sequence[str]) -> None:
        if directory is None:
            directory = default_directory()
        key = _key(walked) if directory else None
        self.path = os.path.join(directory, "plans", key + ".json") if key else ""

    def get(self) -> UnitPlan | None:
        if not self.path:
            return None
        try:
            with open(self.path, encoding="utf-8") as handle:
                stored = json.load(handle)
            if stored["format"] != FORMAT or not _unchanged(stored):
                return None
            return _plan(stored["plan"])
        except (
            OSError,
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            AttributeError,
            RecursionError,
        ):
            return None

    def put(self, plan: UnitPlan, evidence: Evidence, started: int) -> None:
        """Remember ``plan``, made from ``evidence`` by a planner started at ``started``
        (``time.time_ns()``), unless a signature is too recent to prove anything."""
        if not self.path:
            return
        read = set(evidence.read)
        if not read <= evidence.paths.keys():  # read with no signature taken before
            return
        signed = {path: evidence.paths[path] for path in read}
        signed.update(evidence.listed)
        recent = started - RACY_NS
        if any(sig[0] != NOTHING and max(sig[4:6]) >= recent for sig in signed.values()):
            return
        stored = {
            "format": FORMAT,
            "plan": _stored_plan(plan),
            "kinds": [[p, sig[0]] for p, sig in evidence.paths.items() if p not in read],
            "signed": [[p, *sig] for p, sig in signed.items()],
        }
        write_json(self.path, stored)


def _key(walked: Sequence[str]) -> str | None:
    """A digest of the walked paths, the working directory (they may be relative), the
    version and the planner's code (its files' signatures); None without a working
    directory."""
    import hashlib  # here: only the planner needs it (cache.py)
    import sys

    from efs_doctor import __version__

    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    for name in _PLANNER_MODULES:
        module = sys.modules.get(name)
        where = getattr(module, "__file__", None) or name
        digest.update(f"\0m{where}\0{signature(where)}".encode("utf-8", "surrogateescape"))
    try:
        digest.update(b"\0d" + os.getcwd().encode("utf-8", "surrogateescape"))
    except OSError:  # the working directory is gone: relative paths mean nothing stable
        return None
    digest.update(b"\0w" + "\0".join(walked).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _unchanged(stored: dict[str, Any]) -> bool:
    """Every path the plan depends on is as it was."""
    for path, kind in stored["kinds"]:
        if signature(path)[0] != kind:
            return False
    return all(list(signature(path)) == was for path, *was in stored["signed"])


def _stored_plan(plan: UnitPlan) -> dict[str, Any]:
    return {
        "roots": [[u.kind.value, u.directory, list(u.inputs), list(u.remote)] for u in plan.roots],
        "owned": sorted(plan.owned),
        "problems": [_stored_problem(problem) for problem in plan.problems],
    }


def _stored_problem(problem: InputProblem) -> list[Any]:
    where = problem.location
    return [
        where.path,
        where.line,
        where.column,
        where.object,
        problem.message,
        problem.level.value,
    ]


def _plan(stored: dict[str, Any]) -> UnitPlan:
    roots = tuple(
        Unit(UnitKind(kind), _text(directory), _texts(inputs), _texts(remote))
        for kind, directory, inputs, remote in stored["roots"]
    )
    problems = tuple(
        InputProblem(
            Location(_optional_text(path), _number(line), _number(column), _optional_text(name)),
            _text(message),
            ProblemLevel(level),
        )
        for path, line, column, name, message, level in stored["problems"]
    )
    return UnitPlan(roots, frozenset(_texts(stored["owned"])), problems, cached=True)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _texts(values: object) -> tuple[str, ...]:
    if not isinstance(values, list):
        raise TypeError("not a list")
    return tuple(_text(value) for value in values)


def _number(value: object) -> int | None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise TypeError("not a number")
    return value
