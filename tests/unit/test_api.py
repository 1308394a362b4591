"""The library entry points: the analysis leaves the garbage collector as it found it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from efs_doctor.api import analyze, load_inventory

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-incident"


@pytest.mark.parametrize("enabled", [True, False])
def test_analyze_restores_the_collector(enabled: bool) -> None:
    inventory = load_inventory([str(SEED)], for_analysis=True)
    was = gc.isenabled()
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        report = analyze(inventory)
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
    assert any(f.code == "AUTH001" for f in report.findings)  # the seed incident's cause
