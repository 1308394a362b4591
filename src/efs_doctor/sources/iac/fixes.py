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
  references to their resources again);
* a security group rule (TCP 2049 for the network rules): for Terraform an inline
  ``ingress``/``egress`` block added to a group that already writes its rules inline (a diff),
  else an ``aws_vpc_security_group_ingress_rule``/``_egress_rule`` resource; for
  CloudFormation an ``AWS::EC2::SecurityGroupIngress``/``Egress`` resource.

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
from efs_doctor.model.aws import SecurityGroup
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.source import SourceMap
from efs_doctor.sources.iac.common import is_placeholder
from efs_doctor.sources.iac.hcl import Block, block_in_file
from efs_doctor.sources.iac.source_map import IacSourceMap, iac_source


@dataclass(frozen=True, slots=True)
class IacFix:
    title: str
    patch: str | None = None  # unified diff of a .tf file (shown, never applied blindly)
    snippet: str | None = None  # text to use instead (an HCL block, a JSON policy)


def _is_terraform(source: SourceMap) -> bool:
    return bool(source.path and source.path.endswith(".tf"))


def _is_cloudformation(source: IacSourceMap) -> bool:
    """Not a ``.tf`` file, and addressed by a logical id rather than a Terraform address."""
    return not _is_terraform(source) and not source.address.startswith(("aws_", "module."))


def _module_prefix(address: str) -> str:
    """``module.a.module.b.aws_x.y`` -> ``module.a.module.b.``"""
    found = re.match(r"^((?:module\.[^.]+\.)*)", address)
    return found.group(1) if found else ""


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
    prefix = _module_prefix(policy_address)
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
    if _is_cloudformation(source):
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


# ---- security group rules -------------------------------------------------------------
RULE_DESCRIPTION = "NFS (TCP 2049) for EFS mounts"


def security_group_rule_fix(
    inventory: Inventory,
    group: SecurityGroup,
    *,
    direction: str,
    port: int,
    peer_group: str | None,
    cidrs: Sequence[str],
) -> IacFix | None:
    """A rule admitting TCP ``port`` ``direction`` (``ingress``/``egress``) on ``group``, which
    was read from IaC, from/to ``peer_group`` (else ``cidrs``), in the IaC's own terms."""
    source = iac_source(group)
    if source is None:
        return None
    peer = _peer_source(group, peer_group, inventory)
    if peer is None and not cidrs:
        return None
    if _is_cloudformation(source):
        return _cloudformation_rule(source, direction, port, peer, cidrs)
    return _terraform_rule(source, direction, port, peer, cidrs)


@dataclass(frozen=True, slots=True)
class _Peer:
    group_id: str
    address: str | None  # the peer group's IaC address, when the same configuration defines it


def _peer_source(
    group: SecurityGroup, peer_group: str | None, inventory: Inventory
) -> _Peer | None:
    """The peer group, referenced by address when it comes from the same template or Terraform
    module as ``group``; a stand-in id from elsewhere cannot be written, so no peer."""
    if peer_group is None:
        return None
    own = iac_source(group)
    found = inventory.security_groups.get(peer_group)
    theirs = iac_source(found) if found is not None else None
    if own is not None and theirs is not None:
        same_template = _is_cloudformation(own) and own.path == theirs.path
        same_module = not _is_cloudformation(own) and _module_prefix(own.address) == (
            _module_prefix(theirs.address)
        )
        if same_template or same_module:
            return _Peer(peer_group, theirs.address)
    return None if is_placeholder(peer_group) else _Peer(peer_group, None)


def _terraform_rule(
    source: IacSourceMap, direction: str, port: int, peer: _Peer | None, cidrs: Sequence[str]
) -> IacFix:
    address = source.address
    local = _local_address(address)
    here = address[len(_module_prefix(address)) :]
    peer_expression: str | None = None
    if peer is not None and peer.address is not None:
        peer_expression = f"{peer.address[len(_module_prefix(peer.address)) :]}.id"
    elif peer is not None:
        peer_expression = _hcl_string(peer.group_id)
    block = (
        block_in_file(source.path, "managed", *local)
        if local and source.path and _is_terraform(source)
        else None
    )
    if block is not None and any(block.body_of((d,)) is not None for d in ("ingress", "egress")):
        # A group that writes its rules inline keeps doing so: the provider documents that
        # inline rules and separate rule resources for one group overwrite each other
        # (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group).
        new_text = _with_inline_rule(block, direction, port, peer_expression, cidrs)
        title = f"add an inline {direction} block to {address}"
        if new_text is not None:
            return IacFix(title, patch=_diff(block.path, block.source.text, new_text))
        return IacFix(title)
    kind = f"aws_vpc_security_group_{direction}_rule"
    name = f"{local[1] if local else 'efs'}_nfs_{direction}"
    if peer_expression is not None:
        peers = [f"referenced_security_group_id = {peer_expression}"]
    else:
        peers = [f"cidr_ipv4 = {_hcl_string(cidr)}" for cidr in cidrs]
    snippets = []
    for index, peer_line in enumerate(peers, start=1):
        label = name if index == 1 else f"{name}_{index}"
        lines = [
            f'resource "{kind}" "{label}" {{',
            f"  security_group_id = {here}.id",
            f"  {peer_line}",
            '  ip_protocol = "tcp"',
            f"  from_port = {port}",
            f"  to_port = {port}",
            f"  description = {_hcl_string(RULE_DESCRIPTION)}",
            "}",
        ]
        snippets.append(_aligned(lines))
    return IacFix(
        f"add an {kind} resource beside {address} (the provider's recommended form: "
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/"
        f"vpc_security_group_{direction}_rule)",
        snippet="\n".join(snippets),
    )


