"""The simulation as explain's context: which causes a simulated run rules out
(engine/mount/causes.py), and that every cause a step reports is one that step checks and
one explain knows."""

from __future__ import annotations

from pathlib import Path

import pytest

from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.engine.explain import load_catalogue
from efs_doctor.engine.explain.outcome import signals_from_outcome
from efs_doctor.engine.mount import MountOutcome, Step, StepStatus, simulate_all
from efs_doctor.engine.mount.causes import STEP_CAUSES, passed_steps, ruled_out_causes
from efs_doctor.engine.mount.model import STEP_LAYERS, STEP_ORDER

from .test_agreement import SCENARIOS, _scenario_module

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"
SCENARIO_CASES = sorted((SCENARIOS / "cases").glob("*.yaml"))


def _step(name: str, status: StepStatus, cause: str | None = None) -> Step:
    return Step(name, status, (f"{name} evidence",), f"{name}.yaml:1", STEP_LAYERS[name], cause)


def _example(name: str) -> list[MountOutcome]:
    inventory = load_inventory([str(EXAMPLES / name)])
    return simulate_all(inventory, mount_chains(inventory))


def test_every_step_has_its_causes_listed() -> None:
    assert set(STEP_CAUSES) == set(STEP_ORDER)


def test_every_cause_a_step_checks_is_in_the_explain_catalogue() -> None:
    known = set(load_catalogue().causes)
    assert {c for causes in STEP_CAUSES.values() for c in causes} <= known


@pytest.mark.parametrize("path", SCENARIO_CASES, ids=[p.stem for p in SCENARIO_CASES])
def test_scenario_steps_report_only_causes_they_check(path: Path, tmp_path: Path) -> None:
    import yaml

    outcomes = _scenario_module().run_scenario(yaml.safe_load(path.read_text()), tmp_path)
    for outcome in outcomes:
        for step in outcome.steps:
            if step.cause is not None:
                assert step.cause in STEP_CAUSES[step.step], (step.step, step.cause)


def test_a_skipped_step_passes_only_when_a_later_step_ran() -> None:
    steps = [
        _step("credentials", "skipped"),  # no iam: not applicable
        _step("network", "ok"),
        _step("authorization", "failed", "iam-option-missing"),
        _step("sub-path", "skipped"),  # not reached
    ]
    assert [s.step for s in passed_steps(steps)] == ["credentials", "network"]
    ruled_out = ruled_out_causes(steps)
    assert {"no-iam-credentials", "sg-missing-2049"} <= set(ruled_out)
    assert "subpath-missing" not in ruled_out
    assert "iam-option-missing" not in ruled_out


def test_a_cause_another_step_leaves_open_is_not_ruled_out() -> None:
    # invalid-mount-option is checked by csi and efs-utils: efs-utils failing keeps it open.
    steps = [_step("csi", "ok"), _step("efs-utils", "failed", "invalid-mount-option")]
    ruled_out = ruled_out_causes(steps)
    assert "invalid-mount-option" not in ruled_out
    assert "volume-attributes-invalid" in ruled_out


def test_a_mounted_example_rules_out_what_it_passed() -> None:
    (outcome,) = _example("healthy")
    assert outcome.outcome == "mounted"
    signals = signals_from_outcome(outcome)
    effects = {(s.cause, s.effect) for s in signals}
    assert ("iam-option-missing", "rules_out") in effects
    assert ("read-only-no-clientwrite", "rules_out") in effects  # mounts read-write
    # Root is squashed in examples/healthy (no ClientRootAccess): not ruled out.
    assert not any(s.cause == "root-squash-no-clientrootaccess" for s in signals)
    assert not any(s.effect == "confirms" for s in signals)


def test_the_seed_failure_confirms_its_cause_at_the_policy_and_the_pv() -> None:
    (outcome,) = _example("seed-incident")
    confirms = [s for s in signals_from_outcome(outcome) if s.effect == "confirms"]
    assert {s.cause for s in confirms} == {"iam-option-missing"}
    locations = sorted(str(s.location) for s in confirms)
    assert locations[0].endswith("aws/file-system-policy.json:1")
    assert locations[1].endswith("k8s/pv-and-claim.yaml:2")


def test_an_undetermined_step_raises_its_risk_and_rules_it_not_out(tmp_path: Path) -> None:
    import yaml

    # efs-semantics.md §5: without CreationInfo EFS does not create the access point root.
    path = SCENARIOS / "cases" / "20-access-point-root-without-creation-info.yaml"
    (outcome,) = _scenario_module().run_scenario(yaml.safe_load(path.read_text()), tmp_path)
    assert outcome.outcome == "indeterminate"
    signals = signals_from_outcome(outcome)
    about = {s.effect for s in signals if s.cause == "access-point-root-dir-missing"}
    assert about == {"raises"}
