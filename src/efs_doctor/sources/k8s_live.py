"""Read-only collection from the Kubernetes API (lightkube): lists only, never a write.

Configuration is the user's own: ``--kubeconfig`` or ``KUBECONFIG`` (several files joined
with ``:`` are merged as kubectl does: the first definition of a name wins) or
``~/.kube/config``, with ``--context`` or the current context; inside a pod with none of
these, the in-cluster service account. Each resource type is one paginated ``list`` over all
namespaces (``limit``/``continue``), all types in parallel. A 403 becomes an
:class:`Inconclusive` naming the RBAC rule that is missing, and the other lists go on.

Objects are cleaned (``live_clean``) and kept as Kubernetes ``List`` documents, the shape of
``kubectl get -o json``, so ``efs-doctor snapshot`` can write them as they are.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from efs_doctor.sources.aws_calls import brief
from efs_doctor.sources.live_clean import (
    DRIVER_IMAGE,
    clean_kubernetes_object,
)
from efs_doctor.sources.live_progress import Progress, Step
from efs_doctor.sources.live_records import Collection, Inconclusive

CHUNK = 500  # items per page, as kubectl asks
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"  # in-cluster credentials
EFS_DRIVER = "efs.csi.aws.com"


@dataclass(frozen=True, slots=True)
class KubeList:
    """One list request: the resource, an optional field selector, and what to keep."""

    plural: str
    group: str  # "" is the core group
    namespaced: bool
    kind: str
    field_selector: tuple[tuple[str, str], ...] = ()
    keep: str = "all"  # "all" | "driver" | "pods" | "service-accounts"

    @property
    def file(self) -> str:
        suffix = "".join(f"-{v.lower()}" for _, v in self.field_selector)
        return f"kubernetes/{self.plural}{suffix}.json"

    @property
    def label(self) -> str:
        selector = ",".join(f"{k}={v}" for k, v in self.field_selector)
        return f"list {self.plural}" + (f" --field-selector {selector}" if selector else "")

    @property
    def rbac(self) -> str:
        scope = "all namespaces" if self.namespaced else "cluster-scoped"
        return f'list {self.plural} (apiGroup "{self.group}", {scope})'


# Every Kubernetes request live mode makes. The ClusterRole in data/permissions is checked
# against this tuple by a test.
LISTS: tuple[KubeList, ...] = (
    KubeList("persistentvolumes", "", False, "PersistentVolume"),
    KubeList("persistentvolumeclaims", "", True, "PersistentVolumeClaim"),
    KubeList("storageclasses", "storage.k8s.io", False, "StorageClass"),
    KubeList("pods", "", True, "Pod", keep="pods"),
    KubeList("nodes", "", False, "Node"),
    KubeList("serviceaccounts", "", True, "ServiceAccount", keep="service-accounts"),
    KubeList("events", "", True, "Event", (("reason", "FailedMount"),)),
    KubeList("events", "", True, "Event", (("reason", "ProvisioningFailed"),)),
    KubeList("csidrivers", "storage.k8s.io", False, "CSIDriver"),
    KubeList("daemonsets", "apps", True, "DaemonSet", keep="driver"),
    KubeList("deployments", "apps", True, "Deployment", keep="driver"),
)


@dataclass(frozen=True, slots=True)
class KubeOptions:
    kubeconfig: str | None = None
    context: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True, slots=True)
class KubeHints:
    """What the kubeconfig tells about the AWS side (an EKS context names its cluster)."""

    context: str | None = None
    cluster_name: str | None = None
    region: str | None = None
    namespace: str = "default"  # the context's namespace, for names given without one


class KubeConfigProblem(Exception):
    """No usable Kubernetes configuration; the message says why (never a credential)."""


# ---- configuration -------------------------------------------------------------------------


def _read_yaml(path: Path) -> Mapping[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise KubeConfigProblem(f"cannot read kubeconfig {path}: {type(error).__name__}") from None
    if not isinstance(data, Mapping):
        raise KubeConfigProblem(f"kubeconfig {path} is not a mapping")
    return data


def _merge(paths: list[Path]) -> dict[str, Any]:
    merged: dict[str, Any] = {"clusters": [], "contexts": [], "users": []}
    for path in paths:
        data = _read_yaml(path)
        if not merged.get("current-context") and data.get("current-context"):
            merged["current-context"] = data["current-context"]
        for key in ("clusters", "contexts", "users"):
            seen = {entry.get("name") for entry in merged[key]}
            for entry in data.get(key) or ():
                if isinstance(entry, Mapping) and entry.get("name") not in seen:
                    merged[key].append(dict(entry))
    return merged


def _kubeconfig_paths(option: str | None) -> list[Path]:
    if option:
        return [Path(option).expanduser()]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [Path("~/.kube/config").expanduser()]


def load_config(options: KubeOptions) -> tuple[Any, KubeHints]:
    """A lightkube ``SingleConfig`` for the chosen context, and the AWS hints it carries."""
    from lightkube import KubeConfig
    from lightkube.core.exceptions import ConfigError

    paths = [p for p in _kubeconfig_paths(options.kubeconfig) if p.is_file()]
    try:
        if paths:
            merged = _merge(paths)
            config = KubeConfig.from_dict(merged, fname=paths[0]).get(options.context)
            if config is None:
                raise KubeConfigProblem("kubeconfig has no current context; pass --context")
            hints = _hints(merged, config.context_name)
            return config, dataclasses.replace(hints, namespace=config.namespace)
        if os.environ.get("KUBERNETES_SERVICE_HOST") and not options.context:
            in_cluster = KubeConfig.from_service_account(SERVICE_ACCOUNT_DIR).get()
            namespace = in_cluster.namespace if in_cluster is not None else "default"
            return in_cluster, KubeHints(context="in-cluster", namespace=namespace)
    except (ConfigError, KeyError, TypeError, ValueError) as error:
        raise KubeConfigProblem(f"kubeconfig: {error}") from None
    where = options.kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    raise KubeConfigProblem(f"no kubeconfig found ({where}) and not running in a cluster")


def _hints(merged: Mapping[str, Any], context_name: str) -> KubeHints:
    contexts = {c.get("name"): c.get("context") or {} for c in merged["contexts"]}
    users = {u.get("name"): u.get("user") or {} for u in merged["users"]}
    context = contexts.get(context_name) or {}
    cluster_name = region = None
    cluster_ref = str(context.get("cluster") or "")
    if cluster_ref.startswith("arn:") and ":eks:" in cluster_ref and "/" in cluster_ref:
        region = cluster_ref.split(":")[3] or None
        cluster_name = cluster_ref.rsplit("/", 1)[-1]
    exec_config = (users.get(context.get("user")) or {}).get("exec") or {}
    args = [str(a) for a in exec_config.get("args") or ()]
    for flag, value in itertools.pairwise(args):
        if flag in ("--cluster-name", "-i", "--cluster-id") and not cluster_name:
            cluster_name = value
        elif flag == "--region" and not region:
            region = value
    return KubeHints(context=context_name, cluster_name=cluster_name, region=region)


# ---- collection --------------------------------------------------------------------------


def _resource_class(item: KubeList) -> Any:
    """A lightkube generic resource for the list: the server's JSON is kept as it is (no
    typed model to reject an object the server sent), and nothing is registered globally."""
    from lightkube.generic_resource import (
        GenericGlobalResource,
        GenericNamespacedResource,
        create_api_info,
    )

    base = GenericNamespacedResource if item.namespaced else GenericGlobalResource
    info = create_api_info(item.group, "v1", item.kind, item.plural, verbs=["list", "global_list"])
    return type(item.kind, (base,), {"_api_info": info})


def _denial(item: KubeList, error: Any) -> Inconclusive:
    status = getattr(error, "status", None)
    code = getattr(status, "code", None)
    message = brief(str(getattr(status, "message", None) or error))  # the server's words
    what = f"kubernetes {item.label}"
    if code == 403:
        return Inconclusive(what, f"forbidden: {message}", item.rbac)
    if code == 401:
        return Inconclusive(what, "the cluster rejected the credentials (401 Unauthorized)")
    if code == 404:
        return Inconclusive(what, f"not served by this cluster: {message}")
    return Inconclusive(what, f"API error {code}: {message}")


Listed = tuple[list[dict[str, Any]], str | None]


def _list(client: Any, item: KubeList, collection: Collection) -> Listed | None:
    """All items of one list (every page) and its resourceVersion, or None with an
    Inconclusive recorded."""
    import httpx2
    from lightkube.core.exceptions import ApiError

    resource = _resource_class(item)
    kwargs: dict[str, Any] = {"chunk_size": CHUNK}
    if item.field_selector:
        kwargs["fields"] = dict(item.field_selector)
    if item.namespaced:
        kwargs["namespace"] = "*"
    try:
        for attempt in (1, 2):
            try:
                listing = client.list(resource, **kwargs)
                items = [obj.to_dict() for obj in listing]
                break
            except ApiError as error:
                # 410 Gone: the continue token expired between pages (the list changed for
                # longer than the apiserver keeps it); the list starts over once.
                if attempt == 2 or getattr(error.status, "code", None) != 410:
                    raise
        collection.calls.add("kubernetes", item.label)
        version = getattr(listing, "_resourceVersion", None)
        return _with_kind(items, item), str(version) if version else None
    except ApiError as error:
        collection.calls.add("kubernetes", item.label)
        collection.add_inconclusive(_denial(item, error))
    except httpx2.HTTPError as error:
        collection.add_inconclusive(
            Inconclusive(
                f"kubernetes {item.label}", f"cannot reach the API server: {brief(str(error))}"
            )
        )
    except Exception as error:  # an undecodable answer must not end the run
        collection.add_inconclusive(
            Inconclusive(f"kubernetes {item.label}", f"{type(error).__name__}: {brief(str(error))}")
        )
    return None


def _with_kind(items: list[dict[str, Any]], item: KubeList) -> list[dict[str, Any]]:
    """Items as kubectl shows them: with ``apiVersion`` and ``kind``, which the apiserver
    leaves out of the items of a typed list."""
    api_version = f"{item.group}/v1" if item.group else "v1"
    return [{"apiVersion": api_version, "kind": item.kind, **obj} for obj in items]


def _uses_volumes(pod: Mapping[str, Any]) -> bool:
    spec = pod.get("spec") or {}
    for volume in spec.get("volumes") or ():
        if not isinstance(volume, Mapping):
            continue
        if "persistentVolumeClaim" in volume or "ephemeral" in volume:
            return True
        csi = volume.get("csi")
        if isinstance(csi, Mapping) and csi.get("driver") == EFS_DRIVER:
            return True
    return False


def _is_driver(obj: Mapping[str, Any]) -> bool:
    return DRIVER_IMAGE in repr(obj.get("spec"))


def _keep(
    kind: str, items: list[dict[str, Any]], driver_accounts: set[str]
) -> list[dict[str, Any]]:
    if kind == "driver":
        return [o for o in items if _is_driver(o)]
    if kind == "pods":
        return [o for o in items if _uses_volumes(o) or _is_driver(o)]
    if kind == "service-accounts":
        return [
            o
            for o in items
            if str((o.get("metadata") or {}).get("name", "")).startswith("efs-csi-")
            or _key(o) in driver_accounts
        ]
    return items


def _key(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return f"{meta.get('namespace') or 'default'}/{meta.get('name')}"


def _driver_accounts(results: Mapping[KubeList, Listed | None]) -> set[str]:
    accounts = set()
    for item, listed in results.items():
        if item.keep != "driver" or not listed:
            continue
        for obj in listed[0]:
            if _is_driver(obj):
                template = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
                namespace = (obj.get("metadata") or {}).get("namespace") or "default"
                name = template.get("serviceAccountName") or "default"
                accounts.add(f"{namespace}/{name}")
    return accounts


def _document(item: KubeList, items: list[dict[str, Any]], version: str | None) -> dict[str, Any]:
    metadata = {"resourceVersion": version} if version else {}
    return {
        "apiVersion": f"{item.group}/v1" if item.group else "v1",
        "kind": f"{item.kind}List",
        "metadata": metadata,
        "items": items,
    }


def _run_lists(
    client: Any, lists: tuple[KubeList, ...], collection: Collection, progress: Progress | None
) -> Iterator[tuple[KubeList, Listed | None]]:
    def one(item: KubeList) -> tuple[KubeList, Listed | None]:
        with Step(progress, f"kubernetes {item.label}"):
            return item, _list(client, item, collection)

    with ThreadPoolExecutor(max_workers=min(8, len(lists))) as pool:
        yield from pool.map(one, lists)


def configure(options: KubeOptions, collection: Collection) -> tuple[Any, KubeHints] | None:
    """The configuration to use, or None with an Inconclusive saying why there is none."""
    try:
        config, hints = load_config(options)
    except KubeConfigProblem as problem:
        collection.add_inconclusive(Inconclusive("kubernetes", str(problem)))
        return None
    if hints.context:
        collection.context["kube_context"] = hints.context
        collection.context["namespace"] = hints.namespace
    return config, hints


def collect_lists(
    config: Any,
    options: KubeOptions,
    collection: Collection,
    progress: Progress | None = None,
) -> None:
    """List every resource in :data:`LISTS` into ``collection`` (in parallel)."""
    try:
        client = _client(config, options.timeout)
    except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
        # a client certificate or key (or CA) in the kubeconfig that cannot be loaded; the
        # message is the TLS library's, never the data
        collection.add_inconclusive(
            Inconclusive(
                "kubernetes",
                "cannot use the kubeconfig's certificates (client certificate, key or "
                f"certificate authority): {type(error).__name__}: {brief(str(error))}",
            )
        )
        return
    try:
        results = dict(_run_lists(client, LISTS, collection, progress))
    finally:
        client.close()
    driver_accounts = _driver_accounts(results)
    for item in LISTS:
        listed = results.get(item)
        if listed is None:
            continue
        items, version = listed
        kept = [clean_kubernetes_object(o) for o in _keep(item.keep, items, driver_accounts)]
        collection.add_document(item.file, _document(item, kept, version))


def collect_kubernetes(
    options: KubeOptions, collection: Collection, progress: Progress | None = None
) -> KubeHints:
    """Configure, then list; returns what the kubeconfig says about the AWS side."""
    configured = configure(options, collection)
    if configured is None:
        return KubeHints()
    config, hints = configured
    collect_lists(config, options, collection, progress)
    return hints


def _client(config: Any, timeout: float) -> Any:
    import httpx2
    from lightkube import Client

    return Client(
        config=config,
        timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)),
        lazy=True,
    )
