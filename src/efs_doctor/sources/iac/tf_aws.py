"""Terraform AWS resources -> the AWS CLI shapes the snapshot loader reads.

Attribute names: AWS provider documentation (https://registry.terraform.io/providers/hashicorp/
aws/latest/docs/resources/<name>), checked against the provider's plan output (5.100.0).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from efs_doctor.model.aws import NodeGroup, VpcDnsAttribute
from efs_doctor.model.problems import ProblemLevel
from efs_doctor.model.source import FieldPath
from efs_doctor.sources.iac.common import file_system_arn
from efs_doctor.sources.iac.tf_context import TfContext, Unlinked, path_text
from efs_doctor.sources.iac.tf_plan import TfResource

Mapper = Callable[[TfContext, TfResource], None]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def get_or_report(
    ctx: TfContext, res: TfResource, *path: str | int, what: str | None = None
) -> Any:
    """A value, or None with a problem naming the address when it cannot be linked."""
    try:
        return ctx.get(res, tuple(path))
    except Unlinked:
        attribute = path_text(tuple(path))
        ctx.problem(
            res,
            f"{attribute} is known only after apply and the plan's configuration does not link "
            f"it to a resource; {what or 'it is left out'}",
            path=tuple(path),
        )
        return None


def _fs_id(ctx: TfContext, res: TfResource) -> str | None:
    value = get_or_report(ctx, res, "file_system_id", what=f"the {res.type} is not checked")
    return value if isinstance(value, str) and value else None


def file_system(ctx: TfContext, res: TfResource) -> None:
    fs_id = ctx.id_of(res)
    arn = res.value(("arn",))
    if not isinstance(arn, str) and ctx.document.region and ctx.document.account:
        arn = file_system_arn(fs_id, ctx.document.region, ctx.document.account)
    tags = res.value(("tags",))
    raw = {
        "FileSystemId": fs_id,
        "FileSystemArn": arn if isinstance(arn, str) else None,
        "OwnerId": res.value(("owner_id",)) or ctx.document.account,
        "Name": tags.get("Name") if isinstance(tags, Mapping) else None,
        "LifeCycleState": res.value(("lifecycle_state",)),
        "AvailabilityZoneName": ctx.get(res, ("availability_zone_name",))
        if not res.is_unknown(("availability_zone_name",))
        else None,
        "Encrypted": res.value(("encrypted",)),
    }
    fields = {
        ("FileSystemId",): ("id",),
        ("Name",): ("tags",),
        ("Encrypted",): ("encrypted",),
        ("AvailabilityZoneName",): ("availability_zone_name",),
    }
    ctx.builder.file_system(raw, ctx.source_for(res, fields))


def file_system_policy(ctx: TfContext, res: TfResource) -> None:
    fs_id = _fs_id(ctx, res)
    if fs_id is None:
        return
    text = get_or_report(ctx, res, "policy", what="the file system's policy is unknown")
    if not isinstance(text, str):
        return
    try:
        document = json.loads(text)
    except ValueError as error:
        ctx.problem(res, f"policy is not valid JSON: {error}", ProblemLevel.ERROR, ("policy",))
        return
    if not isinstance(document, Mapping):
        ctx.problem(res, "policy must be a JSON object", ProblemLevel.ERROR, ("policy",))
        return
    fields = {("Statement",): ("policy",), ("Policy",): ("policy",)}
    ctx.builder.policy(fs_id, document, text, ctx.source_for(res, fields))


def mount_target(ctx: TfContext, res: TfResource) -> None:
    fs_id = _fs_id(ctx, res)
    if fs_id is None:
        return
    subnet_id = get_or_report(ctx, res, "subnet_id")
    zone = res.value(("availability_zone_name",))
    zone_id = res.value(("availability_zone_id",))
    subnet = _subnet_resource(ctx, subnet_id)
    if zone is None and subnet is not None:
        # A mount target lives in its subnet's Availability Zone (EFS User Guide,
        # "Managing mount targets"): the subnet's zone, when the plan knows it, is the
        # mount target's.
        zone = subnet.value(("availability_zone",))
        zone_id = zone_id or subnet.value(("availability_zone_id",))
    groups: tuple[str, ...] | None = None
    if res.is_unknown(("security_groups",)) and not res.configures(("security_groups",)):
        groups = None  # EFS then uses the VPC's default security group (CreateMountTarget)
    else:
        found = get_or_report(ctx, res, "security_groups", what="its security groups are unknown")
        groups = tuple(str(g) for g in as_list(found)) if found is not None else None
    raw = {
        "MountTargetId": ctx.id_of(res),
        "FileSystemId": fs_id,
        "SubnetId": subnet_id,
        "AvailabilityZoneName": zone,
        "AvailabilityZoneId": zone_id,
        "IpAddress": res.value(("ip_address",)),
        "NetworkInterfaceId": res.value(("network_interface_id",)),
        "OwnerId": res.value(("owner_id",)),
        "LifeCycleState": None,
    }
    fields = {
        ("FileSystemId",): ("file_system_id",),
        ("SubnetId",): ("subnet_id",),
        ("IpAddress",): ("ip_address",),
    }
    ctx.builder.mount_target(raw, groups, ctx.source_for(res, fields))


def _subnet_resource(ctx: TfContext, subnet_id: Any) -> TfResource | None:
    if not isinstance(subnet_id, str):
        return None
    for resource in ctx.document.resources:
        if resource.type == "aws_subnet" and ctx.id_of(resource) == subnet_id:
            return resource
    return None


def access_point(ctx: TfContext, res: TfResource) -> None:
    fs_id = _fs_id(ctx, res)
    if fs_id is None:
        return
    raw: dict[str, Any] = {
        "AccessPointId": ctx.id_of(res),
        "AccessPointArn": res.value(("arn",)),
        "FileSystemId": fs_id,
        "OwnerId": res.value(("owner_id",)),
    }
    posix = res.value(("posix_user", 0))
    if isinstance(posix, Mapping):
        raw["PosixUser"] = {
            "Uid": posix.get("uid"),
            "Gid": posix.get("gid"),
            "SecondaryGids": list(posix.get("secondary_gids") or ()),
        }
    root = res.value(("root_directory", 0))
    if isinstance(root, Mapping):
        directory: dict[str, Any] = {"Path": root.get("path") or "/"}
        creation = as_list(root.get("creation_info"))
        if creation and isinstance(creation[0], Mapping):
            directory["CreationInfo"] = {
                "OwnerUid": creation[0].get("owner_uid"),
                "OwnerGid": creation[0].get("owner_gid"),
                "Permissions": creation[0].get("permissions"),
            }
        raw["RootDirectory"] = directory
    fields = {
        ("FileSystemId",): ("file_system_id",),
        ("PosixUser",): ("posix_user", 0),
        ("RootDirectory",): ("root_directory", 0),
        ("RootDirectory", "Path"): ("root_directory", 0, "path"),
        ("RootDirectory", "CreationInfo"): ("root_directory", 0, "creation_info", 0),
    }
    ctx.builder.access_point(raw, ctx.source_for(res, fields))


# ---- security groups ------------------------------------------------------------------
def _permission(  # noqa: PLR0917 (the rule's fields, in the API's order)
    protocol: Any,
    from_port: Any,
    to_port: Any,
    cidrs: Any = None,
    ipv6: Any = None,
    prefix_lists: Any = None,
    groups: Any = None,
) -> dict[str, Any]:
    protocol_text = str(protocol if protocol is not None else "-1").lower()
    if protocol_text == "all":
        protocol_text = "-1"
    permission: dict[str, Any] = {"IpProtocol": protocol_text}
    if protocol_text != "-1":
        permission["FromPort"] = from_port
        permission["ToPort"] = to_port
    permission["IpRanges"] = [{"CidrIp": c} for c in as_list(cidrs) if isinstance(c, str)]
    permission["Ipv6Ranges"] = [{"CidrIpv6": c} for c in as_list(ipv6) if isinstance(c, str)]
    permission["PrefixListIds"] = [
        {"PrefixListId": p} for p in as_list(prefix_lists) if isinstance(p, str)
    ]
    permission["UserIdGroupPairs"] = [{"GroupId": g} for g in as_list(groups) if isinstance(g, str)]
    return permission


def _inline_rules(ctx: TfContext, res: TfResource, key: str, own_id: str) -> list[dict[str, Any]]:
    """Inline ``ingress``/``egress`` blocks. Left out of the configuration, Terraform manages
    no inline rules and removes the default allow-all egress rule (AWS provider docs,
    ``aws_security_group``), so the group has only the rules of separate rule resources."""
    if res.is_unknown((key,)) and not res.configures((key,)):
        return []
    rules = ctx.get(res, (key,))  # Unlinked: the caller leaves the group out
    out = []
    for index, rule in enumerate(as_list(rules)):
        if not isinstance(rule, Mapping):
            continue
        groups = as_list(rule.get("security_groups"))
        if any(g is None for g in groups):
            groups = as_list(ctx.get(res, (key, index, "security_groups")))
        if rule.get("self"):
            groups.append(own_id)
        out.append(
            _permission(
                rule.get("protocol"),
                rule.get("from_port"),
                rule.get("to_port"),
                rule.get("cidr_blocks"),
                rule.get("ipv6_cidr_blocks"),
                rule.get("prefix_list_ids"),
                groups,
            )
        )
    return out


def security_group(ctx: TfContext, res: TfResource) -> None:
    group_id = ctx.id_of(res)
    try:
        ingress = _inline_rules(ctx, res, "ingress", group_id)
        egress = _inline_rules(ctx, res, "egress", group_id)
    except Unlinked as unlinked:
        reason = f"{res.address}: {unlinked} is known only after apply and not linked"
        ctx.builder.mark_incomplete(group_id, ctx.location(res), reason)
        ingress, egress = [], []
    raw = {
        "GroupId": group_id,
        "GroupName": res.value(("name",)),
        "VpcId": get_or_report(ctx, res, "vpc_id"),
        "IpPermissions": ingress,
        "IpPermissionsEgress": egress,
    }
    fields = {("IpPermissions",): ("ingress",), ("IpPermissionsEgress",): ("egress",)}
    ctx.builder.security_group(raw, ctx.source_for(res, fields))


def _rule_group(ctx: TfContext, res: TfResource) -> str | None:
    """The group a rule resource belongs to; when it cannot be linked, every group of the
    plan may be missing the rule, so none is checked."""
    try:
        group_id = ctx.get(res, ("security_group_id",))
    except Unlinked:
        reason = f"{res.address}: security_group_id is known only after apply and not linked"
        ctx.builder.mark_incomplete("*sg", ctx.location(res), reason)
        return None
    return group_id if isinstance(group_id, str) else None


def _rule_peers(ctx: TfContext, res: TfResource, group_id: str, *names: str) -> list[Any]:
    try:
        return [ctx.get(res, (name,)) for name in names]
    except Unlinked as unlinked:
        reason = f"{res.address}: {unlinked} is known only after apply and not linked"
        ctx.builder.mark_incomplete(group_id, ctx.location(res), reason)
        return [None for _ in names]


def security_group_rule(ctx: TfContext, res: TfResource) -> None:
    group_id = _rule_group(ctx, res)
    if group_id is None:
        return
    direction = res.value(("type",))
    source_group, cidrs, ipv6, prefixes = _rule_peers(
        ctx,
        res,
        group_id,
        "source_security_group_id",
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "prefix_list_ids",
    )
    groups = [source_group] if isinstance(source_group, str) and source_group else []
    if res.value(("self",)):
        groups.append(group_id)
    permission = _permission(
        res.value(("protocol",)),
        res.value(("from_port",)),
        res.value(("to_port",)),
        cidrs,
        ipv6,
        prefixes,
        groups,
    )
    ctx.builder.security_group_rule(
        group_id, "egress" if direction == "egress" else "ingress", permission, ctx.source_for(res)
    )


def vpc_security_group_rule(ctx: TfContext, res: TfResource) -> None:
    group_id = _rule_group(ctx, res)
    if group_id is None:
        return
    referenced, cidr4, cidr6, prefix = _rule_peers(
        ctx,
        res,
        group_id,
        "referenced_security_group_id",
        "cidr_ipv4",
        "cidr_ipv6",
        "prefix_list_id",
    )
    permission = _permission(
        res.value(("ip_protocol",)),
        res.value(("from_port",)),
        res.value(("to_port",)),
        cidr4,
        cidr6,
        prefix,
        [referenced] if isinstance(referenced, str) else [],
    )
    direction = "egress" if res.type.endswith("egress_rule") else "ingress"
    ctx.builder.security_group_rule(group_id, direction, permission, ctx.source_for(res))


# ---- network ----------------------------------------------------------------------------
def subnet(ctx: TfContext, res: TfResource) -> None:
    raw = {
        "SubnetId": ctx.id_of(res),
        "VpcId": get_or_report(ctx, res, "vpc_id"),
        "AvailabilityZone": res.value(("availability_zone",)),
        "AvailabilityZoneId": res.value(("availability_zone_id",)),
        "CidrBlock": res.value(("cidr_block",)),
    }
    ctx.builder.subnet(raw, ctx.source_for(res, {("AvailabilityZone",): ("availability_zone",)}))


def vpc(ctx: TfContext, res: TfResource) -> None:
    vpc_id = ctx.id_of(res)
    raw = {"VpcId": vpc_id, "CidrBlock": res.value(("cidr_block",))}
    source = ctx.source_for(res)
    ctx.builder.vpc(raw, source)
    # aws_vpc defaults: enable_dns_support true, enable_dns_hostnames false (provider docs);
    # the plan carries the effective values.
    for attribute, name in (
        ("enable_dns_support", "enableDnsSupport"),
        ("enable_dns_hostnames", "enableDnsHostnames"),
    ):
        value = res.value((attribute,))
        if isinstance(value, bool):
            attribute_source = ctx.source_for(res, {(): (attribute,)})
            ctx.builder.inventory.vpc_dns[(vpc_id, name)] = VpcDnsAttribute(
                vpc_id, name, value, attribute_source
            )


# ---- nodes -------------------------------------------------------------------------------
def eks_node_group(ctx: TfContext, res: TfResource) -> None:
    """``aws_eks_node_group``: where its nodes run, for the checks that have no Node to pair
    with. Its ``subnet_ids``; the security groups of its launch template (an
    ``aws_launch_template`` of the plan: ``vpc_security_group_ids`` or
    ``network_interfaces[*].security_groups``) and the remote access group EKS creates for
    ``remote_access`` (``resources[0].remote_access_security_group_id``, known once applied;
    ``remote_access.source_security_group_ids`` are the groups allowed in, not the nodes').
    Without launch template groups EKS attaches the cluster security group
    (https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html), which the
    cluster's own answer names. Provider docs: .../resources/eks_node_group."""
    subnets = get_or_report(ctx, res, "subnet_ids", what="the node group's subnets are unknown")
    groups = [*_launch_template_groups(ctx, res)]
    remote = res.value(("resources", 0, "remote_access_security_group_id"))
    if isinstance(remote, str) and remote:
        groups.append(remote)
    name = res.value(("node_group_name",))
    cluster = _linked_text(ctx, res, ("cluster_name",))
    node_group = NodeGroup(
        name if isinstance(name, str) and name else res.address,
        cluster,
        tuple(dict.fromkeys(groups)),
        tuple(str(s) for s in as_list(subnets) if isinstance(s, str)),
        ctx.source_for(
            res, {("subnet_ids",): ("subnet_ids",), ("security_group_ids",): ("launch_template",)}
        ),
    )
    ctx.builder.inventory.node_groups.setdefault(node_group.id, node_group)


def _linked_text(ctx: TfContext, res: TfResource, path: FieldPath) -> str | None:
    try:
        value = ctx.get(res, path)
    except Unlinked:
        return None
    return value if isinstance(value, str) and value else None


def _launch_template_groups(ctx: TfContext, res: TfResource) -> list[str]:
    """The security groups of the node group's launch template, when it is a resource of
    this plan; none otherwise (a template made elsewhere is not among the inputs)."""
    templates: dict[str, TfResource] = {}
    for key in ("id", "name"):
        for target, _ in ctx.document.targets(res, ("launch_template", 0, key)):
            if target.type == "aws_launch_template":
                templates.setdefault(target.address, target)
    if len(templates) != 1:
        return []
    (template,) = templates.values()
    found: list[str] = []
    paths: list[FieldPath] = [("vpc_security_group_ids",)]
    interfaces = template.value(("network_interfaces",))
    for index in range(len(interfaces) if isinstance(interfaces, list) else 0):
        paths.append(("network_interfaces", index, "security_groups"))
    for path in paths:
        value = get_or_report(
            ctx, template, *path, what="its groups do not count for the node group"
        )
        found.extend(str(g) for g in as_list(value) if isinstance(g, str) and g)
    return found


MAPPERS: dict[tuple[str, str], Mapper] = {
    ("managed", "aws_efs_file_system"): file_system,
    ("managed", "aws_efs_file_system_policy"): file_system_policy,
    ("managed", "aws_efs_mount_target"): mount_target,
    ("managed", "aws_efs_access_point"): access_point,
    ("managed", "aws_security_group"): security_group,
    ("managed", "aws_security_group_rule"): security_group_rule,
    ("managed", "aws_vpc_security_group_ingress_rule"): vpc_security_group_rule,
    ("managed", "aws_vpc_security_group_egress_rule"): vpc_security_group_rule,
    ("managed", "aws_subnet"): subnet,
    ("managed", "aws_vpc"): vpc,
    ("managed", "aws_eks_node_group"): eks_node_group,
}
