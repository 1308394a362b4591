"""Issue 9, item 3: every field of the bundled examples replaced in turn with null, a number,
a list, a deeply nested map and an empty string; ``scan``, ``simulate`` and ``explain`` exit
0, 1 or 2, never with a traceback, and every new problem names the field.

CI runs a deterministic sample (mutation_kit.sampled_mutations: every Kubernetes field of the
seed incident with one of the five values, one AWS field in eight); the full product of both
examples (about 7,800 mutations, each run through the three commands) is the slow test.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mutation_kit import (
    EXAMPLES,
    VALUES,
    Mutation,
    all_mutations,
    apply,
    check,
    commands,
    problems_about,
    run_cli,
    sampled_mutations,
)

_baselines: dict[tuple[str, str, str], list[str]] = {}


def _baseline(example: str, command: str, file: str, tmp: Path) -> list[str]:
    key = (example, command, file)
    if key not in _baselines:
        folder = tmp / "baseline"
        if not folder.exists():
            shutil.copytree(EXAMPLES / example, folder)
        args = next(c for c in commands(folder) if c[0] == command)
        _baselines[key] = problems_about(run_cli(*args), folder, file)
    return _baselines[key]


def _run(mutation: Mutation, tmp: Path) -> list[str]:
    folder = tmp / "mutated"
    apply(mutation, folder)
    wrong = []
    for args in commands(folder):
        outcome = run_cli(*args)
        baseline = _baseline(mutation.example, args[0], mutation.file, tmp)
        wrong += check(mutation, folder, outcome, baseline)
    return wrong


SAMPLE = sampled_mutations()


def test_the_sample_covers_every_manifest_and_every_value_kind() -> None:
    manifests = {p.name for p in (EXAMPLES / "seed-incident" / "k8s").iterdir()}
    assert {Path(m.file).name for m in SAMPLE if m.file.startswith("k8s/")} == manifests
    assert {m.value for m in SAMPLE} == set(VALUES)
    assert any(m.file.startswith("aws/") for m in SAMPLE)
    assert 250 <= len(SAMPLE) <= 450


@pytest.mark.parametrize("mutation", SAMPLE, ids=lambda m: m.id)
def test_sampled_wrong_type_is_handled(mutation: Mutation, tmp_path: Path) -> None:
    wrong = _run(mutation, tmp_path)
    assert not wrong, "\n".join(wrong)


@pytest.mark.slow
@pytest.mark.parametrize("example", ["seed-incident", "healthy"])
def test_every_field_with_every_wrong_type_is_handled(example: str, tmp_path: Path) -> None:
    failures = []
    for index, mutation in enumerate(all_mutations(example)):
        folder = tmp_path / f"m{index}"
        folder.mkdir()
        wrong = _run(mutation, folder)
        failures += [f"{mutation.id}: {w}" for w in wrong]
        shutil.rmtree(folder)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:50])
