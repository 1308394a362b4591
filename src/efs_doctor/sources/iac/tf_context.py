"""Per-plan services for the Terraform mappers: positions (``.tf`` line when the configuration
is beside the plan, else the plan's own line), problems naming the resource address, ids of
resources not created yet, and linking values known only after apply through the plan's
configuration references.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from efs_doctor.model.problems import ProblemLevel
from efs_doctor.model.source import FieldPath, Location, SourceMap
from efs_doctor.sources.iac.common import (
    Fields,
    InventoryBuilder,
    access_point_arn,
    file_system_arn,
    mapped_source,
    placeholder_id,
    role_arn,
)
from efs_doctor.sources.iac.hcl import Block, TerraformSources
from efs_doctor.sources.iac.policy_document import (
    UNKNOWN,
    NotRenderable,
    render_policy_document,
)
from efs_doctor.sources.iac.source_map import IacSourceMap
from efs_doctor.sources.iac.tf_plan import TfDocument, TfResource

ID_PREFIXES = {
    "aws_efs_file_system": "fs",
    "aws_efs_access_point": "fsap",
    "aws_efs_mount_target": "fsmt",
    "aws_security_group": "sg",
    "aws_subnet": "subnet",
    "aws_vpc": "vpc",
    "aws_security_group_rule": "sgr",
    "aws_vpc_security_group_ingress_rule": "sgr",
    "aws_vpc_security_group_egress_rule": "sgr",
}

_BARE_REFERENCE = re.compile(r'^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[(?:\d+|"[^"]*")\])+$')
_TEMPLATE_PART = re.compile(r"\$\{\s*([^{}]+?)\s*\}")
_ARN_REFERENCE = re.compile(
    r"\b(?:aws_efs_file_system|aws_efs_access_point)\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.arn\b"
)


def path_text(path: FieldPath) -> str:
    """``("spec", 0, "mount_options")`` -> ``spec[0].mount_options``, as Terraform writes it."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Unlinked(Exception):
    """A value known only after apply that the configuration does not let us link."""


@dataclass(frozen=True, slots=True)
class Linked:
    value: Any
    confirmed: bool  # the .tf expression was read, not only the plan's reference list


