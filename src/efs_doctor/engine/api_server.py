"""Would the API server accept this object? The ``api`` layer, before anything runs.

Two stages, as the API server runs them:

1. **Decoding.** The object is decoded into its Go type; a field of the wrong JSON type stops
   it with one message, ``<Kind> in version "v1" cannot be handled as a <Kind>: json: cannot
   unmarshal bool into Go struct field StorageClass.parameters of type string`` (seen
   verbatim in https://github.com/kubernetes/website/pull/31219 and, for the EFS CSI
   driver chart's ``ensureUniqueDirectory: true``,
   https://github.com/kubernetes-sigs/aws-efs-csi-driver/pull/1220). Types come from the
   Kubernetes OpenAPI schema that kubernetes-validate ships, vendored in
   ``data/kubernetes_schema.json`` (``scripts/refresh_kubernetes_schema.py``). A quantity
   that does not parse stops it too (model/quantity.py).
2. **Validation.** Required fields and enum values, reported together as
   ``<Kind>[.<group>] "<name>" is invalid: <field>: Required value`` or ``...: Unsupported
   value: "x": supported values: "a", "b"`` (k8s.io/apimachinery pkg/util/validation/field;
   several errors as ``[e1, e2]``). Required fields are the schema's ``required`` lists; the
   enum values are not in the OpenAPI schema, so they come from the validation code
   (:data:`_ENUMS`).

The Go type named in a decoding message is derived from the schema: a named string type
(``v1.PersistentVolumeAccessMode``) reads as ``string``. Unknown fields (rejected only under
strict field validation) are not reported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from efs_doctor.model.quantity import QuantityError, parse_quantity

REFERENCE = (
    "https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go"
)
_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "kubernetes_schema.json"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
QUALIFIED_KINDS = {
    "PersistentVolume": "PersistentVolume",
    "PersistentVolumeClaim": "PersistentVolumeClaim",
    "StorageClass": "StorageClass.storage.k8s.io",
}
_ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
_VOLUME_MODES = ("Block", "Filesystem")
# (kind, path with "*" for every list item) -> (reported path, supported values, sorted as
# the validation code lists them). kubernetes/kubernetes pkg/apis/core/validation/
# validation.go (supportedAccessModes, supportedReclaimPolicy, supportedVolumeModes; the
# access mode error names the list, not the item) and pkg/apis/storage/validation/
# validation.go (supportedReclaimPolicy: Delete, Retain; supportedVolumeBindingModes).
_ENUMS: Mapping[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {
    ("PersistentVolume", ("spec", "accessModes", "*")): ("spec.accessModes", _ACCESS_MODES),
    ("PersistentVolume", ("spec", "volumeMode")): ("spec.volumeMode", _VOLUME_MODES),
    ("PersistentVolume", ("spec", "persistentVolumeReclaimPolicy")): (
        "spec.persistentVolumeReclaimPolicy",
        ("Delete", "Recycle", "Retain"),
    ),
    ("PersistentVolumeClaim", ("spec", "accessModes", "*")): ("spec.accessModes", _ACCESS_MODES),
    ("PersistentVolumeClaim", ("spec", "volumeMode")): ("spec.volumeMode", _VOLUME_MODES),
    ("StorageClass", ("reclaimPolicy",)): ("reclaimPolicy", ("Delete", "Retain")),
    ("StorageClass", ("volumeBindingMode",)): (
        "volumeBindingMode",
        ("Immediate", "WaitForFirstConsumer"),
    ),
}

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class FieldError:
    path: FieldPath  # where in the document (for the finding's location)
    text: str  # as the API server words it, with its field path


@dataclass(frozen=True, slots=True)
class Rejection:
    """The API server's answer to creating the object: ``message`` is what kubectl prints
    after ``Error from server``; ``errors`` are the field errors it is made of."""

    kind: str
    name: str
    message: str
    errors: tuple[FieldError, ...]

    @property
    def path(self) -> FieldPath:
        return self.errors[0].path if self.errors else ()


@cache
def _schema() -> Mapping[str, Any]:
    with _SCHEMA.open(encoding="utf-8") as handle:
        loaded: Mapping[str, Any] = json.load(handle)
    return loaded


def _definition(name: str) -> Mapping[str, Any]:
    found: Mapping[str, Any] = _schema()["$defs"][name]
    return found


def _ref_name(node: Mapping[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[1] if isinstance(ref, str) else None


def _json_type(value: object) -> str:
    """Go's name for the JSON value in ``cannot unmarshal <type>``."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _fits(value: object, types: Sequence[str]) -> bool:
    if value is None:
        return True  # null decodes to the zero value
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return "integer" in types or "number" in types
    if isinstance(value, float):
        return "number" in types or ("integer" in types and value.is_integer())
    if isinstance(value, str):
        return "string" in types
    if isinstance(value, list):
        return "array" in types
    return "object" in types


def _go_type(node: Mapping[str, Any]) -> str:
    name = _ref_name(node)
    if name is not None:
        return f"{name.rsplit('.', 2)[-2]}.{name.rsplit('.', 1)[-1]}"
    types = node.get("type")
    kinds = [types] if isinstance(types, str) else list(types or [])
    if "array" in kinds:
        return "[]" + _go_type(node.get("items", {}))
    if "object" in kinds:
        return "map[string]" + _go_type(node.get("additionalProperties", {}))
    if "boolean" in kinds:
        return "bool"
    if "integer" in kinds:
        return str(node.get("format", "int"))
    if "number" in kinds:
        return "float64"
    return "string"


