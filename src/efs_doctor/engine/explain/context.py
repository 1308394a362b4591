"""Which loaded mount chains the error text is about, and where the text and the simulated
mount of those chains disagree.

The answers about a chain (its options, principal, transport, target, policy decision) come
from the mount simulation (``simulated.py``); this module only matches the text to chains.
"""

from __future__ import annotations

from collections.abc import Sequence

from efs_doctor.engine.explain.facts import parse_mount_arguments
from efs_doctor.engine.explain.model import Facts
from efs_doctor.engine.mount import MountOutcome
from efs_doctor.model.chain import MountChain, resolve_chains
from efs_doctor.model.inventory import Inventory


def names_a_volume(facts: Facts) -> bool:
    """Whether the text names the volume it is about: a PV or a (real) file system id."""
    return bool(facts.pv or facts.file_system_ids)


def _closest(chain: MountChain) -> str | None:
    """The volume a claim that binds to nothing was closest to (model/binding.py)."""
    if chain.binding is None or chain.binding.closest is None:
        return None
    return chain.binding.closest.name


def _volume(chain: MountChain) -> str | None:
    """The volume name kubelet's messages use: the PV's, or a pod's own nfs volume's."""
    if chain.volume_name:
        return chain.volume_name
    if chain.nfs is not None and chain.pod_volume is not None:
        return chain.pod_volume.name
    return None


def _unit(chain: MountChain) -> str | None:
    """What the text would be about: the volume, or for a claim that binds to none the
    volume it was closest to (the pair the author meant), else the claim."""
    if _volume(chain):
        return _volume(chain)
    if chain.binding is None:
        return None
    return _closest(chain) or f"claim:{chain.claim_key}"


def select_chains(inventory: Inventory, facts: Facts) -> list[MountChain]:
    """The chains the text is about; one per PV (several pods may share a PV). A text that
    names no volume (ids redacted, or only the message) is about any of the loaded ones: all
    are returned, and only what their simulations agree on is context
    (``simulated.simulation_signals(..., agree=True)``)."""
    chains = resolve_chains(inventory)
    picked = [c for c in chains if facts.pv and facts.pv in (_volume(c), _closest(c))]
    if not picked and facts.file_system_ids:
        picked = [c for c in chains if c.file_system_id in facts.file_system_ids]
    if not picked and facts.storage_class:
        # A ProvisioningFailed event names the class: the claims it has still to provision.
        picked = [
            c
            for c in chains
            if c.planned is not None and c.planned.storage_class.name == facts.storage_class
        ]
    if not picked and not names_a_volume(facts):
        picked = chains
        # a claim that binds to none and its closest volume: a pod that uses the claim is
        # never scheduled, so the text is the claim's (the volume on its own would mount)
        picked = [c for c in picked if c.binding is not None] or picked
    if any(c.binding is not None for c in picked):
        # a binding event names the volume the claim could not bind: the volume's own chain
        # (no claim, no pod) would mount and says nothing about the claim
        picked = [c for c in picked if c.claim is not None or c.workload is not None]
    unique: dict[str, MountChain] = {}
    for chain in picked:
        key = chain.volume_name or chain.label
        # Prefer the chain that knows the pod (it knows the node and its zone).
        if key not in unique or (unique[key].workload is None and chain.workload is not None):
            unique[key] = chain
    return list(unique.values())


def contradictions(outcomes: Sequence[MountOutcome], facts: Facts) -> list[str]:
    """Where the text's mount arguments and the simulated mount's disagree on an option: the
    error is older than the files, or the files are not what runs."""
    args = facts.mount_arguments
    if args is None:
        return []
    notes: dict[str, None] = {}
    for outcome in outcomes:
        if outcome.mount_command is None:
            continue
        simulated = parse_mount_arguments(outcome.mount_command.removeprefix("mount "))
        only_text = sorted(args.option_names - simulated.option_names)
        only_files = sorted(simulated.option_names - args.option_names)
        if not only_text and not only_files:
            continue
        parts = [f"the text has `{o}`, the files do not" for o in only_text]
        parts += [f"the files have `{o}`, the text does not" for o in only_files]
        volume = outcome.pv or outcome.pvc or "the volume"
        notes[
            f"the text's Mounting arguments ({args.raw.split(' /', 1)[0]}) and the simulated "
            f"mount of {volume} ({simulated.raw.split(' /', 1)[0]}) disagree: "
            f"{'; '.join(parts)}. The error predates the files, or the files are not what the "
            "cluster runs."
        ] = None
    return list(notes)
