"""Terraform's JSON output read into resources with their values, unknown masks, configuration
and positions; references in the configuration resolved to resources.

Format: "JSON Output Format", https://developer.hashicorp.com/terraform/internals/json-format
(``terraform show -json`` of a plan: ``format_version``, ``planned_values``,
``resource_changes[].change.{after, after_unknown}``, ``prior_state``, ``configuration``; of
state: ``values.root_module``). Facts this module relies on, checked against Terraform 1.11
output (tests/fixtures/iac/README.md):

* ``change.after`` holds a resource's planned values with ``null`` where a value is unknown,
  and ``change.after_unknown`` marks those places with ``true`` (same nesting);
* data sources read during planning are in ``prior_state`` only; those deferred to apply
  (their arguments depend on unknown values) are in ``resource_changes`` with action ``read``;
* ``configuration`` has no source positions; an expression is ``{"constant_value": ...}`` or
  ``{"references": [...]}`` (most specific first, e.g. ``aws_efs_file_system.this[0].id``,
  ``aws_efs_file_system.this[0]``, ``aws_efs_file_system.this``); nested blocks are lists of
  such mappings; ``dynamic`` blocks leave no expressions at all;
* a child module's configuration is under ``module_calls.<name>.module`` with its ``outputs``
  (``expression.references``) and the call's own ``expressions`` for its input variables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from efs_doctor.model.source import FieldPath

_INDEX = r'(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?'
_SEGMENT = re.compile(rf"([A-Za-z_][A-Za-z0-9_-]*)({_INDEX})")


@dataclass(frozen=True, slots=True)
class TfResource:
    address: str  # full instance address, e.g. module.efs.aws_efs_file_system.this[0]
    module: str  # module instance address, "" for the root module
    mode: str  # "managed" | "data"
    type: str
    name: str
    values: Mapping[str, Any]
    unknown: Any  # after_unknown mask (True, or nested like ``values``); False in state
    values_path: FieldPath  # where ``values`` sits in the JSON document
    entry_path: FieldPath  # where the resource's entry sits (its "address" key)
    config: Mapping[str, Any] | None  # the configuration entry (expressions), if any
    module_key: str  # "" or "efs" or "efs.inner": the module's path in the configuration
    actions: tuple[str, ...] = ()  # the plan's actions ("create", "update"...); () in state

    @property
    def base_address(self) -> str:
        """The address without the instance key: module.efs.aws_efs_file_system.this"""
        return re.sub(r"\[[^\]]*\]$", "", self.address)

    def is_unknown(self, path: FieldPath) -> bool:
        return is_unknown(self.unknown, path)

    def value(self, path: FieldPath) -> Any:
        """The known value at ``path`` (None when absent or unknown)."""
        node: Any = self.values
        for part in path:
            if isinstance(part, int):
                if not isinstance(node, list) or part >= len(node):
                    return None
                node = node[part]
            else:
                if not isinstance(node, Mapping):
                    return None
                node = node.get(part)
        return node

    def expression(self, path: FieldPath) -> Mapping[str, Any] | None:
        """The configuration expression governing ``path`` (the attribute or an enclosing
        one), or None when the configuration does not set it."""
        if self.config is None:
            return None
        node: Any = self.config.get("expressions")
        for part in path:
            if isinstance(node, Mapping) and ("references" in node or "constant_value" in node):
                return node
            if isinstance(part, int):
                if not isinstance(node, list) or part >= len(node):
                    return None
                node = node[part]
            else:
                if not isinstance(node, Mapping) or part not in node:
                    return None
                node = node[part]
        if isinstance(node, Mapping) and ("references" in node or "constant_value" in node):
            return node
        return None

    def configures(self, path: FieldPath) -> bool:
        """Whether the configuration sets ``path`` (so an unknown value there is the
        configuration's, not one the provider computes when it is left out). Without a
        configuration (state, or a dynamic block) the answer is yes: be cautious."""
        if self.config is None:
            return True
        node: Any = self.config.get("expressions")
        if node is None:
            return True
        for part in path:
            if isinstance(node, Mapping) and ("references" in node or "constant_value" in node):
                return True
            if isinstance(part, int):
                if not isinstance(node, list):
                    return True
                if part >= len(node):
                    return False
                node = node[part]
            else:
                if not isinstance(node, Mapping) or part not in node:
                    return False
                node = node[part]
        return True


def is_unknown(mask: Any, path: FieldPath) -> bool:
    node = mask
    for part in path:
        if node is True:
            return True
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False
            node = node[part]
        else:
            if not isinstance(node, Mapping):
                return False
            node = node.get(part, False)
    return node is True


@dataclass(frozen=True, slots=True)
class Reference:
    """A parsed configuration reference: the resource it names (relative to a module) and
    the attribute path after it."""

    kind: str  # "resource" | "data" | "module" | "var" | "other"
    target: str  # "aws_efs_file_system.this[0]", "module.efs", "var.x"
    attribute: tuple[str, ...]


def parse_reference(text: str) -> Reference:
    segments = []
    position = 0
    while position < len(text):
        match = _SEGMENT.match(text, position)
        if match is None:
            break
        segments.append((match.group(1), match.group(2)))
        position = match.end()
        if position < len(text) and text[position] == ".":
            position += 1
    if not segments:
        return Reference("other", text, ())
    head = segments[0][0]
    names = [name for name, _ in segments]
    if head == "data" and len(segments) >= 3:
        target = f"data.{names[1]}.{names[2]}{segments[2][1]}"
        return Reference("data", target, tuple(names[3:]))
    if head == "module" and len(segments) >= 2:
        target = f"module.{names[1]}{segments[1][1]}"
        return Reference("module", target, tuple(names[2:]))
    if head == "var" and len(segments) >= 2:
        return Reference("var", f"var.{names[1]}", tuple(names[2:]))
    if head in ("local", "each", "count", "path", "terraform", "self") or len(segments) < 2:
        return Reference("other", text, ())
    target = f"{names[0]}.{names[1]}{segments[1][1]}"
    return Reference("resource", target, tuple(names[2:]))


@dataclass(slots=True)
class TfDocument:
    """A plan or a state: resources by address, the configuration's module tree."""

    kind: str  # "plan" | "state"
    format_version: str
    terraform_version: str | None
    resources: list[TfResource] = field(default_factory=list)
    by_address: dict[str, TfResource] = field(default_factory=dict)
    module_calls: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # key -> call
    region: str | None = None
    account: str | None = None

    def add(self, resource: TfResource) -> None:
        if resource.address not in self.by_address:
            self.by_address[resource.address] = resource
            self.resources.append(resource)

    def module_sources(self) -> dict[str, str]:
        return {
            key: str(call.get("source"))
            for key, call in self.module_calls.items()
            if isinstance(call.get("source"), str)
        }

    def instances_of(self, base: str) -> list[TfResource]:
        """Instances of ``module...type.name`` (any count/for_each key)."""
        exact = self.by_address.get(base)
        if exact is not None:
            return [exact]
        return [r for r in self.resources if r.base_address == base]

    # ---- following references ------------------------------------------------------
    def resolve(
        self, scope: str, module_key: str, reference: str, depth: int = 0
    ) -> Iterator[tuple[TfResource, tuple[str, ...]]]:
        """Resources (with the attribute path) a reference made inside module instance
        ``scope`` (configuration key ``module_key``) leads to, through module outputs and
        input variables."""
        if depth > 12:
            return
        parsed = parse_reference(reference)
        prefix = f"{scope}." if scope else ""
        if parsed.kind in ("resource", "data"):
            if not parsed.attribute:
                return
            for resource in self._instances(prefix + parsed.target):
                yield resource, parsed.attribute
        elif parsed.kind == "module" and parsed.attribute:
            call_name = re.sub(r"\[.*\]$", "", parsed.target[len("module.") :])
            child_key = f"{module_key}.{call_name}" if module_key else call_name
            call = self.module_calls.get(child_key)
            module = call.get("module") if call is not None else None
            outputs = module.get("outputs") if isinstance(module, Mapping) else None
            output = outputs.get(parsed.attribute[0]) if isinstance(outputs, Mapping) else None
            expression = output.get("expression") if isinstance(output, Mapping) else None
            child_scope = prefix + parsed.target
            for inner in _references(expression):
                yield from self.resolve(child_scope, child_key, inner, depth + 1)
        elif parsed.kind == "var" and module_key:
            call = self.module_calls.get(module_key)
            expressions = call.get("expressions") if call is not None else None
            name = parsed.target[len("var.") :]
            expression = expressions.get(name) if isinstance(expressions, Mapping) else None
            parent_scope = re.sub(r"\.?module\.[^.]+$", "", scope)
            parent_key = module_key.rpartition(".")[0]
            for inner in _references(expression):
                yield from self.resolve(parent_scope, parent_key, inner, depth + 1)

    def _instances(self, address: str) -> list[TfResource]:
        if address in self.by_address:
            return [self.by_address[address]]
        if address.endswith("]"):
            return []
        return self.instances_of(address)

    def targets(
        self, resource: TfResource, path: FieldPath
    ) -> list[tuple[TfResource, tuple[str, ...]]]:
        """Distinct (resource, attribute) pairs the configuration at ``path`` refers to."""
        expression = resource.expression(path)
        found: dict[tuple[str, tuple[str, ...]], tuple[TfResource, tuple[str, ...]]] = {}
        for reference in _references(expression):
            for target, attribute in self.resolve(resource.module, resource.module_key, reference):
                found.setdefault((target.address, attribute), (target, attribute))
        return list(found.values())


def _references(expression: Any) -> list[str]:
    if not isinstance(expression, Mapping):
        return []
    references = expression.get("references")
    if not isinstance(references, list):
        return []
    return [r for r in references if isinstance(r, str)]


def module_key_of(module_address: str) -> str:
    """``module.a[0].module.b`` -> ``a.b`` (the configuration's module path)."""
    names = re.findall(r"module\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?", module_address)
    return ".".join(names)
