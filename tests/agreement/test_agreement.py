"""scan and simulate agree on the same files (issue 14): on both examples, every mount
scenario, every rule case, and generated variants of the healthy example.

The property is in ``agreement.py``; the inputs here were written by others (scenarios and
rule cases cite their AWS sources) or drawn at random (``variants.py``).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from variants import APPLY, CHOICES, REPO, Edit, build

from agreement import Disagreement, compare, disagreements
from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.engine.mount import Simulator
from efs_doctor.findings import Confidence, Finding, Location, Severity

sys.path.insert(0, str(REPO / "tests" / "rules"))
from casefile import all_cases, materialise

SCENARIOS = REPO / "tests" / "scenarios"
SCENARIO_BASE: dict[str, Any] = yaml.safe_load((SCENARIOS / "base.yaml").read_text())
# Scenarios that pin driver or efs-utils versions by option: scan reads the version from
# the DaemonSet image only, so the two commands do not see the same inputs there.
SCENARIO_CASES = sorted(
    p
    for p in (SCENARIOS / "cases").glob("*.yaml")
    if "versions" not in yaml.safe_load(p.read_text())
)
RULE_CASES = all_cases()
# CI runs 2,000 variants (20 batches of 100); EFS_DOCTOR_VARIANTS sets the batch size.
BATCHES = 20
VARIANTS_PER_BATCH = int(os.environ.get("EFS_DOCTOR_VARIANTS", "100"))


def _assert_agree(found: list[Disagreement], what: str) -> None:
    assert not found, f"{what}: scan and simulate disagree:\n" + "\n".join(map(str, found))


@pytest.mark.parametrize("example", ["healthy", "seed-incident"])
def test_examples_agree(example: str) -> None:
    _assert_agree(disagreements([str(REPO / "examples" / example)]), example)


@pytest.mark.parametrize("path", SCENARIO_CASES, ids=[p.stem for p in SCENARIO_CASES])
def test_scenarios_agree(path: Path, tmp_path: Path) -> None:
    case = yaml.safe_load(path.read_text())
    omitted = set(case.get("omit", ()))
    documents = [d for name, d in SCENARIO_BASE.items() if name not in omitted]
    documents.extend(case.get("add", ()))
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    _assert_agree(disagreements([str(inputs)]), path.stem)


@pytest.mark.parametrize("case", RULE_CASES, ids=[f"{c.rule}: {c.name}" for c in RULE_CASES])
def test_rule_cases_agree(case: Any, tmp_path: Path) -> None:
    world = materialise(case, tmp_path)
    _assert_agree(disagreements([str(world)]), f"{case.rule}: {case.name}")


def random_edits(rng: random.Random) -> list[Edit]:
    """One to five edits of different kinds, in a fixed order (a second edit of one kind
    would only replace the first)."""
    kinds = sorted(rng.sample(sorted(APPLY), rng.randint(1, 5)))
    return [Edit(kind, rng.choice(CHOICES[kind])) for kind in kinds]


@pytest.mark.parametrize("batch", range(BATCHES))
def test_generated_variants_agree(batch: int, tmp_path: Path) -> None:
    rng = random.Random(f"agreement-{batch}")  # fixed seeds: CI sees the same variants
    failures = []
    for index in range(VARIANTS_PER_BATCH):
        edits = random_edits(rng)
        world = build(edits, tmp_path / str(index))
        found = disagreements([str(world)])
        if found:
            failures.append(
                "edits: " + ", ".join(map(str, edits)) + "\n  " + "\n  ".join(map(str, found))
            )
    assert not failures, (
        f"{len(failures)} of {VARIANTS_PER_BATCH} variants disagree:\n" + "\n".join(failures[:10])
    )


def test_variants_are_not_vacuous(tmp_path: Path) -> None:
    """The generated variants reach every outcome and fail at many layers, so the property
    above is tested on failures, not only on mounts that work."""
    rng = random.Random("agreement-0")
    outcomes: set[str] = set()
    layers: set[str | None] = set()
    for index in range(VARIANTS_PER_BATCH):
        inventory = load_inventory([str(build(random_edits(rng), tmp_path / str(index)))])
        simulator = Simulator(inventory)
        for chain in mount_chains(inventory):
            for outcome in simulator.simulate(chain):
                outcomes.add(outcome.outcome)
                if outcome.outcome == "failed":
                    layers.add(outcome.layer)
    assert outcomes == {"mounted", "failed", "indeterminate"}
    assert {"csi", "efs-utils", "dns", "credentials", "network", "authorization"} <= layers


def test_a_text_quoting_one_failure_is_explained_by_that_failure(tmp_path: Path) -> None:
    """One zone hangs (TCP 2049 blocked), the others cannot resolve the name (no mount target
    there): the text of a zone that cannot resolve is about that failure, and the hang
    elsewhere, whose DNS step passed, must not rule its cause out (efs-semantics.md §6, §2.7)."""
    from variants import World, mount_target_ingress

    world = World()
    targets = world.aws["efs-describe-mount-targets.json"]["MountTargets"]
    world.aws["efs-describe-mount-targets.json"]["MountTargets"] = targets[:1]
    mount_target_ingress(world, "none")
    _assert_agree(disagreements([str(world.write(tmp_path))]), "one zone hangs, two do not resolve")


def test_configurations_nobody_here_wrote_agree(corpus: Path) -> None:
    """The EFS CSI driver's own examples and, beside them, the public configurations of 16
    real projects (corpus/realworld, SOURCES.md there), each folder on its own."""
    realworld = corpus.parent / "realworld"
    folders = [p for p in sorted(corpus.iterdir()) if p.is_dir()]
    if realworld.is_dir():
        folders += [p for p in sorted(realworld.iterdir()) if p.is_dir()]
    found = [f"{folder.name}: {d}" for folder in folders for d in disagreements([str(folder)])]
    assert not found, "\n".join(found)


# Scenarios whose claim the controller cannot provision (efs-semantics.md §3.7, §3.8).
PROVISIONING_FAILURES = {
    "53-provisioning-controller-denied": "csi-controller-permissions",
    "54-provisioning-placeholder-file-system-id": "file-system-not-found",
    "56-file-system-id-config-ref-key-missing": "storageclass-parameters-invalid",
    "57-gid-range-exhausted": "gid-range-exhausted",
}


def _scenario_inventory(stem: str, tmp_path: Path) -> Path:
    case = yaml.safe_load((SCENARIOS / "cases" / f"{stem}.yaml").read_text())
    omitted = set(case.get("omit", ()))
    documents = [d for name, d in SCENARIO_BASE.items() if name not in omitted]
    documents.extend(case.get("add", ()))
    inputs = tmp_path / f"{stem}.yaml"
    inputs.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return inputs


@pytest.mark.parametrize("stem", sorted(PROVISIONING_FAILURES))
def test_the_provisioning_layer_is_covered(stem: str, tmp_path: Path) -> None:
    """The property is not vacuous there: simulate fails at the provisioning layer, scan
    has a severe finding with that cause, explain ranks it first (all in ``compare``)."""
    inputs = _scenario_inventory(stem, tmp_path)
    inventory = load_inventory([str(inputs)])
    outcomes = Simulator(inventory).simulate_all(mount_chains(inventory))
    assert {(o.layer, o.cause) for o in outcomes} == {("provisioning", PROVISIONING_FAILURES[stem])}
    _assert_agree(disagreements([str(inputs)]), stem)


def test_a_finding_about_a_class_speaks_for_its_claims(tmp_path: Path) -> None:
    """A severe finding on a StorageClass claims every claim it provisions fails: where the
    simulation provisions and mounts it, that is a disagreement."""
    inputs = _scenario_inventory("40-dynamic-provisioning", tmp_path)
    inventory = load_inventory([str(inputs)])
    claim = Finding(
        code="IDN003",
        slug="controller-permissions-missing",
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        message="the controller may not provision",
        location=Location(str(inputs), 1, 1),
        cause="csi-controller-permissions",
        chain="StorageClass efs-sc",
    )
    found = compare(inventory, mount_chains(inventory), [claim])
    assert [d.rule for d in found] == ["simulate MOUNTED, scan says the mount fails"]
