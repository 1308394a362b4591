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
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.source import SourceMap
from efs_doctor.model.volume_handle import VolumeHandleError, parse_volume_handle
from efs_doctor.sources.aws_live import AwsOptions, AwsRun, AwsTargets
from efs_doctor.sources.documents import Document
from efs_doctor.sources.k8s_live import KubeHints, KubeOptions, collect_lists, configure
from efs_doctor.sources.live_progress import Progress
from efs_doctor.sources.live_records import Collection, LiveDocument
from efs_doctor.sources.loader import add_document

SUMMARY_FILE = "SNAPSHOT.md"
AWS_NOT_READ = (
    "AWS, as asked (--no-aws): no file system, mount target, security group, instance or IAM "
    "answer, so whether the volumes mount cannot be decided from these files"
)
PRETTY_LIMIT = 256 * 1024
# Lists whose objects name file systems, instances and the driver's service accounts.
TARGET_FILES = frozenset(
    f"kubernetes/{plural}.json"
    for plural in (
        "persistentvolumes",
        "storageclasses",
        "nodes",
        "serviceaccounts",
        "daemonsets",
        "deployments",
    )
)


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
    return _collect(options, progress, aws_clients)[0]


def collect_inventory(
    options: LiveOptions,
    progress: Progress | None = None,
    *,
    aws_clients: Mapping[str, Any] | None = None,
) -> tuple[Collection, Inventory]:
    """Collect, and build the inventory (from the part already built to know what to ask)."""
    collection, inventory = _collect(options, progress, aws_clients)
    used = {id(d) for d in inventory_documents(collection.documents)}
    add_documents((d for d in collection.documents if id(d) not in used), inventory)
    return collection, inventory


def _collect(
    options: LiveOptions, progress: Progress | None, aws_clients: Mapping[str, Any] | None
) -> tuple[Collection, Inventory]:
    """Collect; returns the inventory of the documents that decide what to ask AWS.

    AWS clients are made, and the calls that need nothing from the cluster are started,
    while Kubernetes is being listed."""
    collection = Collection()
    if not options.use_aws:
        collection.not_read.append(AWS_NOT_READ)
    try:
        configured = configure(options.kube, collection)
        hints = configured[1] if configured is not None else KubeHints()
        aws = AwsRun(options.aws, collection, progress, aws_clients) if options.use_aws else None
        starter = None
        if aws is not None:
            starter = threading.Thread(
                target=aws.start, args=(hints.region, hints.cluster_name), daemon=True
            )
            starter.start()
        if configured is not None:
            collect_lists(configured[0], options.kube, collection, progress)
        if starter is not None:
            starter.join()
        inventory = inventory_from(inventory_documents(collection.documents))
        if aws is not None:
            aws.finish(targets_from(inventory, hints))
    finally:
        if progress is not None:
            progress.close()
    return collection, inventory


def inventory_from(documents: Iterable[LiveDocument]) -> Inventory:
    """The inventory of live documents, built by the offline loader's own path."""
    return add_documents(documents, Inventory())


def add_documents(documents: Iterable[LiveDocument], inventory: Inventory) -> Inventory:
    for document in documents:
        add_document(Document(document.data, SourceMap(None)), "", inventory)
    return inventory


def inventory_documents(documents: Iterable[LiveDocument]) -> list[LiveDocument]:
    """The Kubernetes lists that say what to ask AWS (not pods, claims or events)."""
    return [d for d in documents if d.path in TARGET_FILES]


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
        _write(target, _json_text(document.data))
        written.append(target)
    summary = directory / SUMMARY_FILE
    _write(summary, snapshot_summary(collection))
    written.append(summary)
    return written


def _json_text(data: Mapping[str, Any]) -> str:
    """Indented for reading, except large lists (Python's indenting encoder is slow)."""
    text = json.dumps(data, ensure_ascii=False)
    if len(text) < PRETTY_LIMIT:
        text = json.dumps(data, ensure_ascii=False, indent=2)
    return text + "\n"


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
    items = [f"- {item}" for item in (*collection.not_read, *collection.inconclusive)]
    lines += items
    if not collection.inconclusive:  # "nothing" only when nothing was left out either
        lines += (
            ["", "Every request made succeeded."]
            if items
            else ["Nothing: every request succeeded."]
        )
    lines += [
        "",
        "Scan it anywhere with `efs-doctor scan DIR`. Secrets are not included: container",
        "environment values and secret-looking command arguments are redacted.",
        "",
    ]
    return "\n".join(lines)
