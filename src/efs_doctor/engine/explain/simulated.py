"""Context from the mount simulation (``efs_doctor.engine.mount``) of the chains the text
names: which outcomes are about where the text failed, and their signals. Pure: the
simulator does no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from efs_doctor.engine.explain.model import ContextSignal, Facts
from efs_doctor.engine.explain.outcome import signals_from_outcome
from efs_doctor.engine.mount import MountOutcome, SimulationOptions, Simulator
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory


def simulate(
    inventory: Inventory, chains: Sequence[MountChain], options: SimulationOptions | None = None
) -> list[MountOutcome]:
    return Simulator(inventory, options).simulate_all(chains)


def _applies(outcome: MountOutcome, facts: Facts, inventory: Inventory) -> bool:
    """Whether an outcome (for a node, or for a list of zones) is for where the text failed."""
    where = {part.strip() for part in outcome.node_or_zone.split(",")}
    zone = facts.availability_zone
    node = inventory.nodes.get(facts.node or "")
    if zone is None and node is not None:
        zone = node.zone
    wanted = {value for value in (facts.node, zone) if value}
    return not wanted or bool(where & wanted)


def _says(outcome: MountOutcome, text: str) -> bool:
    """Whether ``text`` holds the failing component's own message of ``outcome`` (the last
    line of its kubelet error): then it is that failure, not another one elsewhere."""
    lines = [line.strip() for line in (outcome.error or "").splitlines() if line.strip()]
    return bool(lines) and lines[-1] in text


def where_the_text_failed(
    outcomes: Sequence[MountOutcome], facts: Facts, inventory: Inventory, text: str = ""
) -> list[MountOutcome]:
    """Per mount, the outcomes for the node or zone the text names (all when it names none),
    and of those the ones that do not mount: a mount that works elsewhere says nothing about
    the place that fails. When the text quotes the message of some of them, those: a node
    group that fails otherwise (a hang where the text says the name does not resolve) says
    nothing about this failure either."""
    per_mount: dict[tuple[str | None, ...], list[MountOutcome]] = {}
    for outcome in outcomes:
        per_mount.setdefault((outcome.pod, outcome.pvc, outcome.pv), []).append(outcome)
    chosen: list[MountOutcome] = []
    for every in per_mount.values():
        here = [o for o in every if _applies(o, facts, inventory)] or every
        failing = [o for o in here if o.outcome != "mounted"]
        quoted = [o for o in failing if _says(o, text)]
        chosen.extend(quoted or failing or here)
    return chosen


def simulation_signals(
    outcomes: Sequence[MountOutcome], facts: Facts, inventory: Inventory, text: str = ""
) -> list[ContextSignal]:
    """The signals of the outcomes for where the text failed, each once."""
    signals: list[ContextSignal] = []
    for outcome in where_the_text_failed(outcomes, facts, inventory, text):
        signals.extend(signals_from_outcome(outcome))
    return list(dict.fromkeys(signals))
