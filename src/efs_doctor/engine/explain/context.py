"""Context signals from an inventory (manifests, policies, saved AWS state).

``signals_from_inventory(inventory, facts)`` picks the mount chains the error text names (by
PV name, else by file system id) and says, for each cause it can judge, whether the loaded
objects confirm it, rule it out or make it more likely, with the file:line that shows it.
The mount simulation will add its own outcome as further signals through the same type.
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.explain.context_auth import authorization_signals
from efs_doctor.engine.explain.context_network import network_signals
from efs_doctor.engine.explain.model import ContextSignal, Facts, SignalEffect
from efs_doctor.model.chain import MountChain, resolve_chains
from efs_doctor.model.inventory import Inventory

SUPPORTED_ATTRIBUTES = frozenset({"encryptintransit", "mounttargetip", "crossaccount"})
_IGNORED_ATTRIBUTES = frozenset({"storage.kubernetes.io/csiprovisioneridentity"})


def select_chains(inventory: Inventory, facts: Facts) -> list[MountChain]:
    """The chains the text is about; one per PV (several pods may share a PV)."""
    chains = resolve_chains(inventory)
    picked = [c for c in chains if facts.pv and c.volume_name == facts.pv]
    if not picked and facts.file_system_ids:
        picked = [c for c in chains if c.file_system_id in facts.file_system_ids]
    if not picked and not facts.pv and not facts.file_system_ids:
        # The text names nothing (ids redacted): only an unambiguous inventory can help.
        volumes = {c.volume_name for c in chains if c.volume_name}
        picked = chains if len(volumes) == 1 else []
    unique: dict[str, MountChain] = {}
    for chain in picked:
        key = chain.volume_name or chain.label
        # Prefer the chain that knows the pod (it knows the node and its zone).
        if key not in unique or (unique[key].workload is None and chain.workload is not None):
            unique[key] = chain
    return list(unique.values())


def _volume_signals(chain: MountChain) -> Iterator[ContextSignal]:
    volume = chain.volume
    if volume is None:
        return
    where = str(volume.source.location("spec"))
    name = f"PV {volume.name}"
    if chain.handle_error:
        yield ContextSignal(
            "volume-handle-format", "confirms", f"{name}: {chain.handle_error}", where, "inventory"
        )
    elif chain.handle is not None:
        yield ContextSignal(
            "volume-handle-format",
            "rules_out",
            f"{name} volumeHandle {chain.handle.raw} is well-formed",
            where,
            "inventory",
        )
    if volume.access_modes:
        first = volume.access_modes[0]
        modes_at = str(volume.source.location("spec", "accessModes"))
        effect: SignalEffect = "confirms" if first == "ReadOnlyMany" else "rules_out"
        yield ContextSignal(
            "unsupported-access-mode",
            effect,
            f"{name}'s first access mode is {first} (the driver rejects ReadOnlyMany)",
            modes_at,
            "inventory",
        )
    if volume.csi is not None:
        attributes = volume.csi.volume_attributes
        unknown = sorted(
            k
            for k in attributes
            if k.lower() not in SUPPORTED_ATTRIBUTES and k.lower() not in _IGNORED_ATTRIBUTES
        )
        at = str(volume.source.location("spec", "csi", "volumeAttributes"))
        if unknown:
            yield ContextSignal(
                "volume-attributes-invalid",
                "confirms",
                f"{name} has volumeAttributes the driver rejects: {', '.join(unknown)}",
                at,
                "inventory",
            )
        else:
            yield ContextSignal(
                "volume-attributes-invalid",
                "rules_out",
                f"{name}'s volumeAttributes are all supported",
                at,
                "inventory",
            )
    if chain.handle is not None:
        path = chain.handle.subpath
        at = str(volume.source.location("spec", "csi", "volumeHandle"))
        if path in ("/", ""):
            yield ContextSignal(
                "subpath-missing",
                "rules_out",
                f"{name} mounts the root (volumeHandle {chain.handle.raw})",
                at,
                "inventory",
            )
        else:
            yield ContextSignal(
                "subpath-missing",
                "raises",
                f"{name} mounts the sub-directory {path}, which must already exist",
                at,
                "inventory",
            )


def _access_point_signals(inventory: Inventory, chain: MountChain) -> Iterator[ContextSignal]:
    ap_id = chain.access_point_id
    if chain.handle is None:
        return
    handle_at = (
        str(chain.volume.source.location("spec", "csi", "volumeHandle")) if chain.volume else None
    )
    if ap_id is None:
        for cause in ("access-point-root-dir-missing", "access-point-not-found"):
            yield ContextSignal(
                cause,
                "rules_out",
                f"volumeHandle {chain.handle.raw} uses no access point",
                handle_at,
                "inventory",
            )
        return
    if not inventory.has("access-points"):
        return
    ap = chain.access_point
    if ap is None:
        yield ContextSignal(
            "access-point-not-found",
            "confirms",
            f"{ap_id} is not among the access points loaded (describe-access-points)",
            handle_at,
            "inventory",
        )
        return
    at = str(ap.source.location())
    if ap.file_system_id != chain.file_system_id or ap.lifecycle_state not in (None, "available"):
        yield ContextSignal(
            "access-point-not-found",
            "confirms",
            f"{ap_id} belongs to {ap.file_system_id}, state {ap.lifecycle_state}",
            at,
            "inventory",
        )
    else:
        yield ContextSignal(
            "access-point-not-found", "rules_out", f"{ap_id} is available", at, "inventory"
        )
    if ap.creation_info is None:
        yield ContextSignal(
            "access-point-root-dir-missing",
            "raises",
            f"{ap_id} has no CreationInfo: EFS will not create {ap.root_path} if it is missing",
            at,
            "inventory",
        )
    else:
        yield ContextSignal(
            "access-point-root-dir-missing",
            "rules_out",
            f"{ap_id} has CreationInfo: EFS creates {ap.root_path} on first mount",
            at,
            "inventory",
        )


def contradictions(chains: list[MountChain], facts: Facts) -> list[str]:
    """Where the text's mount arguments disagree with the loaded PV: the error is older than
    the files, or the files are not what runs."""
    args = facts.mount_arguments
    if args is None:
        return []
    notes = []
    for chain in chains:
        declared = {option.split("=", 1)[0].strip().lower() for option in chain.mount_options}
        for option in ("iam",):
            if (option in declared) != (option in args.option_names):
                where = "has" if option in declared else "lacks"
                notes.append(
                    f"the text's Mounting arguments ({args.raw.split(' /', 1)[0]}) and "
                    f"{chain.label} disagree: the PV {where} `{option}`. The error predates the "
                    "files, or the files are not what the cluster runs."
                )
    return notes


def signals_from_inventory(inventory: Inventory, facts: Facts) -> list[ContextSignal]:
    """Signals for the mount chains the text names; none when it names nothing loaded."""
    signals: list[ContextSignal] = []
    for chain in select_chains(inventory, facts):
        signals.extend(_volume_signals(chain))
        signals.extend(_access_point_signals(inventory, chain))
        signals.extend(authorization_signals(inventory, chain))
        signals.extend(network_signals(inventory, chain, facts))
    return list(dict.fromkeys(signals))
