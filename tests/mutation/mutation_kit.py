"""Wrong types everywhere: the bundled examples with one field replaced, run through the CLI.

Each mutation copies an example, replaces the value at one field path of one file with one
of five values (null, a number, a list, a nested map 60 levels deep, an empty string), and
runs ``scan``, ``simulate`` and ``explain`` on the copy in this process through
``efs_doctor.cli.main`` (a child process per run would cost ten times as much). The run
must exit 0, 1 or 2 without a traceback or an "internal error", every new problem line
about the mutated file must name the field, and a problem about the field must say where
it is (file:line:column).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
EXPLAIN_ERROR = (
    'MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = Internal desc = Could not '
    'mount "fs-0123456789abcdef0:/" at "/var/lib/kubelet/pods/x/volumes/kubernetes.io~csi/efs-pv'
    '/mount": mount failed: exit status 32\nMounting arguments: -t efs -o tls '
    "fs-0123456789abcdef0:/ /var/lib/kubelet/pods/x/mount\n"
    "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'"
)


def _deep() -> Any:
    value: Any = "leaf"
    for _ in range(60):
        value = {"nested": value}
    return value


VALUES: dict[str, Any] = {
    "null": None,
    "number": 42,
    "list": ["x", 1],
    "deep-map": _deep(),
    "empty-string": "",
}
FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Mutation:
    example: str  # "seed-incident" | "healthy"
    file: str  # relative to the example, e.g. "k8s/pv-and-claim.yaml"
    document: int  # index of the YAML document (0 for JSON)
    path: FieldPath
    value: str  # a key of VALUES

    @property
    def id(self) -> str:
        dotted = ".".join(str(p) for p in self.path)
        return f"{self.example}/{self.file}#{self.document}:{dotted}={self.value}"

    @property
    def key(self) -> str:
        """The innermost named field: what a message about this field must mention."""
        names = [p for p in self.path if isinstance(p, str)]
        return names[-1] if names else str(self.path[-1])


def _documents(path: Path) -> list[Any]:
    if path.suffix == ".json":
        return [json.loads(path.read_text())]
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def _paths(data: Any, prefix: FieldPath = ()) -> Iterator[FieldPath]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def example_files(example: str) -> list[Path]:
    root = EXAMPLES / example
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".json"))


def all_mutations(example: str) -> list[Mutation]:
    """The full product for one example: every field of every file, every value."""
    found = []
    root = EXAMPLES / example
    for path in example_files(example):
        for index, document in enumerate(_documents(path)):
            for field_path in _paths(document):
                for value in VALUES:
                    found.append(
                        Mutation(example, str(path.relative_to(root)), index, field_path, value)
                    )
    return found


def _stable(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def sampled_mutations() -> list[Mutation]:
    """The deterministic CI sample of ``seed-incident`` (the full product is the slow test):
    every field of every Kubernetes manifest with ONE of the five values, chosen by a stable
    hash of the field so that each value kind covers about a fifth of the fields; and one AWS
    field in eight (stable hash), again with one value each."""
    chosen = []
    for mutation in all_mutations("seed-incident"):
        field = f"{mutation.file}#{mutation.document}:{mutation.path}"
        names = list(VALUES)
        if mutation.value != names[_stable(field) % len(names)]:
            continue
        if mutation.file.startswith("aws/") and _stable("aws:" + field) % 8:
            continue
        chosen.append(mutation)
    return chosen


def apply(mutation: Mutation, into: Path) -> Path:
    """Copy the example into ``into`` with the mutation applied; returns the mutated file."""
    root = EXAMPLES / mutation.example
    shutil.copytree(root, into, dirs_exist_ok=True)
    target = into / mutation.file
    documents = _documents(target)
    node = documents[mutation.document]
    for part in mutation.path[:-1]:
        node = node[part]
    node[mutation.path[-1]] = VALUES[mutation.value]
    if target.suffix == ".json":
        target.write_text(json.dumps(documents[0], indent=2))
    else:
        target.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return target


@dataclass(frozen=True)
class Outcome:
    command: str
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> Outcome:
    """``efs-doctor ARGS`` in this process (output captured, never a terminal)."""
    from efs_doctor.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse
            code = int(exit_.code or 0)
    return Outcome(args[0], code, out.getvalue(), err.getvalue())


def commands(folder: Path) -> list[tuple[str, ...]]:
    return [
        ("scan", str(folder)),
        ("simulate", str(folder)),
        ("explain", "--error", EXPLAIN_ERROR, str(folder)),
    ]


_POSITIONED = re.compile(r"^<root>/.+?:(?P<line>\d+)(?::(?P<column>\d+))?: ")


def problems_about(outcome: Outcome, folder: Path, file: str) -> list[str]:
    """Problem lines about ``file`` under ``folder``, with the folder written ``<root>``."""
    prefix = f"{folder}/{file}:"
    return [
        line.replace(str(folder), "<root>", 1)
        for line in outcome.stderr.splitlines()
        if line.startswith(prefix)
    ]


def check(mutation: Mutation, folder: Path, outcome: Outcome, baseline: list[str]) -> list[str]:
    """What is wrong with one run; empty when it holds the properties. ``baseline``: the
    problem lines of the same command on the unmutated example."""
    wrong = []
    text = outcome.stdout + outcome.stderr
    if outcome.code not in (0, 1, 2):
        wrong.append(f"{outcome.command}: exit {outcome.code}")
    if "Traceback" in text or "internal error" in text:
        wrong.append(f"{outcome.command}: traceback or internal error: {outcome.stderr[-600:]}")
    new = [line for line in problems_about(outcome, folder, mutation.file) if line not in baseline]
    for line in new:
        if mutation.key.lower() not in line.lower():
            wrong.append(f"{outcome.command}: problem does not name {mutation.key!r}: {line}")
        elif not _POSITIONED.match(line):
            wrong.append(f"{outcome.command}: problem without a line: {line}")
    return wrong
