"""Context signals from an inventory (manifests, policies, AWS state). Work in progress."""

from __future__ import annotations

from efs_doctor.engine.explain.model import ContextSignal, Facts
from efs_doctor.model.inventory import Inventory


def signals_from_inventory(inventory: Inventory, facts: Facts) -> list[ContextSignal]:
    """Signals for the mount chains the text names."""
    del inventory, facts
    return []
