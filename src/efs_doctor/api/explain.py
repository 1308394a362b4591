"""``explain``: an error text, with the loaded inputs as context, to ranked root causes.

The inputs are context through the mount simulation only: the chains the text names are
simulated (``engine.mount``) and each outcome confirms, raises or rules out causes
(``engine.explain.outcome``). ``diagnose`` reuses :func:`explain_with_outcomes` with the
outcomes it has already simulated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from efs_doctor.engine.explain import ContextSignal, Explanation
from efs_doctor.engine.mount import MountOutcome, SimulationOptions
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory


@dataclass(frozen=True, slots=True)
class ExplainContext:
    """What the inputs said: the chains the text names, their simulated outcomes, the
    signals drawn from them, and where the text and the simulation disagree."""

    chains: tuple[MountChain, ...]
    outcomes: tuple[MountOutcome, ...]
    signals: tuple[ContextSignal, ...]
    notes: tuple[str, ...]


def explain_with_outcomes(
    text: str, outcomes: Sequence[MountOutcome], inventory: Inventory
) -> tuple[Explanation, tuple[ContextSignal, ...]]:
    """``text`` explained with these simulated outcomes as context."""
    from efs_doctor.engine.explain import explain, extract_facts, normalise
    from efs_doctor.engine.explain.simulated import simulation_signals

    facts = extract_facts(normalise(text))
    signals = tuple(simulation_signals(outcomes, facts, inventory, text))
    return explain(text, signals), signals


def explain_error(
    text: str, inventory: Inventory | None = None, options: SimulationOptions | None = None
) -> tuple[Explanation, ExplainContext | None]:
    """``text`` explained; with an ``inventory``, the chains it names are simulated (under
    ``options``) and their outcomes are the context."""
    from efs_doctor.engine.explain import explain, extract_facts, normalise
    from efs_doctor.engine.explain.context import contradictions, select_chains
    from efs_doctor.engine.explain.simulated import masked_notes, simulate

    if inventory is None:
        return explain(text), None
    facts = extract_facts(normalise(text))
    chains = select_chains(inventory, facts)
    outcomes = simulate(inventory, chains, options) if chains else []
    explanation, signals = explain_with_outcomes(text, outcomes, inventory)
    notes = [*contradictions(outcomes, facts), *masked_notes(outcomes, inventory, text)]
    context = ExplainContext(tuple(chains), tuple(outcomes), signals, tuple(notes))
    return explanation, context
