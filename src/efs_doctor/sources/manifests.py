"""Kubernetes manifests: single objects, ``kind: List`` / ``kubectl get -o`` lists, templates."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.kubernetes import (
    WORKLOAD_KINDS,
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
from efs_doctor.model.problems import InputProblem
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
        *WORKLOAD_KINDS,
    }
)


def is_kubernetes(data: Any) -> bool:
    return isinstance(data, Mapping) and isinstance(data.get("kind"), str) and "apiVersion" in data


def _list_items(document: Document) -> Iterator[tuple[Mapping[str, Any], SourceMap]]:
    """Yield (object, its source map) for a single object or each item of a List."""
    data = document.data
    items = data.get("items")
    if str(data.get("kind", "")).endswith("List") and isinstance(items, list):
        source = document.source
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            location = source.location("items", index)
            prefix = ("items", index)

            def marks(prefix: tuple[str | int, ...] = prefix) -> Any:
                n = len(prefix)
                return {k[n:]: v for k, v in source.marks.items() if k[:n] == prefix}

            item_source = SourceMap(source.path, location.line, location.column, _loader=marks)
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


def _add_object(
    kind: str,
    raw: Mapping[str, Any],
    source: SourceMap,
    inventory: Inventory,
    problems: list[InputProblem],
) -> None:
    if kind == "PersistentVolume":
        pv, found = PersistentVolume.from_raw(raw, source)
        inventory.persistent_volumes[pv.name] = pv
    elif kind == "PersistentVolumeClaim":
        pvc, found = PersistentVolumeClaim.from_raw(raw, source)
        inventory.claims[pvc.key] = pvc
    elif kind == "StorageClass":
        sc, found = StorageClass.from_raw(raw, source)
        inventory.storage_classes[sc.name] = sc
    elif kind == "ServiceAccount":
        sa, found = ServiceAccount.from_raw(raw, source)
        inventory.service_accounts[sa.key] = sa
    elif kind == "Node":
        node, found = Node.from_raw(raw, source)
        inventory.nodes[node.name] = node
    elif kind == "Event":
        event, found = Event.from_raw(raw, source)
        inventory.events.append(event)
    elif kind == "CSIDriver":
        driver, found = CSIDriver.from_raw(raw, source)
        inventory.csi_drivers[driver.name] = driver
    else:
        workload, found = Workload.from_raw(raw, source)
        deployment = driver_deployment_from_workload(workload)
        if deployment is not None:
            inventory.driver_deployments.append(deployment)
        inventory.workloads.append(workload)
    problems.extend(found)
