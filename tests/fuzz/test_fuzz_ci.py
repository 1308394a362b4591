"""The fuzz targets in CI: seeds, kept regressions, and a brief deterministic campaign each.

Long campaigns run on demand with ``python scripts/fuzz.py --minutes N`` (see
docs/guarantees.md). Here every target gets its seed corpus, every input that ever failed
(``tests/fuzz/regressions/<target>/``), and a few hundred mutations from a fixed seed, so a
failure is reproducible with the same seed and count. ``EFS_DOCTOR_FUZZ_INPUTS`` raises the
number of mutations per target.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fuzz_engine import (
    Failure,
    Mutator,
    campaign,
    corpus_inputs,
    regression_files,
    run_one,
)
from fuzz_targets import TARGETS

REPO = Path(__file__).resolve().parents[2]
CI_SEED = 20260901
# The targets that load files and run every engine cost ~30 ms an input; the others ~1 ms.
PIPELINE = {"kubernetes-yaml", "kubernetes-json", "aws-shapes"}
TIMEOUT = 20.0  # per input; generous so that a loaded CI machine does not flake


def _budget(target: str) -> int:
    override = os.environ.get("EFS_DOCTOR_FUZZ_INPUTS")
    if override:
        return int(override)
    return 60 if target in PIPELINE else 300


def _describe(failures: list[Failure]) -> str:
    return "\n".join(
        f"{f.kind}: {f.signature}: {f.detail} input={f.data[:200]!r}" for f in failures
    )


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_target_has_a_seed_corpus(target: str) -> None:
    assert len(corpus_inputs(target)) >= 5, "run `python scripts/fuzz.py --build-corpus`"


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_seed_corpus_holds_the_properties(target: str) -> None:
    failures = [
        failure
        for data in corpus_inputs(target)
        if (failure := run_one(target, TARGETS[target].run, data, TIMEOUT)) is not None
    ]
    assert not failures, _describe(failures)


@pytest.mark.parametrize("path", regression_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_kept_regression_stays_fixed(path: Path) -> None:
    target = path.parent.name
    assert target in TARGETS, f"regression kept for an unknown target: {path}"
    began = time.monotonic()
    failure = run_one(target, TARGETS[target].run, path.read_bytes(), TIMEOUT)
    assert failure is None, _describe([failure])
    # some were kept for being slow (quadratic regexes): each must now be quick
    assert time.monotonic() - began < 5


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_brief_mutation_campaign(target: str) -> None:
    stats = campaign(target, count=_budget(target), seed=CI_SEED, timeout=TIMEOUT)
    assert stats.inputs == _budget(target)
    assert not stats.failures, _describe(stats.failures)


def test_mutations_are_deterministic_for_a_seed() -> None:
    import random

    seeds = corpus_inputs("kubernetes-yaml")
    first = Mutator(seeds, random.Random("7:x"))
    second = Mutator(seeds, random.Random("7:x"))
    assert [first.next() for _ in range(50)] == [second.next() for _ in range(50)]


def test_a_hanging_input_is_stopped_and_reported() -> None:
    def hangs(_data: bytes) -> None:
        while True:
            pass

    began = time.monotonic()
    failure = run_one("demo", hangs, b"x", 0.3)
    assert time.monotonic() - began < 5
    assert failure is not None
    assert failure.kind == "timeout"


def test_a_hang_swallowed_by_except_exception_is_still_a_timeout() -> None:
    def stubborn(_data: bytes) -> None:
        while True:
            try:
                time.sleep(10)
            except Exception:  # the code under test may catch broadly; the limit still holds
                continue

    failure = run_one("demo", stubborn, b"x", 0.3)
    assert failure is not None
    assert failure.kind == "timeout"


def test_a_crash_is_reported_with_where_it_happened() -> None:
    def crashes(data: bytes) -> None:
        {}[data]

    failure = run_one("demo", crashes, b"key", 5)
    assert failure is not None
    assert failure.kind == "crash"
    assert failure.signature.startswith("KeyError at test_fuzz_ci.py:")


def test_runner_script_reports_inputs_per_target(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "fuzz.py"),
            "--target",
            "volume-handle",
            "--target",
            "mount-options",
            "--inputs",
            "40",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = {r["target"]: r for r in json.loads(out.read_text())}
    assert set(figures) == {"volume-handle", "mount-options"}
    for row in figures.values():
        assert row["inputs"] == 40
        assert row["failures"] == 0
    assert "volume-handle" in result.stdout
