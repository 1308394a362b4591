"""Policy reports: the Kubernetes objects Policy Reporter, Kyverno's UI and dashboards read.

``openreports`` writes ``openreports.io/v1alpha1`` ``Report`` (one per namespace) and
``ClusterReport``; ``policyreport`` the older ``wgpolicyk8s.io/v1alpha2`` ``PolicyReport`` and
``ClusterPolicyReport``. Both have the same result shape; only OpenReports has ``source`` at
report level (openreports/reports-api ``apis/openreports.io/v1alpha1/report_types.go``,
kubernetes-sigs/wg-policy-prototypes ``policy-report/crd/v1alpha2``; the tests validate every
document against those CRDs' schemas, kept in tests/data/crds).

efs-doctor stays read-only: it prints the objects and ``kubectl apply`` writes them. Names are
stable (``efs-doctor-<namespace>``, ``efs-doctor-cluster``; diagnose's start
``efs-doctor-mounts-``), so a run replaces the previous
run's results instead of adding a report beside them. The cluster report is printed even when
it holds no result, so a fixed problem clears it on the next run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

SOURCE = "efs-doctor"
LABELS = {"app.kubernetes.io/managed-by": "efs-doctor"}
# etcd refuses objects over about 1.5 MiB; a result is well under 1.5 KiB.
MAX_RESULTS = 1000

ResultValue = Literal["pass", "fail", "warn", "error", "skip"]
RESULT_VALUES: tuple[ResultValue, ...] = ("pass", "fail", "warn", "error", "skip")
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True, slots=True)
class ReportApi:
    """One of the two report APIs: its group/version, kinds, and whether a report names its
    source."""

    api_version: str
    kind: str  # namespaced
    cluster_kind: str
    report_source: bool


REPORT_APIS: Mapping[str, ReportApi] = {
    "openreports": ReportApi("openreports.io/v1alpha1", "Report", "ClusterReport", True),
    "policyreport": ReportApi(
        "wgpolicyk8s.io/v1alpha2", "PolicyReport", "ClusterPolicyReport", False
    ),
}

# apiVersion of each kind efs-doctor reads (resource references need it); whether the kind is
# namespaced decides which report a result goes to.
KINDS: Mapping[str, tuple[str, bool]] = {
    "PersistentVolume": ("v1", False),
    "PersistentVolumeClaim": ("v1", True),
    "Pod": ("v1", True),
    "ServiceAccount": ("v1", True),
    "Node": ("v1", False),
    "StorageClass": ("storage.k8s.io/v1", False),
    "CSIDriver": ("storage.k8s.io/v1", False),
    "Deployment": ("apps/v1", True),
    "StatefulSet": ("apps/v1", True),
    "DaemonSet": ("apps/v1", True),
    "ReplicaSet": ("apps/v1", True),
    "Job": ("batch/v1", True),
    "CronJob": ("batch/v1", True),
}


@dataclass(frozen=True, slots=True)
class ObjectRef:
    kind: str
    name: str
    namespace: str | None = None

    @property
    def namespaced(self) -> bool:
        return KINDS[self.kind][1]

    def as_json(self) -> dict[str, str]:
        out = {"apiVersion": KINDS[self.kind][0], "kind": self.kind, "name": self.name}
        if self.namespace is not None:
            out["namespace"] = self.namespace
        return out


def object_ref(key: str | None) -> ObjectRef | None:
    """The Kubernetes object an object key names (``Kind/name`` for cluster-scoped kinds,
    ``Kind/namespace/name`` for namespaced ones, as ``rules.base.object_key`` writes them);
    None for anything else (an AWS id or ARN, a node name alone)."""
    if not key:
        return None
    parts = key.split("/")
    known = KINDS.get(parts[0])
    if known is None or any(not part for part in parts):
        return None
    if known[1] and len(parts) == 3:
        return ObjectRef(parts[0], parts[2], parts[1])
    if not known[1] and len(parts) == 2:
        return ObjectRef(parts[0], parts[1])
    return None


@dataclass(frozen=True, slots=True)
class Result:
    """One result of a report. ``namespace`` picks the report (None: the cluster report)."""

    policy: str
    rule: str
    result: ResultValue
    message: str
    category: str
    severity: str | None = None
    resources: tuple[ObjectRef, ...] = ()
    properties: Mapping[str, str] = field(default_factory=dict)

    @property
    def namespace(self) -> str | None:
        first = self.resources[0] if self.resources else None
        return first.namespace if first is not None and first.namespaced else None

    @property
    def sort_key(self) -> tuple[int, int, str, str, str]:
        severity = (
            SEVERITY_ORDER.index(self.severity)
            if self.severity in SEVERITY_ORDER
            else len(SEVERITY_ORDER)
        )
        first = self.resources[0] if self.resources else None
        where = f"{first.kind}/{first.name}" if first is not None else ""
        return (RESULT_VALUES.index(self.result), severity, self.policy, where, self.message)

    def as_json(self, timestamp: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": SOURCE,
            "policy": self.policy,
            "rule": self.rule,
            "category": self.category,
        }
        if self.severity is not None:
            out["severity"] = self.severity
        out.update(
            {
                "result": self.result,
                "scored": True,
                "timestamp": {"seconds": timestamp, "nanos": 0},
                "message": self.message,
            }
        )
        if self.resources:
            out["resources"] = [ref.as_json() for ref in self.resources]
        if self.properties:
            out["properties"] = {key: str(value) for key, value in self.properties.items()}
        return out


def report_name(namespace: str | None, prefix: str = SOURCE) -> str:
    """``<prefix>-cluster`` or ``<prefix>-<namespace>``; each command that writes reports has
    its own prefix, so scan's and diagnose's reports never replace each other."""
    return f"{prefix}-cluster" if namespace is None else f"{prefix}-{namespace}"


def _report(
    api: ReportApi, namespace: str | None, results: Sequence[Result], timestamp: int, prefix: str
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": report_name(namespace, prefix)}
    if namespace is not None:
        metadata["namespace"] = namespace
    metadata["labels"] = dict(LABELS)
    document: dict[str, Any] = {
        "apiVersion": api.api_version,
        "kind": api.kind if namespace is not None else api.cluster_kind,
        "metadata": metadata,
    }
    if api.report_source:
        document["source"] = SOURCE
    ordered = sorted(results, key=lambda r: r.sort_key)
    kept = ordered[:MAX_RESULTS]
    if len(ordered) > MAX_RESULTS and api.report_source:
        # Only OpenReports can say that results were left out (configuration.limits).
        document["configuration"] = {"limits": {"maxResults": MAX_RESULTS}}
    document["summary"] = {
        value: sum(r.result == value for r in ordered) for value in RESULT_VALUES
    }
    document["results"] = [r.as_json(timestamp) for r in kept]
    return document


def report_documents(
    results: Iterable[Result], api: ReportApi, *, timestamp: int, prefix: str = SOURCE
) -> list[dict[str, Any]]:
    """The cluster report first (always), then one report per namespace, by name."""
    by_namespace: dict[str | None, list[Result]] = {None: []}
    for result in results:
        by_namespace.setdefault(result.namespace, []).append(result)
    namespaces = sorted(n for n in by_namespace if n is not None)
    return [_report(api, n, by_namespace[n], timestamp, prefix) for n in (None, *namespaces)]


def render(
    results: Iterable[Result], format_name: str, *, timestamp: int, prefix: str = SOURCE
) -> str:
    """A YAML stream for ``kubectl apply -f -``."""
    import yaml

    documents = report_documents(
        results, REPORT_APIS[format_name], timestamp=timestamp, prefix=prefix
    )
    return yaml.safe_dump_all(
        documents, sort_keys=False, explicit_start=True, allow_unicode=True, width=100
    )
