"""Live mode: collect from the cluster, then from AWS what the cluster uses; build the inventory.

The Kubernetes lists come first (they say which file systems, instances and service
accounts matter), then the AWS waves. Every answer is a :class:`LiveDocument` in the shape
the offline loaders read, and goes through the same ``add_document`` as a file would, so
``scan --live`` and ``scan`` of a snapshot see the same inventory. Whatever could not be
read is an :class:`Inconclusive` in :attr:`Collection.inconclusive`; the run always goes on.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.source import SourceMap
from efs_doctor.model.volume_handle import VolumeHandleError, parse_volume_handle
from efs_doctor.sources.aws_live import AwsOptions, AwsTargets, collect_aws
from efs_doctor.sources.documents import Document
from efs_doctor.sources.k8s_live import KubeHints, KubeOptions, collect_kubernetes
from efs_doctor.sources.live_progress import Progress
from efs_doctor.sources.live_records import Collection, LiveDocument
from efs_doctor.sources.loader import add_document

SUMMARY_FILE = "SNAPSHOT.md"


@dataclass(frozen=True, slots=True)
class LiveOptions:
    kube: KubeOptions = field(default_factory=KubeOptions)
    aws: AwsOptions = field(default_factory=AwsOptions)
    use_aws: bool = True


def collect(
    options: LiveOptions,
    progress: Progress | None = None,
    *,
    aws_clients: Mapping[str, Any] | None = None,
) -> Collection:
    """Everything live mode reads; never raises for an API failure."""
    collection = Collection()
    try:
        hints = collect_kubernetes(options.kube, collection, progress)
        if options.use_aws:
            kubernetes = inventory_from(collection.documents)
            targets = targets_from(kubernetes, hints)
            collect_aws(options.aws, targets, collection, progress, clients=aws_clients)
    finally:
        if progress is not None:
            progress.close()
    return collection


def inventory_from(documents: Iterable[LiveDocument]) -> Inventory:
    """The inventory of live documents, built by the offline loader's own path."""
    inventory = Inventory()
    for document in documents:
        add_document(Document(document.data, SourceMap(None)), "", inventory)
    return inventory


def targets_from(inventory: Inventory, hints: KubeHints) -> AwsTargets:
    """Which AWS objects matter to this cluster."""
    targets = AwsTargets(cluster_name=hints.cluster_name, region=hints.region)
    for pv in inventory.persistent_volumes.values():
        if pv.is_efs and pv.csi is not None:
            # a malformed handle is a finding, not something to look up
            with contextlib.suppress(VolumeHandleError):
                handle = parse_volume_handle(pv.csi.volume_handle)
                targets.file_system_ids.add(handle.file_system_id)
    for sc in inventory.storage_classes.values():
        fs_id = sc.parameters.get("fileSystemId")
        if sc.is_efs and fs_id:
            targets.file_system_ids.add(fs_id)
    for node in inventory.nodes.values():
        if node.instance_id:
            targets.instance_ids.add(node.instance_id)
        if targets.region is None and node.region:
            targets.region = node.region
    for account in inventory.service_accounts.values():
        targets.driver_accounts.add((account.namespace, account.name))
        if account.irsa_role_arn:
            targets.irsa_roles.add(account.irsa_role_arn)
    for deployment in inventory.driver_deployments:
        namespace = deployment.meta.namespace or "default"
        targets.driver_accounts.add((namespace, deployment.service_account or "default"))
    return targets


# ---- snapshot --------------------------------------------------------------------------

_SAFE = re.compile(r"[^A-Za-z0-9._/-]")


def _safe_path(path: str) -> str:
    cleaned = _SAFE.sub("_", path).lstrip("/")
    parts = [p for p in cleaned.split("/") if p not in ("", ".", "..")]
    return "/".join(parts)


def write_snapshot(collection: Collection, directory: Path) -> list[Path]:
    """Write every document as a file the offline loaders read; returns the files written.

    The directory must not exist or be empty: a snapshot never mixes with older files."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise FileExistsError(f"{directory} exists and is not an empty directory")
    written: list[Path] = []
    used: set[str] = set()
    for document in collection.documents:
        relative = _safe_path(document.path)
        stem, dot, suffix = relative.rpartition(".")
        counter = 1
        while relative in used:
            counter += 1
            relative = f"{stem}-{counter}{dot}{suffix}"
        used.add(relative)
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        _write(target, json.dumps(document.data, indent=2, ensure_ascii=False) + "\n")
        written.append(target)
    summary = directory / SUMMARY_FILE
    _write(summary, snapshot_summary(collection))
    written.append(summary)
    return written


def _write(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def snapshot_summary(collection: Collection) -> str:
    """SNAPSHOT.md: what was collected and what could not be (not read by the loaders)."""
    lines = ["# efs-doctor snapshot", ""]
    for key in ("kube_context", "cluster", "region", "iam"):
        if key in collection.context:
            lines.append(f"- {key.replace('_', ' ')}: `{collection.context[key]}`")
    lines.append(
        f"- requests: {collection.calls.count('kubernetes')} Kubernetes lists, "
        f"{collection.calls.count('aws')} AWS calls (pages included)"
    )
    lines.append(f"- files: {len(collection.documents)}")
    lines += ["", "## Not collected", ""]
    if not collection.inconclusive:
        lines.append("Nothing: every request succeeded.")
    for item in collection.inconclusive:
        lines.append(f"- {item}")
    lines += [
        "",
        "Scan it anywhere with `efs-doctor scan DIR`. Secrets are not included: container",
        "environment values and arguments (other than the EFS CSI driver's) are redacted.",
        "",
    ]
    return "\n".join(lines)
