"""What a live collection produces: documents, the calls made, and what could not be checked.

A live collector answers with :class:`LiveDocument` objects in exactly the shapes the offline
loaders read (Kubernetes ``List`` objects; AWS CLI ``--output json`` answers). The same
documents feed the inventory in live mode and become the files of ``efs-doctor snapshot``,
so a snapshot scanned offline sees what the live run saw.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class LiveDocument:
    """One answer, as the file ``path`` (relative, ``/``-separated) of a snapshot holds it."""

    path: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Inconclusive:
    """Something live mode could not read; the run goes on without it.

    ``missing_permission`` names the IAM action (``elasticfilesystem:DescribeMountTargets``)
    or the RBAC rule (``list persistentvolumes (apiGroup "")``) whose absence caused it, when
    the cause was a denial; it is None for other failures (timeouts, server errors).
    """

    what: str
    reason: str
    missing_permission: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "what": self.what,
            "reason": self.reason,
            "missing_permission": self.missing_permission,
        }

    def __str__(self) -> str:
        suffix = f" (needs {self.missing_permission})" if self.missing_permission else ""
        return f"{self.what}: {self.reason}{suffix}"


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One API request as sent: ``aws``/``kubernetes``, the operation, and its target."""

    api: str
    operation: str  # "efs:DescribeMountTargets" or "list persistentvolumes"


@dataclass(slots=True)
class CallLog:
    """Thread-safe log of the requests a run made (AWS pages included)."""

    calls: list[CallRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, api: str, operation: str) -> None:
        with self._lock:
            self.calls.append(CallRecord(api, operation))

    def count(self, api: str | None = None) -> int:
        with self._lock:
            return sum(1 for c in self.calls if api is None or c.api == api)


@dataclass(slots=True)
class Collection:
    """Everything one live run gathered, in collection order."""

    documents: list[LiveDocument] = field(default_factory=list)
    inconclusive: list[Inconclusive] = field(default_factory=list)
    calls: CallLog = field(default_factory=CallLog)
    context: dict[str, str] = field(default_factory=dict)  # cluster, region, kube context
    # what was left out on request (--no-aws), as opposed to what failed (inconclusive)
    not_read: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_document(self, path: str, data: Mapping[str, Any]) -> None:
        with self._lock:
            self.documents.append(LiveDocument(path, data))

    def add_inconclusive(self, item: Inconclusive) -> None:
        with self._lock:
            if item not in self.inconclusive:
                self.inconclusive.append(item)
