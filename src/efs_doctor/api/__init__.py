"""The library entry points the CLI (and any other front end) calls."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

from efs_doctor.config import Config
from efs_doctor.findings import Report
from efs_doctor.model.chain import MountChain, resolve_chains
from efs_doctor.model.inventory import Inventory

if TYPE_CHECKING:
    from efs_doctor.sources.render import RenderOptions

T = TypeVar("T")

# Seconds to import the rules and engines (0.04 s on the 2-CPU benchmark machine, a
# fifth of a 500-file scan, mostly creating their dataclasses); only its ratio to the
# loader's per-file cost (sources/parallel.py) matters.
ANALYSIS_IMPORT_SECONDS = 0.04

# Fewest contexts worth a process of their own: a context's analysis takes about a
# millisecond (the monorepo's overlays); forking, sending the reports back and the pages
# both processes then copy cost several.
CONTEXTS_PER_PROCESS = 16


def load_inventory(
    paths: Sequence[str],
    *,
    for_analysis: bool = False,
    one_context: bool = False,
    render: RenderOptions | None = None,
) -> Inventory:
    """Read every input under ``paths`` into one inventory (bad inputs become problems),
    each PATH argument a context of its own unless ``one_context`` (docs/contracts.md).

    ``for_analysis``: :func:`analyze` comes next; when worker processes parse a large tree,
    the rules and engines are imported while they do (issue 8: 500 files 0.231 s ->
    0.214 s, 5,000 files 0.890 s -> 0.873 s median wall on 2 CPUs)."""
    from efs_doctor.sources.loader import load_paths

    if not for_analysis:
        return load_paths(paths, one_context=one_context, render=render)
    return load_paths(
        paths,
        meanwhile=(import_analysis, ANALYSIS_IMPORT_SECONDS),
        one_context=one_context,
        render=render,
    )


def import_analysis() -> None:
    """Import what :func:`analyze` runs."""
    import efs_doctor.engine.analysis
    import efs_doctor.engine.iam
    import efs_doctor.engine.mount
    import efs_doctor.rules
    import efs_doctor.rules.runner  # noqa: F401


def mount_chains(inventory: Inventory) -> list[MountChain]:
    """Pod -> PVC -> PV -> StorageClass -> file system/access point -> mount targets, of
    one context (``inventory.views()`` gives each; chains never cross contexts)."""
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
        views = inventory.views()
        reports = _analyzed(views, config)
        report = reports[0] if len(reports) == 1 else _merged(reports, inventory)
        return _with_unrendered(report, inventory)
    finally:
        if collecting:
            gc.enable()


def _analyzed(views: Sequence[Inventory], config: Config | None) -> list[Report]:
    """Each context's report, tagged with its context, in order. Many contexts (a
    monorepo's rendered overlays) are shared out to forked processes, one per spare CPU,
    each taking a contiguous share; a process that fails leaves its share to this one."""
    from efs_doctor.sources.parallel import fork_call, shares, spare_cpus

    several = len(views) > 1

    def reports(share: Sequence[Inventory]) -> list[Report]:
        return [_tagged(_analyze(view, config), view.context, several) for view in share]

    processes = min(spare_cpus() + 1, len(views) // CONTEXTS_PER_PROCESS)
    if processes < 2:
        return reports(views)
    first, *others = shares(views, processes)
    forked = [fork_call(functools.partial(reports, share)) for share in others]
    analyzed = reports(first)
    for share, process in zip(others, forked, strict=True):
        theirs = process.result() if process is not None else None
        analyzed.extend(theirs if theirs is not None else reports(share))
    return analyzed


def _tagged(report: Report, context: str, several: bool) -> Report:
    """``report`` with its findings and inconclusive checks carrying their context."""
    from dataclasses import replace

    from efs_doctor.findings import chain_heading

    name = context or None
    return replace(
        report,
        findings=tuple(replace(f, context=name) for f in report.findings),
        inconclusive=tuple(replace(i, context=name) for i in report.inconclusive),
        suppressed=tuple(
            replace(s, finding=replace(s.finding, context=name)) for s in report.suppressed
        ),
        mount_paths={
            chain_heading(label, name, several): path for label, path in report.mount_paths.items()
        },
        contexts=(context,) if context else (),
    )


def _with_unrendered(report: Report, inventory: Inventory) -> Report:
    """A Kustomize root or Helm chart not rendered whole is a check not made (the scan
    is incomplete, never a silent pass: issue 15)."""
    if not inventory.unrendered:
        return report
    from dataclasses import replace

    from efs_doctor.findings import Inconclusive

    missing = tuple(
        Inconclusive("render", name, reason, context=name)
        for name, reason in inventory.unrendered.items()
    )
    return replace(report, inconclusive=(*report.inconclusive, *missing))


def _merged(reports: Sequence[Report], inventory: Inventory) -> Report:
    """One report of the contexts' reports. What several contexts find at one place with
    the same words (a file system policy, a base rendered by two overlays alike) is
    reported once, in the first of them."""
    from efs_doctor.findings import Report

    findings = _unique(
        (f for r in reports for f in r.findings),
        lambda f: (f.code, str(f.location), f.message, f.chain),
    )
    inconclusive = _unique(
        (i for r in reports for i in r.inconclusive), lambda i: (i.code, i.object, i.reason)
    )
    suppressed = _unique(
        (s for r in reports for s in r.suppressed),
        lambda s: (s.finding.code, str(s.finding.location), s.finding.message, s.by),
    )
    return Report(
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        inconclusive=tuple(inconclusive),
        suppressed=tuple(suppressed),
        files=tuple(inventory.files),
        objects=inventory.object_count,
        chains=sum(r.chains for r in reports),
        rules_run=reports[0].rules_run,
        below_threshold=sum(r.below_threshold for r in reports),
        notes=tuple(dict.fromkeys(n for r in reports for n in r.notes)),
        mount_paths={k: v for r in reports for k, v in r.mount_paths.items()},
        contexts=tuple(c for r in reports for c in r.contexts),
    )


def _unique(items: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    seen: set[Hashable] = set()
    kept: list[T] = []
    for item in items:
        marker = key(item)
        if marker not in seen:
            seen.add(marker)
            kept.append(item)
    return kept


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
