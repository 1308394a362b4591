"""Kubernetes manifests: single objects, ``kind: List`` / ``kubectl get -o`` lists, templates."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.kubernetes import (
    WORKLOAD_KINDS,
    ConfigMap,
    CSIDriver,
    Event,
    Node,
    PersistentVolume,
    PersistentVolumeClaim,
    ServiceAccount,
    StorageClass,
    Workload,
    driver_deployment_from_workload,
)
from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.model.source import SourceMap
from efs_doctor.sources.documents import Document

KUBERNETES_KINDS = frozenset(
    {
        "PersistentVolume",
        "PersistentVolumeClaim",
        "StorageClass",
        "Pod",
        "ServiceAccount",
        "Node",
        "Event",
        "CSIDriver",
        "ConfigMap",
        *WORKLOAD_KINDS,
    }
)


# Objects a cluster has once, shared by every context (docs/contracts.md, "Contexts").
CLUSTER_KINDS = frozenset({"Node", "CSIDriver"})


# The keys every object has.
OBJECT_KEYS = ("kind", "apiVersion")


def is_kubernetes(data: Any) -> bool:
    return isinstance(data, Mapping) and isinstance(data.get("kind"), str) and "apiVersion" in data


def ignored_kind(kind: str) -> bool:
    """Kinds ``add_kubernetes_document`` drops (Services, ConfigMaps, Ingresses, ...): the
    loader has their documents checked but not built (issue 8). Lists are never ignored."""
    # An eksctl ClusterConfig looks like an object too; the IaC readers take it.
    return kind not in KUBERNETES_KINDS and not kind.endswith("List") and kind != "ClusterConfig"


def _list_items(document: Document) -> Iterator[tuple[Mapping[str, Any], SourceMap]]:
    """Yield (object, its source map) for a single object or each item of a List."""
    data = document.data
    items = data.get("items")
    if str(data.get("kind", "")).endswith("List") and isinstance(items, list):
        source = document.source
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            item_source = source.sub("items", index)
            if item.get("kind") is None and isinstance(data.get("kind"), str):
                # `kubectl get pv -o json` omits kind on items of a typed list
                yield {**item, "kind": str(data["kind"])[: -len("List")]}, item_source
            else:
                yield item, item_source
    else:
        yield data, document.source


def add_kubernetes_document(
    document: Document, inventory: Inventory, problems: list[InputProblem]
) -> None:
    for raw, source in _list_items(document):
        kind = raw.get("kind")
        if not isinstance(kind, str) or kind not in KUBERNETES_KINDS:
            continue
        if not isinstance(raw.get("metadata", {}), Mapping):
            problems.append(
                InputProblem(
                    source.location("metadata"), f"{kind}: metadata must be a mapping; skipped"
                )
            )
            continue
        _add_object(str(kind), raw, source, inventory, problems)


class _Sourced(Protocol):
    @property
    def source(self) -> SourceMap: ...


_T = TypeVar("_T", bound=_Sourced)


def _put(table: dict[str, _T], key: str, obj: _T, label: str, inventory: Inventory) -> None:
    """Add ``obj``; a second definition of one object replaces the first, with a debug line
    (two files describing one object: which one was used must not be a surprise) and a
    count per context that the loader turns into one warning."""
    previous = table.get(key)
    if previous is not None:
        if label not in CLUSTER_KINDS:  # each overlay renders the cluster's one CSIDriver
            inventory.duplicates += 1
        inventory.problems.append(
            InputProblem(
                obj.source.location(),
                f"{label} {key} is defined more than once; this definition replaces the one "
                f"at {previous.source.location()}",
                ProblemLevel.DEBUG,
            )
        )
    table[key] = obj


def _add_object(
    kind: str,
    raw: Mapping[str, Any],
    source: SourceMap,
    inventory: Inventory,
    problems: list[InputProblem],
) -> None:
    found: list[InputProblem]
    if kind == "PersistentVolume":
        pv, found = PersistentVolume.from_raw(raw, source)
        _put(inventory.persistent_volumes, pv.name, pv, kind, inventory)
    elif kind == "PersistentVolumeClaim":
        pvc, found = PersistentVolumeClaim.from_raw(raw, source)
        _put(inventory.claims, pvc.key, pvc, kind, inventory)
    elif kind == "StorageClass":
        sc, found = StorageClass.from_raw(raw, source)
        _put(inventory.storage_classes, sc.name, sc, kind, inventory)
    elif kind == "ServiceAccount":
        sa, found = ServiceAccount.from_raw(raw, source)
        _put(inventory.service_accounts, sa.key, sa, kind, inventory)
    elif kind == "Node":
        node, found = Node.from_raw(raw, source)
        _put(inventory.nodes, node.name, node, kind, inventory)
    elif kind == "Event":
        event, found = Event.from_raw(raw, source)
        inventory.events.append(event)
    elif kind == "ConfigMap":
        config_map, found = ConfigMap.from_raw(raw, source)
        _put(inventory.config_maps, config_map.key, config_map, kind, inventory)
    elif kind == "CSIDriver":
        driver, found = CSIDriver.from_raw(raw, source)
        _put(inventory.csi_drivers, driver.name, driver, kind, inventory)
    else:
        workload, found = Workload.from_raw(raw, source)
        deployment = driver_deployment_from_workload(workload)
        if deployment is not None:
            inventory.driver_deployments.append(deployment)
        inventory.workloads.append(workload)  # duplicates: see drop_replaced_workloads
    problems.extend(found)


def drop_replaced_workloads(inventories: Sequence[Inventory]) -> None:
    """Keep the last definition of each workload within its context, as ``_put`` does for
    the keyed kinds (one pass after all inputs are read, not one per add); the driver's
    deployments, shared by the contexts, keep those of the workloads kept."""
    replaced: set[int] = set()
    for inventory in inventories:
        latest: dict[str, Workload] = {}
        for workload in inventory.workloads:
            _put(latest, workload.key, workload, workload.kind, inventory)
        if len(latest) == len(inventory.workloads):
            continue
        kept = {id(w) for w in latest.values()}
        replaced.update(id(w.source) for w in inventory.workloads if id(w) not in kept)
        inventory.workloads[:] = latest.values()
    if replaced:
        deployments = inventories[0].driver_deployments
        deployments[:] = [d for d in deployments if id(d.source) not in replaced]
