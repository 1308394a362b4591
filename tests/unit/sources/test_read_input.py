"""read_input reads a file whole whatever size its stat said (issue 22: the read is sized by
the stat, not by the 32 MiB limit), and never past the limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from efs_doctor.model.problems import InputProblem
from efs_doctor.sources import files


def _stat_saying(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.stat

    def stat(path: str) -> os.stat_result:
        found = real(path)
        fields = list(found)
        fields[6] = size  # st_size
        return os.stat_result(fields)

    monkeypatch.setattr(files.os, "stat", stat)


@pytest.mark.parametrize("said", [0, 3, 16])
def test_a_file_longer_than_its_stat_said_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: int
) -> None:
    """A file that grew between the stat and the read; /proc files say 0."""
    path = tmp_path / "grew.yaml"
    path.write_text("kind: PersistentVolume\nmetadata: {name: grown}\n")
    _stat_saying(said, monkeypatch)
    problems: list[InputProblem] = []
    loaded = files.read_input(str(path), problems)
    assert loaded is not None
    assert loaded.text == path.read_text()
    assert problems == []


def test_a_file_that_grew_past_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 40 + "\n")
    _stat_saying(5, monkeypatch)
    problems: list[InputProblem] = []
    assert files.read_input(str(path), problems) is None
    (problem,) = problems
    assert "the limit for one input" in problem.message


def test_a_file_shorter_than_its_stat_said_is_what_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shrank.yaml"
    path.write_text("a: 1\n")
    _stat_saying(1000, monkeypatch)
    loaded = files.read_input(str(path), [])
    assert loaded is not None
    assert loaded.text == "a: 1\n"