@dataclass(slots=True)
class TfContext:
    document: TfDocument
    source: SourceMap  # the whole JSON document's positions
    builder: InventoryBuilder
    tf_sources: TerraformSources | None
    _blocks: dict[str, Block | None] = field(default_factory=dict)
    _rendering: set[str] = field(default_factory=set)
    _rendered: dict[str, str | None] = field(default_factory=dict)

    # ---- positions -----------------------------------------------------------------
    def block(self, resource: TfResource) -> Block | None:
        if self.tf_sources is None:
            return None
        if resource.address not in self._blocks:
            directory = self.tf_sources.module_dir(
                resource.module_key, self.document.module_sources()
            )
            self._blocks[resource.address] = (
                self.tf_sources.block(directory, resource.mode, resource.type, resource.name)
                if directory is not None
                else None
            )
        return self._blocks[resource.address]

    def _json_position(self, path: FieldPath) -> tuple[int, int] | None:
        marks = self.source.marks
        current = tuple(path)
        while current:
            found = marks.get(current)
            if found is not None:
                return found
            current = current[:-1]
        return None

    def source_for(self, resource: TfResource, fields: Fields | None = None) -> IacSourceMap:
        """Positions of a model object made from ``resource``: ``fields`` maps the model's
        field paths to Terraform attribute paths of the resource."""
        fields = fields or {}
        block = self.block(resource)
        if block is not None:
            return mapped_source(block.path, block.position, resource.address, fields, block.locate)
        base = resource.values_path

        def position(path: FieldPath) -> tuple[int, int] | None:
            return self._json_position((*base, *path))

        origin = self._json_position(resource.entry_path)
        return mapped_source(self.source.path, origin, resource.address, fields, position)

    def location(self, resource: TfResource, path: FieldPath = ()) -> Location:
        return self.source_for(resource, {("at",): path}).location("at")

    def problem(
        self,
        resource: TfResource,
        message: str,
        level: ProblemLevel = ProblemLevel.WARNING,
        path: FieldPath = (),
    ) -> None:
        self.builder.problem(self.location(resource, path), f"{resource.address}: {message}", level)

    # ---- ids and attributes of resources ---------------------------------------------
    def id_of(self, resource: TfResource) -> str:
        known = resource.values.get("id")
        if isinstance(known, str) and known and not resource.is_unknown(("id",)):
            return known
        prefix = ID_PREFIXES.get(resource.type, "res")
        return placeholder_id(prefix, resource.address)

    def attribute(self, target: TfResource, attribute: tuple[str, ...]) -> Any:
        """The value of ``target.attribute`` as the referring resource will see it: known, a
        stand-in for an id/ARN not assigned yet, or None."""
        if not attribute:
            return None
        name = attribute[0]
        known = target.value(attribute)
        if known is not None and not target.is_unknown(attribute):
            return known
        if len(attribute) != 1:
            return None
        region, account = self.document.region, self.document.account
        kind = target.type
        if name == "id" and kind in ID_PREFIXES:
            return self.id_of(target)
        if name == "arn" and kind == "aws_efs_file_system":
            return file_system_arn(self.id_of(target), region, account)
        if name == "arn" and kind == "aws_efs_access_point":
            return access_point_arn(self.id_of(target), region, account)
        if name in ("arn", "name", "id") and kind == "aws_iam_role":
            return self._role_attribute(target, name)
        if name == "arn" and kind == "aws_iam_policy":
            policy_name = target.value(("name",))
            if isinstance(policy_name, str):
                path = target.value(("path",)) or "/"
                return f"arn:aws:iam::{account or ''}:policy{path}{policy_name}"
            return None
        if name in ("json", "minified_json") and kind == "aws_iam_policy_document":
            return self.render_policy(target)
        if name == "file_system_id" and kind in ("aws_efs_mount_target", "aws_efs_access_point"):
            try:
                return self.get(target, ("file_system_id",))
            except Unlinked:
                return None
        return None

    def _role_attribute(self, role: TfResource, name: str) -> str | None:
        role_name = role.value(("name",))
        if not isinstance(role_name, str) or role.is_unknown(("name",)):
            return None
        if name in ("name", "id"):
            return role_name
        path = role.value(("path",))
        return role_arn(role_name, path if isinstance(path, str) else None, self.document.account)

    def render_policy(self, document: TfResource) -> str | None:
        """The ``json`` of a ``data.aws_iam_policy_document``: known, or rendered from its
        arguments with unknown statement resources linked."""
        known = document.value(("json",))
        if isinstance(known, str) and not document.is_unknown(("json",)):
            return known
        if document.address in self._rendered:
            return self._rendered[document.address]
        if document.address in self._rendering:
            return None
        self._rendering.add(document.address)
        rendered: str | None = None
        try:
            rendered = render_policy_document(document.values, self._statement_linker(document))
        except NotRenderable as error:
            self.problem(document, f"policy cannot be evaluated before apply: {error}")
        finally:
            self._rendering.discard(document.address)
        self._rendered[document.address] = rendered
        return rendered

    def _statement_linker(self, document: TfResource) -> Any:
        def link(path: FieldPath) -> Any:
            try:
                return self.link(document, path).value
            except Unlinked:
                if len(path) != 3 or path[2] != "resources" or not isinstance(path[1], int):
                    return UNKNOWN
                return self._statement_resource(document, path[1])

        return link

    def _statement_resource(self, document: TfResource, index: int) -> Any:
        """The Resource of a statement written in a ``dynamic`` block, which leaves no
        expressions in the plan: the one file system or access point ARN the data block's
        source text refers to; else the ARN of the one file system the policy is attached
        to, reported as an assumption."""
        block = self.block(document)
        if block is not None:
            values = {
                value
                for match in _ARN_REFERENCE.finditer(block.text)
                if isinstance(value := self._reference_value(document, match.group(0)), str)
            }
            if len(values) == 1:
                return values.pop()
        attached = self._attached_file_systems(document)
        if len(attached) != 1:
            return UNKNOWN
        fs_id = attached[0]
        self.problem(
            document,
            f"statement {index + 1} Resource is known only after apply and not linked in the "
            f"plan's configuration (dynamic block); taken as the file system the policy is "
            f"attached to ({fs_id})",
            path=("statement", index, "resources"),
        )
        return file_system_arn(fs_id, self.document.region, self.document.account)

    def _attached_file_systems(self, document: TfResource) -> list[str]:
        found = []
        for resource in self.document.resources:
            if resource.type != "aws_efs_file_system_policy":
                continue
            targets = self.document.targets(resource, ("policy",))
            if any(t.address == document.address for t, _ in targets):
                try:
                    fs_id = self.get(resource, ("file_system_id",))
                except Unlinked:
                    continue
                if isinstance(fs_id, str) and fs_id not in found:
                    found.append(fs_id)
        return found

    # ---- values of the resource being mapped -----------------------------------------
    def get(self, resource: TfResource, path: FieldPath, default: Any = None) -> Any:
        """The value at ``path``: known, linked, or ``default`` when the configuration does
        not set it and the provider computes it. Raises :class:`Unlinked` otherwise."""
        if not resource.is_unknown(path):
            value = resource.value(path)
            if isinstance(value, list) and any(v is None for v in value):
                return self._list_with_unknowns(resource, path, value)
            if isinstance(value, Mapping) and any(v is None for v in value.values()):
                return self._map_with_unknowns(resource, path, value)
            return default if value is None else value
        if not resource.configures(path):
            return default
        return self.link(resource, path).value

    def _list_with_unknowns(self, resource: TfResource, path: FieldPath, value: list[Any]) -> Any:
        unknown = [i for i, v in enumerate(value) if v is None and resource.is_unknown((*path, i))]
        if not unknown:
            return [v for v in value if v is not None]
        linked = self.link(resource, path).value
        return linked if isinstance(linked, list) else [linked]

    def _map_with_unknowns(
        self, resource: TfResource, path: FieldPath, value: Mapping[str, Any]
    ) -> dict[str, Any]:
        out = {}
        for key, item in value.items():
            linked = item
            if item is None and resource.is_unknown((*path, key)):
                linked = self.link(resource, (*path, key)).value
            if linked is not None:
                out[key] = linked
        return out

    def link(self, resource: TfResource, path: FieldPath) -> Linked:
        """Link the value at ``path`` through the configuration: the references its expression
        makes, confirmed (or composed) from the ``.tf`` expression text when it is found."""
        candidates = []
        for target, attribute in self.document.targets(resource, path):
            value = self.attribute(target, attribute)
            if value is not None:
                candidates.append(value)
        text = self._expression_text(resource, path)
        if text is not None:
            composed = self._evaluate(resource, text)
            if composed is not None:
                return Linked(composed, True)
        if len(candidates) == 1:
            return Linked(candidates[0], False)
        many_strings = len(candidates) > 1 and all(isinstance(c, str) for c in candidates)
        if many_strings and self._is_list_attribute(resource, path):
            return Linked(list(candidates), False)
        raise Unlinked(path_text(path))

    def _is_list_attribute(self, resource: TfResource, path: FieldPath) -> bool:
        value = resource.value(path)
        return isinstance(value, list) or resource.unknown is True

    def _expression_text(self, resource: TfResource, path: FieldPath) -> str | None:
        block = self.block(resource)
        return block.attribute_text(path) if block is not None else None

    def _evaluate(self, resource: TfResource, text: str) -> Any:
        """A bare reference, a list of them, or a quoted template whose every interpolation
        is a bare reference; None for anything else (functions, conditionals...)."""
        if text.startswith("[") and text.endswith("]"):
            parts = [p.strip() for p in text[1:-1].split(",") if p.strip()]
            values = [self._evaluate(resource, p) for p in parts]
            return values if values and all(v is not None for v in values) else None
        if _BARE_REFERENCE.match(text):
            return self._reference_value(resource, text)
        if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
            body = text[1:-1]
            failed = False

            def substitute(match: re.Match[str]) -> str:
                nonlocal failed
                inner = match.group(1)
                value = (
                    self._reference_value(resource, inner) if _BARE_REFERENCE.match(inner) else None
                )
                if not isinstance(value, str):
                    failed = True
                    return ""
                return value

            result = _TEMPLATE_PART.sub(substitute, body)
            if failed or "${" in result or "%{" in result:
                return None
            return json.loads(f'"{result}"') if "\\" in result else result
        return None

    def _reference_value(self, resource: TfResource, reference: str) -> Any:
        values = []
        for target, attribute in self.document.resolve(
            resource.module, resource.module_key, reference
        ):
            value = self.attribute(target, attribute)
            if value is not None and value not in values:
                values.append(value)
        return values[0] if len(values) == 1 else None
