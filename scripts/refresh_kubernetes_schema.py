"""Refresh src/efs_doctor/data/kubernetes_schema.json from the kubernetes-validate package.

The schema is the OpenAPI of the Kubernetes objects efs-doctor reads (PersistentVolume,
PersistentVolumeClaim, StorageClass), as kubernetes-validate ships it
(https://pypi.org/project/kubernetes-validate/, Apache-2.0, generated from the Kubernetes
OpenAPI), cut down to the definitions those kinds reach, without descriptions. Run it in an
environment that has the package::

    python -m venv /tmp/kv && /tmp/kv/bin/pip install kubernetes-validate==1.37.0
    /tmp/kv/bin/python scripts/refresh_kubernetes_schema.py 1.37.0
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parents[1] / "src" / "efs_doctor" / "data" / "kubernetes_schema.json"
KINDS = {
    "PersistentVolume": "io.k8s.api.core.v1.PersistentVolume",
    "PersistentVolumeClaim": "io.k8s.api.core.v1.PersistentVolumeClaim",
    "StorageClass": "io.k8s.api.storage.v1.StorageClass",
}
DROP = ("description",)


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in DROP and not k.startswith("x-")}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def main(version: str) -> None:
    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    definitions = json.loads((root / f"v{version}-local" / "_definitions.json").read_text())
    defs: dict[str, Any] = definitions["$defs"]
    kept: dict[str, Any] = {}
    todo = list(KINDS.values())
    while todo:
        name = todo.pop()
        if name in kept:
            continue
        kept[name] = _strip(defs[name])
        todo.extend(_refs(kept[name]))
    document = {
        "source": f"kubernetes-validate, kubernetes-json-schema/v{version}-local/_definitions.json "
        "(Apache-2.0), https://pypi.org/project/kubernetes-validate/",
        "kubernetes_version": version,
        "kinds": KINDS,
        "$defs": dict(sorted(kept.items())),
    }
    OUT.write_text(json.dumps(document, sort_keys=False, separators=(",", ":")) + "\n")
    print(f"wrote {len(kept)} definitions, {OUT.stat().st_size} bytes, to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "1.37.0")
