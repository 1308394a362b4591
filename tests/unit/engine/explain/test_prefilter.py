"""The pre-check never rejects a message its signature's regex would match."""

from __future__ import annotations

import pytest

from efs_doctor.engine.explain import load_catalogue, normalise
from efs_doctor.engine.explain.intake import split_blocks
from efs_doctor.engine.explain.prefilter import required_runs

from .conftest import load_examples

TEXTS = [example["text"] for examples in load_examples().values() for example in examples]


@pytest.mark.parametrize(
    ("pattern", "runs"),
    [
        (r"access\s+denied\s+by\s+server", ("access",)),
        (r"Mount attempt \d+/\d+ failed", ("mount attempt ",)),
        (r"fs-[0-9a-f]{8,40}x", None),
        (r"abc(?:def)?ghij|klmno", ("ghij", "klmno")),
        (r"colou?r names", ("r names",)),
        (r"a|b", None),
        (r"(unbalanced", None),
    ],
)
def test_required_runs(pattern: str, runs: tuple[str, ...] | None) -> None:
    assert required_runs(pattern) == runs


def test_prefilter_is_sound_on_every_example() -> None:
    catalogue = load_catalogue()
    for text in TEXTS:
        for block in split_blocks(normalise(text)):
            lower = block.flat.lower()
            for signature in catalogue.signatures:
                if signature.runs is None or not signature.pattern.search(block.flat):
                    continue
                assert any(run in lower for run in signature.runs), (signature.id, block.flat)