def _aligned(lines: list[str]) -> str:
    """HCL with the ``=`` of one block's attributes lined up, as ``terraform fmt`` writes it."""
    width = max((len(line.split(" = ")[0]) for line in lines if " = " in line), default=0)
    out = []
    for line in lines:
        name, equals, value = line.partition(" = ")
        out.append(f"{name.ljust(width)} = {value}" if equals else line)
    return "\n".join(out) + "\n"


def _with_inline_rule(
    block: Block, direction: str, port: int, peer: str | None, cidrs: Sequence[str]
) -> str | None:
    text = block.source.text
    line_start = text.rfind("\n", 0, block.body_end) + 1
    if text[line_start : block.body_end].strip():
        return None  # the closing brace shares its line with other text
    where = block.locate((direction,)) or block.locate(
        ("egress" if direction == "ingress" else "ingress",)
    )
    indent = " " * ((where[1] - 1) if where else 2)
    peers = (
        f"  security_groups = [{peer}]"
        if peer is not None
        else f"  cidr_blocks = [{', '.join(_hcl_string(c) for c in cidrs)}]"
    )
    body = _aligned(
        [
            f"  description = {_hcl_string(RULE_DESCRIPTION)}",
            f"  from_port = {port}",
            f"  to_port = {port}",
            '  protocol = "tcp"',
            peers,
        ]
    )
    inner = "".join(f"{indent}{line}\n" for line in body.splitlines())
    insert = f"{indent}{direction} {{\n{inner}{indent}}}\n"
    return text[:line_start] + insert + text[line_start:]


def _cloudformation_rule(
    source: IacSourceMap, direction: str, port: int, peer: _Peer | None, cidrs: Sequence[str]
) -> IacFix:
    logical_id = source.address
    kind = (
        "AWS::EC2::SecurityGroupIngress"
        if direction == "ingress"
        else ("AWS::EC2::SecurityGroupEgress")
    )
    peer_key = "SourceSecurityGroupId" if direction == "ingress" else "DestinationSecurityGroupId"
    as_json = bool(source.path and source.path.endswith(".json"))
    resources: dict[str, Any] = {}
    targets: list[tuple[str, Any]] = []
    if peer is not None:
        reference: Any = (
            {"Fn::GetAtt": [peer.address, "GroupId"]} if peer.address else peer.group_id
        )
        targets.append((peer_key, reference))
    else:
        targets += [("CidrIp", cidr) for cidr in cidrs]
    for index, (key, value) in enumerate(targets, start=1):
        name = f"{logical_id}Nfs{direction.capitalize()}" + (str(index) if index > 1 else "")
        resources[name] = {
            "Type": kind,
            "Properties": {
                "GroupId": {"Fn::GetAtt": [logical_id, "GroupId"]},
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                key: value,
                "Description": RULE_DESCRIPTION,
            },
        }
    snippet = json.dumps(resources, indent=2) + "\n" if as_json else _cfn_yaml(resources)
    add = "addIngressRule" if direction == "ingress" else "addEgressRule"
    if peer is None:
        cdk_peer = f"ec2.Peer.ipv4('{cidrs[0]}')"
    elif peer.address is None:
        cdk_peer = f"ec2.Peer.securityGroupId('{peer.group_id}')"
    else:
        cdk_peer = f"<the ISecurityGroup of {peer.address}>"
    return IacFix(
        f"add {kind} to the Resources of the template that defines {logical_id} (for the "
        f"CDK: securityGroup.{add}({cdk_peer}, ec2.Port.tcp({port})))",
        snippet=snippet,
    )


def _cfn_yaml(resources: Mapping[str, Any]) -> str:
    """The resources as template YAML, with ``!GetAtt`` short forms for readability."""
    lines: list[str] = []
    for name, resource in resources.items():
        lines += [f"{name}:", f"  Type: {resource['Type']}", "  Properties:"]
        for key, value in resource["Properties"].items():
            if isinstance(value, Mapping) and "Fn::GetAtt" in value:
                target, attribute = value["Fn::GetAtt"]
                lines.append(f"    {key}: !GetAtt {target}.{attribute}")
            else:
                lines.append(f"    {key}: {value}")
    return "\n".join(lines) + "\n"
