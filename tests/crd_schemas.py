"""Validators for the CRD schemas kept in tests/data/crds (see the README there for their
sources and licence).

The API server prunes fields a structural schema does not declare instead of refusing them;
these validators refuse them (as ``kubeconform -strict`` does), so a misspelt field fails a
test instead of vanishing on ``kubectl apply``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

CRDS = Path(__file__).resolve().parent / "data" / "crds"


def strict(schema: Any) -> Any:
    """``schema`` with ``additionalProperties: false`` on every object that lists its
    properties and neither allows others nor preserves unknown fields."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@cache
def crd_validator(file_name: str, version: str) -> jsonschema.protocols.Validator:
    """A validator for one served version of the CRD in ``file_name``; the object's
    ``apiVersion`` and ``kind`` are pinned to the CRD's."""
    crd = yaml.safe_load((CRDS / file_name).read_text(encoding="utf-8"))
    spec = crd["spec"]
    [served] = [v for v in spec["versions"] if v["name"] == version and v["served"]]
    schema = strict(served["schema"]["openAPIV3Schema"])
    schema["properties"]["apiVersion"] = {"const": f"{spec['group']}/{version}"}
    schema["properties"]["kind"] = {"const": spec["names"]["kind"]}
    schema["required"] = sorted({*schema.get("required", ()), "apiVersion", "kind", "metadata"})
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def crd_errors(document: Any, file_name: str, version: str) -> list[str]:
    validator = crd_validator(file_name, version)
    return sorted(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    )
