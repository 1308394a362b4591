"""Random and mutated texts never make explain raise, and its output keeps its contract."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efs_doctor.engine.explain import explain

from .conftest import load_examples

SEEDS = [example["text"] for examples in load_examples().values() for example in examples]
ALPHABET = st.characters(blacklist_categories=("Cs",))
NOISE = st.sampled_from(
    ["\\n", "\\", "b'", "'", '"', "...", "\x1b[31m", "\\u001b[0m", "fs-", "fsap-", "\n", ":", "…"]
)


def check(text: str) -> None:
    explanation = explain(text)
    document = explanation.to_json()
    json.dumps(document)
    assert document["schema_version"] == 1
    scores = [cause["score"] for cause in document["causes"]]
    assert all(0.0 <= score <= 1.0 for score in scores)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, max_size=400))
def test_random_text(text: str) -> None:
    check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 40), NOISE), max_size=6),
)
def test_mutated_examples(seed: str, edits: list[tuple[int, int, str]]) -> None:
    text = seed
    for position, cut, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + cut :]
    check(text)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SEEDS), st.integers(1, 400))
def test_truncated_examples(seed: str, keep: int) -> None:
    check(seed[:keep] + "...")


def test_huge_input_is_bounded() -> None:
    check("access denied by server while mounting 127.0.0.1:/\n" * 10_000)
