"""Do ``scan``, ``simulate`` and ``explain`` agree on the same files? (issue 14)

Both commands are run the way the CLI runs them (``api.analyze`` for scan, the mount
simulator for simulate, over the same loaded inventory) and compared per PersistentVolume
(or planned volume), which is the unit scan's rules report on:

- simulate FAILED at a layer with cause C on some node or zone  =>  scan reports a finding
  with cause C on that volume's chain, severity high or critical;
- simulate MOUNTED everywhere  =>  no scan finding claims that this mount fails;
- simulate INDETERMINATE somewhere and FAILED nowhere  =>  no scan finding claims with high
  confidence that this mount fails;
- simulate FAILED with cause C and an error text  =>  ``explain``, given that text and the same
  files, ranks C first and confirmed.

A finding *claims that the mount fails* when it is about a chain, has severity high or
critical, and its cause is one that stops the mount (contracts.md: ``cause`` is null when
the mount succeeds even with limited access, so the limited-access causes below do not count).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from efs_doctor.api import analyze, load_inventory, mount_chains
from efs_doctor.api.explain import explain_error
from efs_doctor.config import Config
from efs_doctor.engine.mount import MountOutcome, Simulator
from efs_doctor.findings import Confidence, Finding, Severity
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory

# Causes of findings about a mount that works, with limits or risks (causes.md): a finding
# with one of these never says "this mount fails".
MOUNT_SUCCEEDS_CAUSES = frozenset(
    {
        "root-squash-no-clientrootaccess",
        "read-only-no-clientwrite",
        "fsgroup-not-applied",
        "access-point-posix-user-enforced",
        "policy-unsupported-condition-key",
    }
)
SEVERE = (Severity.CRITICAL, Severity.HIGH)


@dataclass(frozen=True)
class Disagreement:
    volume: str
    rule: str  # which of the three properties is broken
    detail: str

    def __str__(self) -> str:
        return f"{self.volume}: {self.rule}: {self.detail}"


def volume_key(chain: MountChain) -> str | None:
    if chain.volume is not None:
        return f"PersistentVolume/{chain.volume.name}"
    if chain.planned is not None:
        return f"planned/{chain.claim_key}"
    if chain.binding is not None:
        return f"unbound/{chain.claim_key}"  # the claim stays Pending (model/binding.py)
    if chain.nfs is not None:
        return f"nfs/{chain.label}"  # a pod's own nfs volume on EFS
    return None


def claims_failure(finding: Finding) -> bool:
    return (
        finding.chain is not None
        and finding.severity in SEVERE
        and finding.cause is not None
        and finding.cause not in MOUNT_SUCCEEDS_CAUSES
    )


def _describe(outcome: MountOutcome) -> str:
    return f"{outcome.node_or_zone}: {outcome.outcome} {outcome.layer} {outcome.cause}"


def _finding(finding: Finding) -> str:
    return (
        f"{finding.code} {finding.severity.value}/{finding.confidence.value} "
        f"cause={finding.cause}: {finding.message[:160]}"
    )


def compare(
    inventory: Inventory, chains: Sequence[MountChain], findings: Iterable[Finding]
) -> list[Disagreement]:
    """The disagreements between scan's ``findings`` and a fresh simulation of ``chains``."""
    simulator = Simulator(inventory)
    by_label = {chain.label: chain for chain in chains}
    outcomes: dict[str, list[MountOutcome]] = {}
    for chain in chains:
        key = volume_key(chain)
        if key is not None and key not in outcomes:
            outcomes[key] = simulator.simulate(chain)
    # A finding about a StorageClass (provisioning) is about every claim it has to provision.
    by_class: dict[str, list[MountChain]] = {}
    for chain in chains:
        if chain.planned is not None:
            by_class.setdefault(f"StorageClass {chain.planned.storage_class.name}", []).append(
                chain
            )
    claimed: dict[str, list[Finding]] = {}
    for finding in findings:
        chain = by_label.get(finding.chain or "")
        about = [chain] if chain is not None else by_class.get(finding.chain or "", [])
        for key in {volume_key(c) for c in about} - {None}:
            assert key is not None
            claimed.setdefault(key, []).append(finding)
    problems: list[Disagreement] = []
    explained: set[tuple[str | None, str]] = set()
    for key, simulated in outcomes.items():
        found = claimed.get(key, [])
        failing = [f for f in found if claims_failure(f)]
        for outcome in simulated:
            if outcome.outcome != "failed":
                continue
            if not any(f.cause == outcome.cause for f in found if f.severity in SEVERE):
                problems.append(
                    Disagreement(
                        key,
                        "simulate FAILED, scan has no severe finding with its cause",
                        f"{_describe(outcome)} ({outcome.reason}); scan: "
                        + ("; ".join(_finding(f) for f in found) or "nothing"),
                    )
                )
        for outcome in simulated:
            if outcome.outcome != "failed" or not outcome.error:
                continue
            if (outcome.cause, outcome.error) in explained:
                continue
            explained.add((outcome.cause, outcome.error))
            explanation, _ = explain_error(outcome.error, inventory)
            ranked = [(c.id, c.status) for c in explanation.causes[:3]]
            if not ranked or ranked[0] != (outcome.cause, "confirmed"):
                problems.append(
                    Disagreement(
                        key,
                        "simulate FAILED, explain does not rank its cause first",
                        f"{_describe(outcome)}; explain: {ranked}",
                    )
                )
        states = {o.outcome for o in simulated}
        if states == {"mounted"} and failing:
            problems.append(
                Disagreement(
                    key,
                    "simulate MOUNTED, scan says the mount fails",
                    "; ".join(_finding(f) for f in failing),
                )
            )
        if "indeterminate" in states and "failed" not in states:
            certain = [f for f in failing if f.confidence is Confidence.HIGH]
            if certain:
                problems.append(
                    Disagreement(
                        key,
                        "simulate INDETERMINATE, scan is certain the mount fails",
                        "; ".join(_finding(f) for f in certain)
                        + " | "
                        + "; ".join(f"{_describe(o)} ({o.reason})" for o in simulated),
                    )
                )
    return problems


def disagreements(paths: Sequence[str]) -> list[Disagreement]:
    """Load ``paths`` once, scan with every rule (no threshold) and compare."""
    inventory = load_inventory(list(paths))
    chains = mount_chains(inventory)
    report = analyze(inventory, Config())
    return compare(inventory, chains, report.findings)
