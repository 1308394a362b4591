"""CONTRIBUTING.md is the contributor's guide (docs/TEAM-NOTES.md, a working agreement of one
way of working, was folded into it): every file or directory of this repository it names
exists, and the command contract it states is the one cli.py loads."""

from __future__ import annotations

import re
from pathlib import Path

from efs_doctor.cli import COMMANDS

REPO = Path(__file__).resolve().parents[2]
GUIDE = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
# Backticked repository paths: `src/...`, `tests/...`, `docs/...`, `scripts/...`, `.ci/...`
PATH = re.compile(r"`((?:src|tests|docs|scripts|benchmarks|\.ci)/[^`<>*\s]*)`")


def test_every_repository_path_in_the_guide_exists() -> None:
    named = sorted({m.group(1) for m in PATH.finditer(GUIDE)})
    assert named, "the guide names no repository path"
    assert [p for p in named if not (REPO / p).exists()] == []


def test_no_document_points_at_the_removed_team_notes() -> None:
    texts = [*REPO.glob("*.md"), *(REPO / "docs").rglob("*.md"), *(REPO / "tests").rglob("*.py")]
    assert [str(p) for p in texts if "TEAM-NOTES" in p.read_text(encoding="utf-8")] == [
        str(Path(__file__))
    ]


def test_the_command_contract_is_the_one_cli_loads() -> None:
    import importlib

    assert "`COMMANDS` in `src/efs_doctor/cli.py`" in GUIDE
    for _name, module_name, _help in COMMANDS:
        module = importlib.import_module(module_name)
        assert module.__doc__, module_name  # the docstring is the description
        assert callable(module.configure), module_name
        assert callable(module.run), module_name
