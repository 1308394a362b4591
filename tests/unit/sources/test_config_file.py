"""Finding and reading the configuration file: discovery up to the repository's top level,
which file wins in one directory, and the line and column of each key."""

from __future__ import annotations

from pathlib import Path

import pytest

from efs_doctor.sources.config_file import find_config, key_positions, read_config
from efs_doctor.sources.repository import repository_root, upward


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_found_by_walking_up_from_a_subdirectory(tmp_path: Path) -> None:
    _tree(tmp_path, {"repo/.git/HEAD": "", "repo/.efs-doctor.toml": "", "repo/a/b/x.yaml": ""})
    assert find_config(tmp_path / "repo" / "a" / "b") == tmp_path / "repo" / ".efs-doctor.toml"


def test_the_walk_stops_at_the_repository_top_level(tmp_path: Path) -> None:
    # a configuration above the clone (a home directory) does not reach into it
    _tree(tmp_path, {".efs-doctor.toml": "", "repo/.git": "gitdir: elsewhere\n", "repo/a/x": ""})
    assert find_config(tmp_path / "repo" / "a") is None
    assert repository_root(tmp_path / "repo" / "a") == tmp_path / "repo"
    assert list(upward(tmp_path / "repo" / "a")) == [tmp_path / "repo" / "a", tmp_path / "repo"]


def test_own_file_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            ".git/HEAD": "",
            "pyproject.toml": '[tool.efs-doctor]\npaths = ["a"]\n',
            ".efs-doctor.toml": 'paths = ["b"]\n',
        },
    )
    assert find_config(tmp_path) == tmp_path / ".efs-doctor.toml"


def test_a_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            ".git/HEAD": "",
            "pyproject.toml": '[tool.efs-doctor]\npaths = ["deploy"]\n',
            # names efs-doctor as a dependency only, and does not even parse
            "sub/pyproject.toml": '[project]\ndependencies = ["efs-doctor"\n',
        },
    )
    assert find_config(tmp_path / "sub") == tmp_path / "pyproject.toml"


def test_entries_carry_the_position_of_their_key(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "x"\npaths = "not ours"\n\n'
        '[tool."efs-doctor"]\n'
        "# comment\n"
        '  paths = [\n    "deploy",\n]\n'
        "min-severity='high'\n"
        "[tool.efs-doctor.render]\n"
        "values = {}\n",
        encoding="utf-8",
    )
    config = read_config(path)
    assert config.problems == ()
    assert config.table == "[tool.efs-doctor]"
    where = {e.key: (e.location.line, e.location.column) for e in config.entries}
    assert where == {"paths": (7, 3), "min-severity": (10, 1), "render": (11, 1)}
    values = {e.key: e.value for e in config.entries}
    assert values["paths"] == ["deploy"]


def test_root_table_positions() -> None:
    text = '"quoted-key" = 1\nplain = 2\n[sub]\nplain = 3\n'
    assert key_positions(text, ()) == {"quoted-key": (1, 1), "plain": (2, 1), "sub": (3, 1)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("paths = [\n", ".efs-doctor.toml: invalid TOML: Invalid value"),
        ('paths = ["a"]\npaths = ["b"]\n', ".efs-doctor.toml:2:"),
        ("a = 1\nb = = 2\n", ".efs-doctor.toml:2:5: invalid TOML: Invalid value"),
    ],
)
def test_syntax_errors_are_one_line_at_the_parsers_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".efs-doctor.toml").write_text(text, encoding="utf-8")
    config = read_config(Path(".efs-doctor.toml"))
    assert config.entries == ()
    (problem,) = config.problems
    assert str(problem).startswith(expected)
    assert "\n" not in str(problem)


def test_unreadable_inputs_are_problems_not_tracebacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".efs-doctor.toml").write_bytes(b'paths = ["\xff"]\n')
    Path("pyproject.toml").write_text('[tool]\n"efs-doctor" = 3\n', encoding="utf-8")
    assert [str(p) for p in read_config(Path(".efs-doctor.toml")).problems] == [
        ".efs-doctor.toml: not UTF-8 (byte 11)"
    ]
    assert [str(p) for p in read_config(Path("pyproject.toml")).problems] == [
        "pyproject.toml: [tool.efs-doctor] is not a table"
    ]
    assert [str(p) for p in read_config(Path("missing.toml")).problems] == [
        "missing.toml: no such file or directory"
    ]
