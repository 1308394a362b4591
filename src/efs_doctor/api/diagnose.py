"""``diagnose``: which pods to look at, simulate their mounts, explain their events, rank
causes.

Pure (no I/O): it takes an inventory, whether read live (``efs-doctor diagnose``) or from
files. The mount simulator (``engine.mount``) says what happens on each chain; the explain
engine (``engine.explain``) reads each FailedMount/ProvisioningFailed event with that pod's
simulated mounts as the context that confirms or rules out causes. A failed or indeterminate
simulation whose cause no event names still yields that cause, with the fix from the cause
catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.kubernetes import Event

if TYPE_CHECKING:
    from efs_doctor.engine.explain import Explanation, RankedCause
    from efs_doctor.engine.mount.model import MountOutcome
    from efs_doctor.engine.mount.simulate import SimulationOptions

EVENT_REASONS = frozenset({"FailedMount", "ProvisioningFailed"})
STATUS_ORDER = {"confirmed": 0, "likely": 1, "possible": 2, "ruled_out": 3}


@dataclass(frozen=True, slots=True)
class Cause:
    """A ranked root cause; ``source`` says whether an event's text or only the simulation
    named it."""

    id: str
    title: str
    score: float
    status: str
    fix: str
    evidence: tuple[str, ...] = ()
    checks: tuple[tuple[str, str], ...] = ()  # (command, what to look for)
    source: str = "event"  # "event" | "simulation"


@dataclass(frozen=True, slots=True)
class PodSelection:
    """The pods to diagnose (``None``: every chain's), or why the one asked for is not there.

    ``elsewhere``: how many pods the same filter picks in other namespaces (a hint for
    ``-A`` when the namespace asked for has none)."""

    pods: list[str] | None
    missing: str | None = None  # "<key>: <why>" when the pod asked for is not known
    elsewhere: int = 0


@dataclass(slots=True)
class Diagnosis:
    pods: list[str]
    outcomes: list[MountOutcome]
    events: list[Event]
    causes: list[Cause] = field(default_factory=list)
    explanations: list[Explanation] = field(default_factory=list)
    chains: list[MountChain] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(o.outcome == "mounted" for o in self.outcomes)


def pods_with_failed_events(inventory: Inventory) -> list[str]:
    """``namespace/name`` of every pod with a FailedMount event, or whose claim has a
    ProvisioningFailed one, in the order first seen."""
    keys: dict[str, None] = {}
    claims = {
        e.involved_key for e in inventory.events if e.involved_kind == "PersistentVolumeClaim"
    }
    for event in inventory.events:
        if event.reason == "FailedMount" and event.involved_kind == "Pod":
            keys[event.involved_key] = None
    for chain in _chains(inventory):
        if chain.claim_key in claims and chain.pod_key:
            keys[chain.pod_key] = None
    return list(keys)


def select_pods(
    inventory: Inventory,
    pod: str | None,
    *,
    namespace: str | None,
    failing: bool,
    pods_listed: bool,
) -> PodSelection:
    """``pod`` (``NAMESPACE/POD``, or ``POD`` in ``namespace``); else the pods of
    ``namespace`` (``None``: every namespace, as ``kubectl -A``) that mount EFS volumes, only
    those with a failure event when ``failing``.
    ``pods_listed``: whether the pod list was read (an unknown pod is then not there).
    A pod that is not loaded is its workload, when one whose controller names pods so is
    (``api.pod_names``)."""
    if pod:
        from efs_doctor.api.pod_names import owners_of_pod

        key = pod if "/" in pod or namespace is None else f"{namespace}/{pod}"
        known = {w.key for w in inventory.workloads if w.kind == "Pod"}
        owners = (
            [] if key in known else owners_of_pod(inventory.workloads, key, namespace or "default")
        )
        if owners:
            return PodSelection(owners)
        if key not in known:
            why = "no such pod using volumes" if pods_listed else "pods could not be listed"
            return PodSelection(None, f"{key}: {why}")
        return PodSelection([key])
    if not failing and namespace is None:
        return PodSelection(None)
    mounting = list(dict.fromkeys(c.pod_key for c in _chains(inventory) if c.pod_key))
    candidates = pods_with_failed_events(inventory) if failing else mounting
    if namespace is None:
        return PodSelection(candidates)
    chosen = [key for key in candidates if key.partition("/")[0] == namespace]
    elsewhere = {key for key in candidates if key not in chosen}.intersection(mounting)
    return PodSelection(chosen, elsewhere=len(elsewhere))


def _chains(inventory: Inventory) -> list[MountChain]:
    from efs_doctor.api import mount_chains

    return mount_chains(inventory)


def chains_of(inventory: Inventory, pods: Sequence[str] | None) -> list[MountChain]:
    """The chains of these pods (``namespace/name``), or every chain when ``pods`` is None.
    A pod with no chain of its own (not loaded, named by an event) has its workload's."""
    from efs_doctor.api.pod_names import made_by

    chains = _chains(inventory)
    if pods is None:
        return chains
    wanted = set(pods)
    own = {c.pod_key for c in chains if c.pod_key in wanted}
    unloaded = wanted - own
    return [
        c
        for c in chains
        if c.pod_key in wanted or (c.pod_key and any(made_by(pod, c.pod_key) for pod in unloaded))
    ]


def events_of(inventory: Inventory, chains: Iterable[MountChain]) -> list[Event]:
    """The failure events of the chains' pods (a pod that is not loaded: of the workload
    whose controller names its pods so) and claims."""
    from efs_doctor.api.pod_names import made_by

    pods = {c.pod_key for c in chains if c.pod_key}
    claims = {c.claim_key for c in chains if c.claim_key}
    return [
        e
        for e in inventory.events
        if e.reason in EVENT_REASONS
        and (
            (
                e.involved_kind == "Pod"
                and (e.involved_key in pods or any(made_by(e.involved_key, p) for p in pods))
            )
            or (e.involved_kind == "PersistentVolumeClaim" and e.involved_key in claims)
        )
    ]


def diagnose_pods(
    inventory: Inventory, pods: Sequence[str] | None, options: SimulationOptions | None = None
) -> Diagnosis:
    """The mounts of ``pods`` (``None``: every pod's) diagnosed."""
    chains = chains_of(inventory, pods)
    if pods is None:
        pods = sorted({c.pod_key for c in chains if c.pod_key})
    return diagnose(inventory, chains, pods, options)


def diagnose(
    inventory: Inventory,
    chains: Sequence[MountChain],
    pods: Sequence[str],
    options: SimulationOptions | None = None,
) -> Diagnosis:
    """The chains' mounts simulated and the events of ``pods`` explained."""
    from efs_doctor.engine.mount import simulate_all

    outcomes = simulate_all(inventory, chains, options) if chains else []
    events = events_of(inventory, chains)
    result = Diagnosis(list(pods), outcomes, events, chains=list(chains))
    seen: set[tuple[object, ...]] = set()
    for event in events:
        if not event.message.strip():
            continue
        mine = _outcomes_of(event, outcomes)
        # Pods failing on the same volume log the same message but for their own uid.
        key = (POD_DIR.sub("<pod>", event.message), *((o.outcome, o.cause) for o in mine))
        if key not in seen:
            seen.add(key)
            result.explanations.append(_explain(inventory, event.message, mine))
    result.causes = _rank(result.explanations, outcomes)
    return result


POD_DIR = re.compile(r"/var/lib/kubelet/pods/[^/\s]+/")


def _outcomes_of(event: Event, outcomes: Sequence[MountOutcome]) -> list[MountOutcome]:
    if event.involved_kind == "Pod":
        from efs_doctor.api.pod_names import made_by

        own = [o for o in outcomes if o.pod == event.involved_key]
        return own or [o for o in outcomes if o.pod and made_by(event.involved_key, o.pod)]
    return [o for o in outcomes if o.pvc == event.involved_key]


def _explain(inventory: Inventory, message: str, outcomes: Sequence[MountOutcome]) -> Explanation:
    """The event explained with this pod's simulated mounts as context (the simulation
    already ran: its outcomes are reused, not recomputed)."""
    from efs_doctor.api.explain import explain_with_outcomes

    return explain_with_outcomes(message, outcomes, inventory)[0]


def _from_ranked(cause: RankedCause) -> Cause:
    return Cause(
        id=cause.id,
        title=cause.title,
        score=cause.score,
        status=cause.status,
        fix=cause.fix,
        evidence=tuple(e.text for e in cause.evidence),
        checks=tuple((c.command, c.look_for) for c in cause.checks),
    )


def _rank(explanations: Sequence[Explanation], outcomes: Sequence[MountOutcome]) -> list[Cause]:
    """Each cause once, at its best; then causes only the simulation found."""
    best: dict[str, Cause] = {}
    for explanation in explanations:
        for ranked in explanation.causes:
            cause = _from_ranked(ranked)
            current = best.get(cause.id)
            if current is None or _key(cause) < _key(current):
                best[cause.id] = cause
    simulated = _simulated(outcomes, set(best))
    ordered = sorted(best.values(), key=_key)
    return ordered + simulated


def _key(cause: Cause) -> tuple[int, float]:
    return STATUS_ORDER.get(cause.status, 9), -cause.score


def _simulated(outcomes: Sequence[MountOutcome], known: set[str]) -> list[Cause]:
    from efs_doctor.engine.explain import load_catalogue

    causes = load_catalogue().causes
    found: dict[str, Cause] = {}
    for outcome in outcomes:
        if outcome.outcome == "mounted" or not outcome.cause or outcome.cause in known:
            continue
        if outcome.cause in found:
            continue
        info = causes.get(outcome.cause)
        found[outcome.cause] = Cause(
            id=outcome.cause,
            title=info.title if info else outcome.cause,
            score=1.0 if outcome.outcome == "failed" else 0.5,
            status="confirmed" if outcome.outcome == "failed" else "possible",
            fix=info.fix if info else "",
            evidence=(outcome.reason,),
            checks=tuple((c.command, c.look_for) for c in info.checks) if info else (),
            source="simulation",
        )
    return list(found.values())
