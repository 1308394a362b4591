"""Evaluate a ValidatingAdmissionPolicy's spec on one object with cel-python, the way the API
server does (https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/):
the resource rules, then every match condition, then the variables in order, then each
validation, with the messageExpression of those that fail."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import celpy
from celpy import celtypes

# The resource each kind these policies match is, and its API group.
RESOURCES = {
    "PersistentVolume": ("", "persistentvolumes"),
    "StorageClass": ("storage.k8s.io", "storageclasses"),
}
_ENVIRONMENT = celpy.Environment()


@cache
def _program(expression: str) -> Any:
    return _ENVIRONMENT.program(_ENVIRONMENT.compile(expression))


def _run(expression: str, obj: Any, variables: Mapping[str, Any]) -> Any:
    activation = {
        "object": obj,
        "variables": celtypes.MapType({celtypes.StringType(k): v for k, v in variables.items()}),
    }
    return _program(expression).evaluate(activation)


def _matches(spec: Mapping[str, Any], obj: Mapping[str, Any], operation: str) -> bool:
    group, resource = RESOURCES[obj["kind"]]
    version = obj["apiVersion"].rpartition("/")[2]
    return any(
        group in rule["apiGroups"]
        and resource in rule["resources"]
        and version in rule["apiVersions"]
        and operation in rule["operations"]
        for rule in spec["matchConstraints"]["resourceRules"]
    )


def variables_of(spec: Mapping[str, Any], obj: Mapping[str, Any]) -> dict[str, Any]:
    """Every variable's value (CEL values; ``bool()``/``str()`` read them)."""
    cel_object = celpy.json_to_cel(obj)
    values: dict[str, Any] = {}
    for variable in spec.get("variables", ()):
        values[variable["name"]] = _run(variable["expression"], cel_object, values)
    return values


def evaluate(
    spec: Mapping[str, Any], obj: Mapping[str, Any], operation: str = "CREATE"
) -> list[str] | None:
    """None when the policy does not apply to ``obj``; else the messages of the validations
    it fails (empty: admitted)."""
    if not _matches(spec, obj, operation):
        return None
    cel_object = celpy.json_to_cel(obj)
    for condition in spec.get("matchConditions", ()):
        if not bool(_run(condition["expression"], cel_object, {})):
            return None
    values = variables_of(spec, obj)
    failed = []
    for validation in spec["validations"]:
        if not bool(_run(validation["expression"], cel_object, values)):
            failed.append(str(_run(validation["messageExpression"], cel_object, values)))
    return failed