class _Decoder:
    """The first decoding error, in document order (Go's decoder reports the first)."""

    def __init__(self) -> None:
        self.error: FieldError | None = None

    def walk(
        self,
        value: object,
        node: Mapping[str, Any],
        path: FieldPath,
        struct: str,
        field: str = "",
    ) -> None:
        """``field``: the Go field path the message names (map keys and list indexes are
        not part of it)."""
        if self.error is not None or value is None:
            return
        name = _ref_name(node)
        if name == _QUANTITY:
            try:
                parse_quantity(value)  # type: ignore[arg-type]
            except (QuantityError, TypeError) as error:
                self.error = FieldError(path, str(error) or "invalid quantity")
            return
        if name is not None:
            definition = _definition(name)
            if "properties" in definition:
                struct = name.rsplit(".", 1)[1]
            self.walk(value, definition, path, struct, field)
            return
        types = node.get("type")
        kinds = [types] if isinstance(types, str) else list(types or [])
        if "oneOf" in node:
            kinds = [
                t
                for branch in node["oneOf"]
                for t in (
                    [branch["type"]]
                    if isinstance(branch.get("type"), str)
                    else branch.get("type", [])
                )
            ]
        if kinds and not _fits(value, kinds):
            self.error = FieldError(
                path,
                f"json: cannot unmarshal {_json_type(value)} into Go struct field "
                f"{struct}.{field} of type {_go_type(node)}",
            )
            return
        if isinstance(value, dict):
            properties = node.get("properties", {})
            extra = node.get("additionalProperties")
            for key, item in value.items():
                if key in properties:
                    named = f"{field}.{key}" if field else key
                    self.walk(item, properties[key], (*path, key), struct, named)
                elif isinstance(extra, dict):
                    # a map value's error names the map field (json: ... StorageClass.parameters)
                    self.walk(item, extra, (*path, key), struct, field)
        elif isinstance(value, list) and isinstance(node.get("items"), dict):
            for index, item in enumerate(value):
                self.walk(item, node["items"], (*path, index), struct, field)


def _dotted(path: Sequence[str | int]) -> str:
    """``field.Path`` text: ``spec.accessModes[0]``, ``spec.csi.volumeHandle``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _empty(value: object) -> bool:
    return value is None or value in ("", [], {})


def _required(value: object, node: Mapping[str, Any], path: FieldPath) -> list[FieldError]:
    """Missing or empty required fields of the schema, depth first."""
    name = _ref_name(node)
    if name is not None:
        if name == _QUANTITY:
            return []
        return _required(value, _definition(name), path)
    found: list[FieldError] = []
    if isinstance(value, dict):
        for key in node.get("required", ()):
            if _empty(value.get(key)):
                found.append(FieldError((*path, key), f"{_dotted((*path, key))}: Required value"))
        for key, item in value.items():
            if key in node.get("properties", {}):
                found.extend(_required(item, node["properties"][key], (*path, key)))
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for index, item in enumerate(value):
            found.extend(_required(item, node["items"], (*path, index)))
    return found


def _kind_rules(kind: str, raw: Mapping[str, Any]) -> list[FieldError]:
    """The enum values the validation code accepts (:data:`_ENUMS`).

    Not checked: what validation.go requires beyond the schema (a PV's capacity and access
    modes, a claim's access modes and storage request): hand-written inputs, this project's
    own scenarios among them, often leave those out, and refusing them would stop every such
    mount at the api layer."""
    found: list[FieldError] = []
    for (enum_kind, pattern), (shown, supported) in _ENUMS.items():
        if enum_kind != kind:
            continue
        for path, value in _values_at(raw, pattern, ()):
            if isinstance(value, str) and value and value not in supported:
                listed = ", ".join(f'"{v}"' for v in supported)
                found.append(
                    FieldError(
                        path,
                        f'{shown}: Unsupported value: "{value}": supported values: {listed}',
                    )
                )
    return found


def _values_at(
    node: object, pattern: Sequence[str], path: FieldPath
) -> list[tuple[FieldPath, object]]:
    if not pattern:
        return [(path, node)]
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if not isinstance(node, list):
            return []
        return [hit for i, item in enumerate(node) for hit in _values_at(item, rest, (*path, i))]
    if not isinstance(node, dict) or head not in node:
        return []
    return _values_at(node[head], rest, (*path, head))


def check_object(kind: str, raw: Mapping[str, Any]) -> Rejection | None:
    """The API server's rejection of ``raw`` (a PersistentVolume, PersistentVolumeClaim or
    StorageClass), or None when it would accept it (or the kind is not one it checks)."""
    qualified = QUALIFIED_KINDS.get(kind)
    if qualified is None:
        return None
    metadata = raw.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    name = name if isinstance(name, str) else ""
    root = {"$ref": "#/$defs/" + _schema()["kinds"][kind]}
    decoder = _Decoder()
    decoder.walk(dict(raw), root, (), kind)
    if decoder.error is not None:
        api_version = raw.get("apiVersion")
        version = api_version.rsplit("/", 1)[-1] if isinstance(api_version, str) else "v1"
        message = (
            f'{kind} in version "{version}" cannot be handled as a {kind}: {decoder.error.text}'
        )
        return Rejection(kind, name, message, (decoder.error,))
    errors = [*_required(dict(raw), root, ()), *_kind_rules(kind, raw)]
    if not errors:
        return None
    texts = [e.text for e in errors]
    listed = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    return Rejection(kind, name, f'{qualified} "{name}" is invalid: {listed}', tuple(errors))
