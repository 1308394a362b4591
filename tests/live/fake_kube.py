"""A small fake Kubernetes API server on 127.0.0.1 (stdlib only) for live-mode tests.

It serves real-shaped JSON: typed lists with ``metadata.resourceVersion``, ``limit`` and
``continue`` paging, field and label selectors (equality only), namespaced paths, and the
``Status`` objects the apiserver returns for 403/404/410. Every request is recorded so tests
can assert what the client asked for (method, path, query) and that it never wrote.

Design after ../shared/docs/dependencies.md §2.3; written for this project.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# (group, version, plural) -> (kind, namespaced)
RESOURCES: dict[tuple[str, str, str], tuple[str, bool]] = {
    ("", "v1", "persistentvolumes"): ("PersistentVolume", False),
    ("", "v1", "persistentvolumeclaims"): ("PersistentVolumeClaim", True),
    ("", "v1", "pods"): ("Pod", True),
    ("", "v1", "events"): ("Event", True),
    ("", "v1", "serviceaccounts"): ("ServiceAccount", True),
    ("", "v1", "nodes"): ("Node", False),
    ("", "v1", "namespaces"): ("Namespace", False),
    ("", "v1", "secrets"): ("Secret", True),
    ("storage.k8s.io", "v1", "storageclasses"): ("StorageClass", False),
    ("storage.k8s.io", "v1", "csidrivers"): ("CSIDriver", False),
    ("apps", "v1", "daemonsets"): ("DaemonSet", True),
    ("apps", "v1", "deployments"): ("Deployment", True),
}
KIND_TO_KEY = {kind: key for key, (kind, _) in RESOURCES.items()}
API_VERSION = {kind: (f"{g}/{v}" if g else v) for (g, v, _), (kind, _) in RESOURCES.items()}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, str]
    authorization: str | None


@dataclass
class FakeKube:
    """``with FakeKube(objects) as kube: kube.kubeconfig(path)``."""

    objects: Iterable[Mapping[str, Any]] = ()
    token: str = "fake-token"
    forbidden: set[str] = field(default_factory=set)  # plurals answered with 403
    expire_once: set[str] = field(default_factory=set)  # plurals whose first continue is 410
    requests: list[Request] = field(default_factory=list)
    resource_version: int = 4242

    def __post_init__(self) -> None:
        self.store: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for obj in self.objects:
            self.add(obj)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def add(self, obj: Mapping[str, Any]) -> None:
        item = json.loads(json.dumps(obj))
        kind = item["kind"]
        item.setdefault("apiVersion", API_VERSION[kind])
        meta = item.setdefault("metadata", {})
        meta.setdefault("uid", f"uid-{kind.lower()}-{meta.get('namespace', '')}-{meta['name']}")
        meta.setdefault("resourceVersion", str(self.resource_version))
        meta.setdefault("creationTimestamp", "2026-01-01T00:00:00Z")
        self.store.setdefault(KIND_TO_KEY[kind], []).append(item)

    def __enter__(self) -> FakeKube:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def kubeconfig(
        self, path: Path, *, context: str = "fake", extra_user: Mapping[str, Any] | None = None
    ) -> Path:
        """Write a kubeconfig whose current context points at this server."""
        user: dict[str, Any] = {"token": self.token, **(extra_user or {})}
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": context,
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": user}],
            "contexts": [
                {
                    "name": context,
                    "context": {"cluster": context, "user": context, "namespace": "default"},
                }
            ],
        }
        path.write_text(json.dumps(config, indent=1))
        return path

    # ---- routing ---------------------------------------------------------------------
    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def route(
        self, method: str, path: str, query: Mapping[str, str], auth: str | None
    ) -> tuple[int, Any]:
        if auth != f"Bearer {self.token}":
            return _status(401, "Unauthorized", "Unauthorized")
        if method != "GET":
            return _status(405, "MethodNotAllowed", f"{method} is not allowed by the fake")
        parts = [p for p in path.split("/") if p]
        if path.rstrip("/") == "/version":
            return 200, {"major": "1", "minor": "31", "gitVersion": "v1.31.0-fake"}
        if parts[:1] == ["api"] and len(parts) >= 3:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return _status(404, "NotFound", "the server could not find the requested resource")
        namespace = None
        if rest[:1] == ["namespaces"] and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        key = (group, version, rest[0])
        if key not in RESOURCES:
            return _status(404, "NotFound", "the server could not find the requested resource")
        kind, _namespaced = RESOURCES[key]
        if rest[0] in self.forbidden:
            scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
            return _status(
                403,
                "Forbidden",
                f'{rest[0]} is forbidden: User "system:serviceaccount:test:reader" cannot list '
                f'resource "{rest[0]}" in API group "{group}" {scope}',
                {"kind": rest[0], "group": group},
            )
        items = [
            o
            for o in self.store.get(key, [])
            if namespace is None or o["metadata"].get("namespace") == namespace
        ]
        if len(rest) == 2:
            return _status(405, "MethodNotAllowed", "the fake answers lists only")
        items = [
            o
            for o in items
            if _matches(o, query.get("fieldSelector"), labels=False)
            and _matches(o, query.get("labelSelector"), labels=True)
        ]
        return self._page(kind, group, version, items, query)

    def _page(
        self,
        kind: str,
        group: str,
        version: str,
        items: list[dict[str, Any]],
        query: Mapping[str, str],
    ) -> tuple[int, Any]:
        start = 0
        token = query.get("continue")
        plural = f"{kind.lower()}s"
        if token and plural in self.expire_once:
            self.expire_once.discard(plural)
            return _status(410, "Expired", "The provided continue parameter is too old")
        if token:
            try:
                decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
                start = int(decoded["start"])
                if decoded["rv"] != self.resource_version:
                    raise ValueError("stale")
            except (ValueError, KeyError, TypeError):
                return _status(410, "Expired", "The provided continue parameter is too old")
        limit = int(query["limit"]) if query.get("limit", "").isdigit() else 0
        end = start + limit if limit > 0 else len(items)
        metadata: dict[str, Any] = {"resourceVersion": str(self.resource_version)}
        if end < len(items):
            payload = json.dumps({"rv": self.resource_version, "start": end}).encode()
            metadata["continue"] = base64.urlsafe_b64encode(payload).decode()
            metadata["remainingItemCount"] = len(items) - end
        # A real apiserver omits kind/apiVersion on the items of a typed list.
        page = [
            {k: v for k, v in o.items() if k not in ("kind", "apiVersion")}
            for o in items[start:end]
        ]
        return 200, {
            "kind": f"{kind}List",
            "apiVersion": f"{group}/{version}" if group else version,
            "metadata": metadata,
            "items": page,
        }


def _status(
    code: int, reason: str, message: str, details: Mapping[str, Any] | None = None
) -> tuple[int, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = dict(details)
    return code, body


def _field(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(part)
    return obj


def _matches(obj: Mapping[str, Any], selector: str | None, *, labels: bool) -> bool:
    if not selector:
        return True
    for term in selector.split(","):
        negate = "!=" in term
        key, value = term.split("!=" if negate else ("==" if "==" in term else "="), 1)
        actual = (
            (obj.get("metadata", {}).get("labels") or {}).get(key) if labels else _field(obj, key)
        )
        if (("" if actual is None else str(actual)) == value) == negate:
            return False
    return True


def _handler(fake: FakeKube) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, method: str) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            auth = self.headers.get("Authorization")
            fake.record(Request(method, url.path, query, auth))
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            code, body = fake.route(method, url.path, query, auth)
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def do_PUT(self) -> None:
            self._answer("PUT")

        def do_PATCH(self) -> None:
            self._answer("PATCH")

        def do_DELETE(self) -> None:
            self._answer("DELETE")

    return Handler
