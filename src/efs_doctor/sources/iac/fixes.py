"""Fixes expressed in the IaC an object came from, for the scan's fix builders to offer.

The YAML edits the rules make for Kubernetes files do not apply to a ``.tf`` file or a
template, so for objects read from IaC (their source is an :class:`IacSourceMap`) this module
says the same change in the IaC's own terms:

* a mount option: a unified diff of the ``.tf`` file adding it to ``spec.mount_options`` of
  the ``kubernetes_persistent_volume(_v1)`` resource or to ``mount_options`` of the
  ``kubernetes_storage_class(_v1)`` resource; for a CloudFormation/CDK manifest, where the
  manifest is generated, the title says what to add where;
* a corrected file system policy: the JSON, and for Terraform the same document as a
  ``data "aws_iam_policy_document"`` block (resource ARNs not known before apply written as
  references to their resources again).

Nothing here writes files or builds findings; callers wrap the result in a ``Fix``.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from efs_doctor.engine.iam.file_systems import access_point_arn, file_system_arn
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.source import SourceMap
from efs_doctor.sources.iac.common import IacSourceMap, is_placeholder
from efs_doctor.sources.iac.hcl import Block, block_in_file


@dataclass(frozen=True, slots=True)
class IacFix:
    title: str
    patch: str | None = None  # unified diff of a .tf file (shown, never applied blindly)
    snippet: str | None = None  # text to use instead (an HCL block, a JSON policy)


def iac_source(obj: Any) -> IacSourceMap | None:
    """The object's IaC source map, or None when it was not read from IaC."""
    source = getattr(obj, "source", None)
    return source if isinstance(source, IacSourceMap) else None


def _is_terraform(source: SourceMap) -> bool:
    return bool(source.path and source.path.endswith(".tf"))


def _local_address(address: str) -> tuple[str, str] | None:
    """``module.a.kubernetes_storage_class_v1.efs[0]`` -> (type, name)."""
    tail = re.sub(r"\[[^\]]*\]$", "", address.rsplit("module.", 1)[-1])
    parts = tail.split(".")
    if len(parts) < 2:
        return None
    return parts[-2], parts[-1]


def _diff(path: str, old: str, new: str) -> str:
    label = path if os.path.isabs(path) else f"a/{path}"
    after = path if os.path.isabs(path) else f"b/{path}"
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), label, after
        )
    )


def mount_option_fix(obj: Any, option: str) -> IacFix | None:
    """Add ``option`` to the mount options of a PV or StorageClass read from IaC."""
    source = iac_source(obj)
    if source is None or source.path is None:
        return None
    kind = getattr(obj, "kind", "")
    field = "spec.mountOptions" if kind == "PersistentVolume" else "mountOptions"
    if not _is_terraform(source):
        return IacFix(
            f"add {option!r} to {field} of {kind} {getattr(obj, 'name', '')} in the manifest "
            f"that {source.address} creates (for the CDK: the object passed to "
            f"KubernetesManifest / addManifest)"
        )
    local = _local_address(source.address)
    block = block_in_file(source.path, "managed", *local) if local else None
    if block is None:
        return IacFix(f"add {option!r} to mount_options of {source.address}")
    path: tuple[str | int, ...] = ("spec", 0) if kind == "PersistentVolume" else ()
    new_text = _with_mount_option(block, path, option)
    attribute = "spec.mount_options" if path else "mount_options"
    title = f"add {option!r} to {attribute} of {source.address}"
    if new_text is None:
        return IacFix(title)
    return IacFix(title, patch=_diff(source.path, block.source.text, new_text))


def _with_mount_option(block: Block, path: tuple[str | int, ...], option: str) -> str | None:
    text = block.source.text
    existing = block.attribute_span((*path, "mount_options"))
    if existing is not None:
        start, end = existing
        try:
            values = json.loads(text[start:end])
        except ValueError:
            return None
        if not isinstance(values, list) or option in values:
            return None
        values.append(option)
        return text[:start] + json.dumps(values) + text[end:]
    body = block.body_of(path)
    if body is None:
        return None
    start, _ = body
    line_end = text.find("\n", start)
    if line_end < 0:
        return None
    next_line = text[line_end + 1 : text.find("\n", line_end + 1)]
    indent = next_line[: len(next_line) - len(next_line.lstrip())] or "  "
    insert = f"{indent}mount_options = {json.dumps([option])}\n"
    return text[: line_end + 1] + insert + text[line_end + 1 :]


