"""`efs-doctor explain`: inputs, formats, exit codes (1 when causes are ranked, 0 when the text
matches no known cause)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from efs_doctor.cli import main

from .test_context import SEED, SEED_ERROR


class _Stdin(io.StringIO):
    def __init__(self, text: str, tty: bool = False) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_error_option_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "--error", SEED_ERROR, "--format", "json"], capsys)
    assert code == 1  # causes ranked
    document = json.loads(out)
    assert document["schema_version"] == 1
    assert document["facts"]["file_system_id"] == "fs-0123456789abcdef0"
    assert document["facts"]["mount_options"] == ["tls"]
    assert document["facts"]["exit_status"] == 32
    ids = [cause["id"] for cause in document["causes"]]
    assert "iam-option-missing" in ids[:3]
    first = document["causes"][0]
    assert set(first) >= {"id", "title", "score", "evidence", "rules_out", "checks", "fix"}
    scores = [cause["score"] for cause in document["causes"]]
    assert scores == sorted(scores, reverse=True)


def test_acceptance_with_the_seed_context(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "--error", SEED_ERROR, str(SEED), "--format", "json"], capsys)
    assert code == 1  # causes ranked
    first = json.loads(out)["causes"][0]
    assert first["id"] == "iam-option-missing"
    assert first["status"] == "confirmed"
    locations = " ".join(str(e["location"]) for e in first["evidence"])
    assert "pv-and-claim.yaml:" in locations
    assert "file-system-policy.json:" in locations


def test_error_file_and_text_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "event.txt"
    path.write_text(SEED_ERROR)
    code, out, _ = run(["explain", "--error-file", str(path)], capsys)
    assert code == 1  # causes ranked
    assert "iam-option-missing" in out
    assert "$ kubectl get pv efs-pv" in out


def test_stdin_dash(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(SEED_ERROR, tty=True))
    code, out, _ = run(["explain", "-"], capsys)
    assert code == 1  # causes ranked
    assert "iam-option-missing" in out


def test_stdin_pipe(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(SEED_ERROR))
    code, out, _ = run(["explain", "--format", "json"], capsys)
    assert code == 1  # causes ranked
    assert json.loads(out)["causes"]


def test_unknown_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "--error", "my pod is sad"], capsys)
    assert code == 0
    assert "No known signature" in out
    assert "kubectl describe pod" in out


def test_no_text_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin("", tty=True))
    code, _, err = run(["explain"], capsys)
    assert code == 2
    assert "no error text" in err


def test_empty_text_and_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["explain", "--error", "  "], capsys)[0] == 2
    code, _, err = run(["explain", "--error-file", "/nonexistent/event.txt"], capsys)
    assert code == 2
    assert "cannot read" in err


def test_text_given_twice(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin("x"))
    assert run(["explain", "--error", "x", "-"], capsys)[0] == 2


def test_unusable_context_still_explains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["explain", "--error", SEED_ERROR, str(tmp_path)], capsys)
    assert code == 1  # causes ranked
    assert "iam-option-missing" in out
    assert "text only" in err
