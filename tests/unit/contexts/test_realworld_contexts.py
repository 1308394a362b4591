"""The real-world corpus (../shared/corpus/realworld, SOURCES.md): every folder is a
project of its own, so scanning all of them together gives each the chains it gives alone
(issue 15: a claim of one project was bound to a volume of another)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.conftest import CORPUS

from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.model.inventory import Inventory

# beside the driver's example corpus (../shared/corpus, as CI finds it)
REALWORLD = Path(os.environ.get("EFS_DOCTOR_REALWORLD", CORPUS.parent / "realworld"))


def _folders() -> list[Path]:
    if not REALWORLD.is_dir():
        pytest.skip(f"the real-world corpus is not at {REALWORLD} (set EFS_DOCTOR_REALWORLD)")
    return sorted(p for p in REALWORLD.iterdir() if p.is_dir())


def _chains(inventory: Inventory) -> dict[str, list[tuple[str, str | None, str | None]]]:
    found: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for view in inventory.views():
        chains = mount_chains(view)
        if chains:
            found[view.context] = sorted(
                (c.label, c.file_system_id, c.handle_error) for c in chains
            )
    return found


def test_folders_together_give_the_chains_each_gives_alone() -> None:
    folders = _folders()
    together = _chains(load_inventory([str(f) for f in folders]))
    alone: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for folder in folders:
        alone.update(_chains(load_inventory([str(folder)])))
    assert together == alone
    assert len(together) >= 7  # contexts with EFS chains (01, 05-09, 12 on 2026-12-06)


def test_stderr_stays_short_per_folder() -> None:
    """A few lines per folder without -v (issue 15: a monorepo printed ~800)."""
    import io

    from efs_doctor.report.problems import print_problems

    for folder in _folders():
        printed = io.StringIO()
        print_problems(load_inventory([str(folder)]).problems, stream=printed)
        lines = printed.getvalue().splitlines()
        assert len(lines) <= 8, (folder.name, lines)
