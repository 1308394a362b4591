"""Context signals from the mount simulation (``efs_doctor.engine.mount``) of the chains the
text names: a simulated failure confirms its cause, a simulated mount rules out the causes
that would have stopped it. Pure: the simulator does no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from efs_doctor.engine.explain.model import ContextSignal, Facts
from efs_doctor.engine.explain.outcome import signals_from_outcome
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory


def _applies(node_or_zone: str, facts: Facts, inventory: Inventory) -> bool:
    """Whether an outcome (for a node, or for a list of zones) is for where the text failed."""
    where = {part.strip() for part in node_or_zone.split(",")}
    zone = facts.availability_zone
    node = inventory.nodes.get(facts.node or "")
    if zone is None and node is not None:
        zone = node.zone
    wanted = {value for value in (facts.node, zone) if value}
    return not wanted or bool(where & wanted)


def simulation_signals(
    inventory: Inventory,
    chains: Sequence[MountChain],
    facts: Facts,
    candidates: Sequence[str],
) -> list[ContextSignal]:
    """``candidates``: the cause ids a text-only explanation ranked (for ruling out)."""
    from efs_doctor.engine.mount import simulate_chain

    signals: list[ContextSignal] = []
    for chain in chains:
        every = simulate_chain(chain, inventory)
        outcomes = [o for o in every if _applies(o.node_or_zone, facts, inventory)] or every
        failed = [o for o in outcomes if o.outcome != "mounted"]
        # A mount that works elsewhere says nothing about the place that fails.
        for outcome in failed or outcomes:
            signals.extend(
                signals_from_outcome(
                    outcome.outcome,
                    outcome.cause,
                    outcome.reason or outcome.error or outcome.outcome,
                    candidates,
                    location=f"simulated {outcome.pv or chain.label} on {outcome.node_or_zone}",
                )
            )
    return signals
