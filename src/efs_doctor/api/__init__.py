"""The library entry points the CLI (and any other front end) calls."""

from __future__ import annotations

from collections.abc import Sequence

from efs_doctor.config import Config
from efs_doctor.findings import Report
from efs_doctor.model.chain import MountChain, resolve_chains
from efs_doctor.model.inventory import Inventory

# Seconds to import the rules and engines (0.04 s on the 2-CPU benchmark machine, a
# fifth of a 500-file scan, mostly creating their dataclasses); only its ratio to the
# loader's per-file cost (sources/parallel.py) matters.
ANALYSIS_IMPORT_SECONDS = 0.04


def load_inventory(paths: Sequence[str], *, for_analysis: bool = False) -> Inventory:
    """Read every input under ``paths`` into one inventory (bad inputs become problems).

    ``for_analysis``: :func:`analyze` comes next; when worker processes parse a large tree,
    the rules and engines are imported while they do (issue 8: 500 files 0.231 s ->
    0.214 s, 5,000 files 0.890 s -> 0.873 s median wall on 2 CPUs)."""
    from efs_doctor.sources.loader import load_paths

    if not for_analysis:
        return load_paths(paths)
    return load_paths(paths, meanwhile=(import_analysis, ANALYSIS_IMPORT_SECONDS))


def import_analysis() -> None:
    """Import what :func:`analyze` runs."""
    import efs_doctor.engine.analysis
    import efs_doctor.engine.iam
    import efs_doctor.engine.mount
    import efs_doctor.rules
    import efs_doctor.rules.runner  # noqa: F401


def mount_chains(inventory: Inventory) -> list[MountChain]:
    """Pod -> PVC -> PV -> StorageClass -> file system/access point -> mount targets."""
    return resolve_chains(inventory)


def analyze(inventory: Inventory, config: Config | None = None) -> Report:
    """Run the registered rules over ``inventory`` and return the report (no I/O).

    Fixes carry declarative edits; ``efs_doctor.fixes.render_patches`` turns them into
    unified diffs against the input files.
    """
    import gc

    # The analysis makes many long-lived objects (indexes, simulations, findings) and no
    # garbage cycles worth collecting before the command ends; the cyclic collector's passes
    # over them grew faster than the input: 50,000-file analysis 2.46 s -> 1.54 s without.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyze(inventory, config)
    finally:
        if collecting:
            gc.enable()


def _analyze(inventory: Inventory, config: Config | None) -> Report:
    from dataclasses import replace

    from efs_doctor.engine.analysis import Context
    from efs_doctor.rules import REGISTRY
    from efs_doctor.rules.runner import run_rules

    context = Context(inventory, mount_chains(inventory))
    report = run_rules(context, REGISTRY, config or Config())
    shown = {f.chain for f in report.findings}
    failing = context.failing_outcomes(shown)
    if not failing:
        return report
    from efs_doctor.report.simulate import outcome_text

    paths = {label: outcome_text(outcome) for label, outcome in failing.items()}
    return replace(report, mount_paths=paths)