# ---- policies -------------------------------------------------------------------------
def _hcl_string(value: str) -> str:
    """A JSON string is an HCL string, once ``${``/``%{`` are escaped (HCL templates)."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def _hcl_list(values: Any, references: Mapping[str, str]) -> str:
    items = values if isinstance(values, list) else [values]
    parts = [references.get(str(v)) or _hcl_string(str(v)) for v in items]
    return "[" + ", ".join(parts) + "]"


def policy_document_hcl(
    document: Mapping[str, Any], name: str, references: Mapping[str, str] | None = None
) -> str:
    """``document`` as a ``data "aws_iam_policy_document"`` block (the mapping the AWS
    provider documents, in reverse; see policy_document.py). ``references`` maps literal
    values (stand-in ARNs) to the Terraform expressions to write instead."""
    refs = references or {}
    lines = [f'data "aws_iam_policy_document" "{name}" {{']
    if isinstance(document.get("Id"), str):
        lines.append(f"  policy_id = {_hcl_string(document['Id'])}")
    statements = document.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, Mapping):
            continue
        lines.append("  statement {")
        if isinstance(statement.get("Sid"), str):
            lines.append(f"    sid       = {_hcl_string(statement['Sid'])}")
        lines.append(f"    effect    = {_hcl_string(str(statement.get('Effect', 'Allow')))}")
        for key, attribute in (
            ("Action", "actions"),
            ("NotAction", "not_actions"),
            ("Resource", "resources"),
            ("NotResource", "not_resources"),
        ):
            if key in statement:
                lines.append(f"    {attribute:<9} = {_hcl_list(statement[key], refs)}")
        for key, block in (("Principal", "principals"), ("NotPrincipal", "not_principals")):
            principal = statement.get(key)
            if principal is None:
                continue
            kinds = {"*": ["*"]} if principal == "*" else principal
            for kind, identifiers in kinds.items() if isinstance(kinds, Mapping) else ():
                lines.append(f"    {block} {{")
                lines.append(f"      type        = {_hcl_string(str(kind))}")
                lines.append(f"      identifiers = {_hcl_list(identifiers, refs)}")
                lines.append("    }")
        conditions = statement.get("Condition")
        for test, block_values in conditions.items() if isinstance(conditions, Mapping) else ():
            for variable, values in (
                block_values.items() if isinstance(block_values, Mapping) else ()
            ):
                lines.append("    condition {")
                lines.append(f"      test     = {_hcl_string(str(test))}")
                lines.append(f"      variable = {_hcl_string(str(variable))}")
                lines.append(f"      values   = {_hcl_list(values, refs)}")
                lines.append("    }")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _arn_references(inventory: Inventory, policy_address: str) -> dict[str, str]:
    """Stand-in ARNs of file systems and access points read from the same plan -> the
    Terraform expression that yields them, relative to the policy's module."""
    module_prefix = re.match(r"^((?:module\.[^.]+\.)*)", policy_address)
    prefix = module_prefix.group(1) if module_prefix else ""
    refs: dict[str, str] = {}
    objects: Sequence[Any] = [*inventory.file_systems.values(), *inventory.access_points.values()]
    for obj in objects:
        source = iac_source(obj)
        if source is None or not is_placeholder(obj.id):
            continue
        address = source.address
        if prefix and address.startswith(prefix):
            address = address[len(prefix) :]
        elif prefix or address.startswith("module."):
            continue
        build = file_system_arn if obj.kind == "FileSystem" else access_point_arn
        for region in _regions(inventory):
            for account in _accounts(inventory):
                refs[build(obj.id, region, account)] = f"{address}.arn"
    for role in inventory.roles.values():
        source = iac_source(role)
        if source is not None and source.address.startswith(prefix or "aws_iam_role."):
            refs[role.arn] = f"{source.address[len(prefix) :]}.arn"
    return refs


def _regions(inventory: Inventory) -> set[str]:
    found = {"*"}
    for fs in inventory.file_systems.values():
        if fs.region:
            found.add(fs.region)
    for policy in inventory.policies.values():
        text = policy.text or ""
        found.update(re.findall(r"arn:aws[\w-]*:elasticfilesystem:([\w*-]+):", text))
    return found


def _accounts(inventory: Inventory) -> set[str]:
    found = {"*"}
    if inventory.caller is not None:
        found.add(inventory.caller.account)
    for policy in inventory.policies.values():
        text = policy.text or ""
        found.update(re.findall(r"arn:aws[\w-]*:elasticfilesystem:[\w*-]+:([\d*]+):", text))
    return found


def policy_fix(
    inventory: Inventory, file_system_id: str, corrected: Mapping[str, Any]
) -> IacFix | None:
    """The corrected policy of a file system whose policy came from IaC: for Terraform an
    ``aws_iam_policy_document`` block to use as the policy, else the JSON to put in the
    template's ``FileSystemPolicy``."""
    policy = inventory.policies.get(file_system_id)
    source = iac_source(policy) if policy is not None else None
    if policy is None or source is None:
        return None
    text = json.dumps(corrected, indent=2) + "\n"
    if not _is_terraform(source) and not source.address.startswith(("aws_", "module.")):
        return IacFix(
            f"replace FileSystemPolicy of {source.address} with the corrected policy "
            "(for the CDK: the fileSystemPolicy prop, or fileSystem.addToResourcePolicy)",
            snippet=text,
        )
    local = _local_address(source.address)
    name = f"{local[1]}_corrected" if local else "efs_corrected"
    hcl = policy_document_hcl(corrected, name, _arn_references(inventory, source.address))
    return IacFix(
        f"use the corrected policy in {source.address}: policy = "
        f"data.aws_iam_policy_document.{name}.json",
        snippet=hcl,
    )
