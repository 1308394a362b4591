"""Agreement (issue 14, item 2): for every mount scenario whose simulation fails with cause C
and an error text, ``explain`` given the scenario's files and that text ranks C first, as a
confirmed cause. The scenarios (tests/scenarios/cases) cite the efs-semantics.md section or
AWS page behind each outcome; this test only asks that explain and simulate say the same.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from efs_doctor.api import load_inventory
from efs_doctor.api.explain import explain_error
from efs_doctor.engine.mount import SimulationOptions

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


def _scenario_module() -> ModuleType:
    """tests/scenarios/test_scenarios.py (its run_scenario builds a scenario's inputs)."""
    name = "efs_doctor_scenario_harness"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCENARIOS / "test_scenarios.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _fails_with_text(path: Path) -> bool:
    """The scenario expects a failed mount whose error text is known (not ``error: null``)."""
    case = yaml.safe_load(path.read_text())
    return any(
        item.get("outcome") == "failed" and not ("error" in item and item["error"] is None)
        for item in case["expect"]
    )


FAILING = [p for p in sorted((SCENARIOS / "cases").glob("*.yaml")) if _fails_with_text(p)]


def test_enough_failing_scenarios() -> None:
    assert len(FAILING) >= 25


@pytest.mark.parametrize("path", FAILING, ids=[p.stem for p in FAILING])
def test_explain_ranks_the_simulated_cause_first(path: Path, tmp_path: Path) -> None:
    harness = _scenario_module()
    case: dict[str, Any] = yaml.safe_load(path.read_text())
    outcomes = harness.run_scenario(case, tmp_path)
    failed = [o for o in outcomes if o.outcome == "failed"]
    assert failed, "the scenario expects a failed mount"
    versions = case.get("versions", {})
    options = SimulationOptions(versions.get("csi_driver"), versions.get("efs_utils"))
    inventory = load_inventory([str(tmp_path / "inputs.yaml")])
    for outcome in failed:
        assert outcome.error, f"{outcome.node_or_zone}: failed without an error text"
        explanation, context = explain_error(outcome.error, inventory, options)
        assert context is not None
        assert context.outcomes, "explain simulated no chain the error text names"
        first = explanation.causes[0]
        shown = [(c.id, c.status) for c in explanation.causes[:3]]
        assert (first.id, first.status) == (outcome.cause, "confirmed"), (
            f"simulate: {outcome.layer} {outcome.cause} on {outcome.node_or_zone}; explain: {shown}"
        )
