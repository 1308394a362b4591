"""``explain``: an error text, with the loaded inputs as context, to ranked root causes.

The inputs are context through the mount simulation only: the chains the text names are
simulated (``engine.mount``) and each outcome confirms, raises or rules out causes
(``engine.explain.outcome``). A text that names no volume is about any loaded one: every
chain is simulated and what they agree on is context. ``scan``'s checks across objects
(:data:`CROSS_OBJECT_RULES`) add what no single simulation sees. ``diagnose`` reuses
:func:`explain_with_outcomes` with the outcomes it has already simulated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from efs_doctor.api import mount_chains
from efs_doctor.config import Config
from efs_doctor.engine.explain import ContextSignal, Explanation, SignalEffect
from efs_doctor.engine.mount import MountOutcome, SimulationOptions
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory

# scan's rules that compare objects with each other (no mount simulation sees them).
CROSS_OBJECT_RULES = ("CSI002",)


@dataclass(frozen=True, slots=True)
class ExplainContext:
    """What the inputs said: the chains the text names, their simulated outcomes, the
    signals drawn from them, and where the text and the simulation disagree."""

    chains: tuple[MountChain, ...]
    outcomes: tuple[MountOutcome, ...]
    signals: tuple[ContextSignal, ...]
    notes: tuple[str, ...]


def explain_with_outcomes(
    text: str,
    outcomes: Sequence[MountOutcome],
    inventory: Inventory,
    *,
    agree: bool = False,
    extra: Sequence[ContextSignal] = (),
) -> tuple[Explanation, tuple[ContextSignal, ...]]:
    """``text`` explained with these simulated outcomes as context (``agree``: only what
    every volume's outcomes say), and ``extra`` signals from other checks."""
    from efs_doctor.engine.explain import explain, extract_facts, normalise
    from efs_doctor.engine.explain.simulated import simulation_signals

    facts = extract_facts(normalise(text))
    found = simulation_signals(outcomes, facts, inventory, text, agree=agree)
    # One volume's simulation cannot see what another does to it: it rules out nothing that
    # a check across volumes names.
    across = {signal.cause for signal in extra}
    found = [s for s in found if not (s.effect == "rules_out" and s.cause in across)]
    signals = tuple(dict.fromkeys([*found, *extra]))
    return explain(text, signals), signals


def rule_signals(
    inventory: Inventory,
    chains: Sequence[MountChain],
    codes: Sequence[str],
    subjects: set[str],
    *,
    file_systems: Sequence[str] = (),
) -> list[ContextSignal]:
    """scan's findings of the rules ``codes`` about ``subjects`` (object keys), as signals: a
    high-confidence finding confirms its cause, any other raises it. ``file_systems``: whose
    policy the rules check although no chain uses them."""
    from efs_doctor.engine.analysis import Context
    from efs_doctor.findings import Confidence
    from efs_doctor.rules import REGISTRY
    from efs_doctor.rules.runner import run_rules

    if not codes or not subjects:
        return []
    context = Context(inventory, chains, file_systems=file_systems)
    report = run_rules(context, REGISTRY, Config(select=tuple(codes)))
    signals: list[ContextSignal] = []
    for finding in report.findings:
        if finding.cause is None or not subjects & set(finding.subjects):
            continue
        effect: SignalEffect = "confirms" if finding.confidence is Confidence.HIGH else "raises"
        signals.append(
            ContextSignal(
                finding.cause,
                effect,
                f"{finding.code} {finding.slug}: {finding.message}",
                str(finding.location),
                "scan",
            )
        )
    return signals


def cross_object_signals(inventory: Inventory, chains: Sequence[MountChain]) -> list[ContextSignal]:
    """scan's cross-object findings (:data:`CROSS_OBJECT_RULES`) about the PVs of ``chains``."""
    if len(inventory.persistent_volumes) < 2:
        return []
    volumes = {f"PersistentVolume/{c.volume_name}" for c in chains if c.volume_name}
    return rule_signals(inventory, mount_chains(inventory), CROSS_OBJECT_RULES, volumes)


def policy_rule_signals(inventory: Inventory, file_system_id: str) -> list[ContextSignal]:
    """scan's rules that read only a file system policy, on ``file_system_id``'s."""
    from efs_doctor.rules import REGISTRY

    codes = [r.code for r in REGISTRY if r.meta.needs == ("file-system-policy",)]
    return rule_signals(inventory, (), codes, {file_system_id}, file_systems=(file_system_id,))


def explain_error(
    text: str, inventory: Inventory | None = None, options: SimulationOptions | None = None
) -> tuple[Explanation, ExplainContext | None]:
    """``text`` explained; with an ``inventory``, the chains it names are simulated (under
    ``options``) and their outcomes are the context. A file system policy without a chain
    that reaches it is judged on its own (``engine.explain.lone_policy``)."""
    from efs_doctor.engine.explain import explain, extract_facts, normalise
    from efs_doctor.engine.explain.context import contradictions, names_a_volume, select_chains
    from efs_doctor.engine.explain.lone_policy import lone_policy, policy_signals
    from efs_doctor.engine.explain.simulated import handle_masked, masked_notes, simulate

    if inventory is None:
        return explain(text), None
    facts = extract_facts(normalise(text))
    chains = select_chains(inventory, facts)
    notes: list[str] = []
    lone = lone_policy(inventory, facts, chains)
    if lone is not None and lone.adopted:
        inventory = lone.inventory
        chains = select_chains(inventory, facts)
        notes.append(
            f"the file system policy {lone.policy.source.location()} names no file system "
            "the inputs use: it is taken as the policy of "
            + (lone.file_system_id if lone.named else "the file system the text is about")
        )
    outcomes = simulate(inventory, chains, options) if chains else []
    agree = not names_a_volume(facts) and len(chains) > 1
    extra = cross_object_signals(inventory, chains)
    if lone is not None:
        governed = [o for o in outcomes if o.file_system_id == lone.file_system_id]
        if all(handle_masked(o, inventory, text) for o in governed):
            # No simulated mount reaches EFS with this policy: judge it for the text's client.
            extra = [
                *extra,
                *policy_signals(lone, facts),
                *policy_rule_signals(lone.inventory, lone.file_system_id),
            ]
    explanation, signals = explain_with_outcomes(
        text, outcomes, inventory, agree=agree, extra=extra
    )
    notes += [*contradictions(outcomes, facts), *masked_notes(outcomes, inventory, text)]
    if agree:
        notes.append(
            f"the text names none of the {len(chains)} loaded volumes: only what all their "
            "simulated mounts agree on is used"
        )
    context = ExplainContext(tuple(chains), tuple(outcomes), signals, tuple(notes))
    return explanation, context
