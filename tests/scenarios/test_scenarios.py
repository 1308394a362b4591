"""Mount scenarios: one YAML file per case, each citing the efs-semantics.md section (or AWS
document) that justifies its expected outcome.

A scenario starts from ``base.yaml`` (a working static mount), drops the documents named in
``omit``, appends ``add`` (later documents replace earlier ones with the same id/name), runs
the mount simulation and checks every entry of ``expect``. A file system policy in ``add``
replaces the base's ``PolicyNotFound`` answer: two policies for one file system are an input
error, not "the later one wins" (sources/file_system_policies.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.engine.mount import MountOutcome, SimulationOptions, simulate_all
from efs_doctor.sources.aws_snapshot import is_policy_document

HERE = Path(__file__).parent
BASE: dict[str, Any] = yaml.safe_load((HERE / "base.yaml").read_text())
CASES = sorted(p for p in (HERE / "cases").glob("*.yaml"))
REQUIRED_KEYS = {"title", "section", "expect"}


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), path
    missing = REQUIRED_KEYS - set(data)
    assert not missing, f"{path.name}: missing {sorted(missing)}"
    return data


def run_scenario(case: Mapping[str, Any], tmp_path: Path) -> list[MountOutcome]:
    omitted = set(case.get("omit", ()))
    unknown = omitted - set(BASE)
    assert not unknown, f"omit names unknown base documents: {sorted(unknown)}"
    if any(_is_file_system_policy(doc) for doc in case.get("add", ())):
        omitted.add("fs-policy")
    documents = [doc for name, doc in BASE.items() if name not in omitted]
    documents.extend(case.get("add", ()))
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    inventory = load_inventory([str(inputs)])
    chains = mount_chains(inventory)
    only_pod = case.get("pod")
    if only_pod:
        chains = [c for c in chains if c.pod_key == only_pod]
    assert chains, "the scenario resolves no mount chain"
    versions = case.get("versions", {})
    options = SimulationOptions(versions.get("csi_driver"), versions.get("efs_utils"))
    return simulate_all(inventory, chains, options)


def _is_file_system_policy(document: Any) -> bool:
    """A bare policy document or a saved describe-file-system-policy answer."""
    if not isinstance(document, Mapping):
        return False
    return is_policy_document(document) or {"FileSystemId", "Policy"} <= set(document)


def _match(outcome: MountOutcome, expected: Mapping[str, Any]) -> list[str]:
    problems = []
    for field in ("outcome", "layer", "cause", "principal", "principal_session", "pv", "pod"):
        if field in expected and getattr(outcome, field) != expected[field]:
            problems.append(f"{field}: {getattr(outcome, field)!r} != {expected[field]!r}")
    for text in expected.get("error_contains", ()):
        if outcome.error is None or text not in outcome.error:
            problems.append(f"error does not contain {text!r}: {outcome.error!r}")
    if expected.get("error") is None and "error" in expected and outcome.error is not None:
        problems.append(f"error should be None: {outcome.error!r}")
    for text in expected.get("reason_contains", ()):
        if text not in outcome.reason:
            problems.append(f"reason does not contain {text!r}: {outcome.reason!r}")
    if "access" in expected:
        access = outcome.access
        got = (
            None
            if access is None
            else {"read": access.read, "write": access.write, "root": access.root}
        )
        if got != expected["access"]:
            problems.append(f"access: {got} != {expected['access']}")
    if "uid" in expected and (outcome.posix is None or outcome.posix.uid != expected["uid"]):
        problems.append(f"uid: {outcome.posix} != {expected['uid']}")
    if "mount_command_contains" in expected:
        for text in expected["mount_command_contains"]:
            if outcome.mount_command is None or text not in outcome.mount_command:
                problems.append(f"mount command lacks {text!r}: {outcome.mount_command!r}")
    for name, status in expected.get("steps", {}).items():
        got_status = next((s.status for s in outcome.steps if s.step == name), None)
        if got_status != status:
            problems.append(f"step {name}: {got_status} != {status}")
    return problems


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_scenario(path: Path, tmp_path: Path) -> None:
    case = _load(path)
    outcomes = run_scenario(case, tmp_path)
    expectations = case["expect"]
    assert len(outcomes) == len(expectations), (
        f"{len(outcomes)} outcome(s), expected {len(expectations)}: "
        + "; ".join(
            f"{o.node_or_zone}: {o.outcome} {o.layer} {o.cause} ({o.reason})" for o in outcomes
        )
    )
    for expected in expectations:
        where = expected.get("node_or_zone")
        candidates = [o for o in outcomes if where is None or o.node_or_zone == where]
        assert candidates, f"no outcome on {where}: {[o.node_or_zone for o in outcomes]}"
        problems = _match(candidates[0], expected)
        assert not problems, (
            f"{path.name}: " + "; ".join(problems) + f"\nreason: {candidates[0].reason}"
        )


def test_enough_scenarios() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_scenario_cites_its_source(path: Path) -> None:
    section = str(_load(path)["section"])
    assert (
        "efs-semantics.md §" in section
        or "docs.aws.amazon.com" in section
        or "contracts.md" in section
        # Kubernetes behaviour (binding, API validation): its source, at a pinned commit
        or "github.com/kubernetes/kubernetes/blob/" in section
    )
