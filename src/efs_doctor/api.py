"""The library entry points the CLI (and any other front end) calls."""

from __future__ import annotations

from collections.abc import Sequence

from efs_doctor.config import Config
from efs_doctor.findings import Report
from efs_doctor.model.chain import MountChain, resolve_chains
from efs_doctor.model.inventory import Inventory


def load_inventory(paths: Sequence[str]) -> Inventory:
    """Read every input under ``paths`` into one inventory (bad inputs become problems)."""
    from efs_doctor.sources.loader import load_paths

    return load_paths(paths)


def mount_chains(inventory: Inventory) -> list[MountChain]:
    """Pod -> PVC -> PV -> StorageClass -> file system/access point -> mount targets."""
    return resolve_chains(inventory)


def analyze(inventory: Inventory, config: Config | None = None) -> Report:
    """Run the registered rules over ``inventory`` and return the report (no I/O).

    Fixes carry declarative edits; ``efs_doctor.fixes.render_patches`` turns them into
    unified diffs against the input files.
    """
    from dataclasses import replace

    from efs_doctor.engine.analysis import Context, run_rules
    from efs_doctor.rules import REGISTRY

    context = Context(inventory, mount_chains(inventory))
    report = run_rules(context, REGISTRY, config or Config())
    shown = {f.chain for f in report.findings}
    failing = context.failing_outcomes(shown)
    if not failing:
        return report
    from efs_doctor.report.simulate import outcome_text

    paths = {label: outcome_text(outcome) for label, outcome in failing.items()}
    return replace(report, mount_paths=paths)
