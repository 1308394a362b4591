"""Context from the mount simulation (``efs_doctor.engine.mount``) of the chains the text
names: which outcomes are about where the text failed, and their signals. Pure: the
simulator does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from efs_doctor.engine.explain.facts import parse_mount_arguments
from efs_doctor.engine.explain.model import ContextSignal, Facts
from efs_doctor.engine.explain.outcome import signals_from_outcome
from efs_doctor.engine.explain.placeholders import masked_id
from efs_doctor.engine.mount import MountOutcome, SimulationOptions, Simulator, Step
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


HANDLE_CAUSE = "volume-handle-format"


def masked_ids(outcome: MountOutcome, inventory: Inventory) -> list[str]:
    """The ids of ``outcome``'s volume that a user masked (``placeholders.masked_id``): in
    its file system, its PV's handle, or an ``accesspoint=`` mount option."""
    values = [outcome.file_system_id or ""]
    pv = inventory.persistent_volumes.get(outcome.pv or "")
    if pv is not None and pv.csi is not None:
        values.extend(pv.csi.volume_handle.split(":"))
        values.extend(
            option.partition("=")[2]
            for option in pv.mount_options
            if option.partition("=")[0].strip().lower() == "accesspoint"
        )
    return list(dict.fromkeys(v for v in values if v and masked_id(v)))


def _quoted(step: Step, text: str, naming: Sequence[str] = ()) -> bool:
    """Whether the text quotes the failing component's own message of ``step`` (a line of it
    from gRPC's ``desc =`` on), one that names every value in ``naming``."""
    for line in (step.error or "").splitlines():
        core = line.rsplit("desc = ", 1)[-1].strip()
        if core and all(value in core for value in naming) and core in text:
            return True
    return False


def _rejection_quoted(step: Step, text: str, masked: Sequence[str]) -> bool:
    """Whether the text quotes the component's own rejection of a masked id: then that id is
    what ran, a placeholder left in the manifest, not a mask put on for posting."""
    return any(_quoted(step, text, (m,)) for m in masked)


def handle_masked(outcome: MountOutcome, inventory: Inventory, text: str) -> list[str]:
    """The masked ids of ``outcome``'s volume when its simulated handle failure is only the
    mask (the text does not quote the driver rejecting them); empty otherwise."""
    masked = masked_ids(outcome, inventory)
    failed = [s for s in outcome.steps if s.status == "failed" and s.cause == HANDLE_CAUSE]
    if not masked or not failed or any(_rejection_quoted(s, text, masked) for s in failed):
        return []
    return masked


# Causes decided by which options the mount has (causes.md): NFS-foreign options, no `iam`,
# `iam` without `tls`, no `tls` against a SecureTransport deny. The files' options say what
# would run now; kubelet's "Mounting arguments" in the text say what ran.
OPTION_CAUSES = frozenset(
    {
        "invalid-mount-option",
        "iam-option-missing",
        "iam-without-tls",
        "policy-secure-transport-no-tls",
    }
)
# Steps whose own message names the option they refuse (the driver's, efs-utils').
_OPTION_STEPS = ("csi", "efs-utils")


def options_are_evidence(outcome: MountOutcome, facts: Facts, text: str) -> bool:
    """Whether the simulated mount's options may judge ``OPTION_CAUSES``: the text's Mounting
    arguments show the same options (and file system type), or the text quotes the driver or
    efs-utils refusing the option. Otherwise the loaded PV's mountOptions are not evidence:
    the files may be newer or older than the error."""
    args = facts.mount_arguments
    if args is not None and outcome.mount_command is not None:
        simulated = parse_mount_arguments(outcome.mount_command.removeprefix("mount "))
        same_type = (args.fs_type or "efs") == (simulated.fs_type or "efs")
        return same_type and args.option_names == simulated.option_names
    failed = [s for s in outcome.steps if s.status == "failed" and s.step in _OPTION_STEPS]
    return any(_quoted(step, text) for step in failed)


def simulation_signals(
    outcomes: Sequence[MountOutcome],
    facts: Facts,
    inventory: Inventory,
    text: str = "",
    *,
    agree: bool = False,
) -> list[ContextSignal]:
    """The signals of the outcomes for where the text failed, each once. A handle the user
    masked is not evidence of a malformed handle (the text side treats masked ids as redacted
    too: ``facts.redacted``), and the loaded options are not evidence for the option causes
    unless the text shows them (:func:`options_are_evidence`). ``agree``: the text names none
    of the volumes, so only what every volume's simulation says (:func:`agreed`) is kept."""
    per_volume: dict[str, list[ContextSignal]] = {}
    for outcome in where_the_text_failed(outcomes, facts, inventory, text):
        found = signals_from_outcome(outcome)
        if handle_masked(outcome, inventory, text):
            found = [s for s in found if s.cause != HANDLE_CAUSE]
        if not options_are_evidence(outcome, facts, text):
            found = [s for s in found if s.cause not in OPTION_CAUSES]
        per_volume.setdefault(_volume(outcome), []).extend(found)
    if agree and len(per_volume) > 1:
        return agreed(per_volume)
    return list(dict.fromkeys(s for found in per_volume.values() for s in found))


def _volume(outcome: MountOutcome) -> str:
    return outcome.pv or outcome.pvc or outcome.pod or "the volume"


def agreed(per_volume: Mapping[str, Sequence[ContextSignal]]) -> list[ContextSignal]:
    """The (cause, effect) pairs every volume's signals hold, one signal each, its evidence
    saying all the volumes agree: where they differ, which volume failed decides, and the
    text does not say."""
    keys = [{(s.cause, s.effect) for s in found} for found in per_volume.values()]
    common = set.intersection(*keys) if keys else set()
    names = ", ".join(sorted(per_volume))
    kept: list[ContextSignal] = []
    seen: set[tuple[str, str]] = set()
    for found in per_volume.values():
        for signal in found:
            key = (signal.cause, signal.effect)
            if key in common and key not in seen:
                seen.add(key)
                evidence = f"every loaded volume ({names}) agrees: {signal.evidence}"
                kept.append(replace(signal, evidence=evidence))
    return kept


def masked_notes(outcomes: Sequence[MountOutcome], inventory: Inventory, text: str) -> list[str]:
    """One note per volume whose simulated handle failure is only a masked id."""
    notes: dict[str, None] = {}
    for outcome in outcomes:
        masked = handle_masked(outcome, inventory, text)
        if masked:
            volume = outcome.pv or outcome.pvc or "the volume"
            notes[
                f"{volume}'s {', '.join(masked)} looks masked: not taken as a malformed "
                "volumeHandle; the simulation cannot check past the CSI driver without the "
                "real id"
            ] = None
    return list(notes)
