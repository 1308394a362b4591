"""CloudFormation resource types -> the AWS-CLI-shaped and Kubernetes documents the other
loaders read. Property names: CloudFormation User Guide, "AWS resource and property types
reference" (e.g. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-efs-filesystem.html);
the CDK's EKS custom resources: aws-cdk-lib ``aws-eks`` (``KubernetesManifest`` writes
``Manifest``, ``HelmChart`` writes ``Chart``/``Values``), as seen in ``cdk synth`` output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from efs_doctor.model.aws import VpcDnsAttribute
from efs_doctor.model.problems import ProblemLevel
from efs_doctor.model.source import FieldPath
from efs_doctor.sources.documents import Document
from efs_doctor.sources.iac.cfn_resolve import BadIntrinsic, Resolver, contains_unknown
from efs_doctor.sources.iac.common import (
    Fields,
    InventoryBuilder,
    file_system_arn,
    mapped_source,
)
from efs_doctor.sources.iac.helm import (
    efs_csi_service_accounts,
    efs_csi_storage_classes,
    is_efs_csi_chart,
)
from efs_doctor.sources.iac.source_map import IacSourceMap

KUBERNETES_RESOURCE = "Custom::AWSCDK-EKS-KubernetesResource"
HELM_CHART = "Custom::AWSCDK-EKS-HelmChart"


@dataclass(slots=True)
class Template:
    document: Document
    resolver: Resolver
    builder: InventoryBuilder
    unknown: set[tuple[str, str]] = field(default_factory=set)  # (logical id, property)

    def was_unknown(self, logical_id: str, *names: str) -> bool:
        return any((logical_id, name) in self.unknown for name in names)

    def incomplete(self, key: str, logical_id: str, what: str) -> None:
        location = self.source(logical_id).location()
        self.builder.mark_incomplete(
            key, location, f"{logical_id}: {what} known only at deploy time"
        )

    def source(self, logical_id: str, fields: Fields | None = None) -> IacSourceMap:
        base: FieldPath = ("Resources", logical_id)
        marks = self.document.source.marks

        def position(path: FieldPath) -> tuple[int, int] | None:
            current = (*base, *path)
            while len(current) > 2:
                if current in marks:
                    return marks[current]
                current = current[:-1]
            return None

        origin = marks.get(base) or marks.get((*base, "Type"))
        return mapped_source(self.document.source.path, origin, logical_id, fields or {}, position)

    def problem(
        self, logical_id: str, message: str, level: ProblemLevel, path: FieldPath = ()
    ) -> None:
        location = self.source(logical_id, {("at",): path}).location("at")
        self.builder.problem(location, f"{logical_id}: {message}", level)

    def prop(self, logical_id: str, name: str, what: str | None = None, raw: Any = None) -> Any:
        """A property with intrinsics evaluated; UNKNOWN parts reported (and None returned).
        ``raw``: the property as the caller prepared it (else as the template has it)."""
        if raw is None:
            raw = self.resolver.properties(logical_id).get(name)
        if raw is None:
            return None
        value = self.resolver.resolve(raw)
        unknown = contains_unknown(value)
        if unknown:
            self.unknown.add((logical_id, name))
            self.problem(
                logical_id,
                f"{name}{'' if unknown == ['(value)'] else ' ' + ', '.join(unknown)} is known "
                f"only at deploy time; {what or 'left out'}",
                ProblemLevel.WARNING,
                ("Properties", name),
            )
            return None
        return value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _file_system(t: Template, logical_id: str) -> None:
    fs_id = t.resolver.resource_id(logical_id)
    name = None
    for tag in _list(t.prop(logical_id, "FileSystemTags")):
        if isinstance(tag, Mapping) and tag.get("Key") == "Name":
            name = tag.get("Value")
    account, region = t.resolver.account, t.resolver.region
    raw = {
        "FileSystemId": fs_id,
        "FileSystemArn": file_system_arn(fs_id, region, account) if account and region else None,
        "OwnerId": account,
        "Name": name,
        "Encrypted": t.prop(logical_id, "Encrypted"),
        "AvailabilityZoneName": t.prop(logical_id, "AvailabilityZoneName"),
    }
    props: FieldPath = ("Properties",)
    t.builder.file_system(raw, t.source(logical_id, {("Encrypted",): (*props, "Encrypted")}))
    raw_policy = t.resolver.properties(logical_id).get("FileSystemPolicy")
    policy_path: FieldPath = (*props, "FileSystemPolicy")
    if raw_policy is None:
        # The template sets no policy: the file system is created without one, so EFS's
        # default policy applies (efs-semantics.md §4.2; FileSystemPolicy is the only way a
        # template sets it).
        t.builder.policy(fs_id, None, None, t.source(logical_id, {(): policy_path}))
        return
    document = t.prop(
        logical_id,
        "FileSystemPolicy",
        "the file system's policy is unknown",
        _own_resources(t, logical_id, raw_policy),
    )
    if not isinstance(document, Mapping):
        return
    fields: dict[FieldPath, FieldPath] = {
        (): policy_path,
        ("Policy",): policy_path,
        ("Statement",): (*policy_path, "Statement"),
    }
    for index, _ in enumerate(_list(raw_policy.get("Statement"))):
        fields[("Statement", index)] = (*policy_path, "Statement", index)
        for key in ("Principal", "Action", "Condition", "Effect", "Resource"):
            fields[("Statement", index, key)] = (*policy_path, "Statement", index, key)
    t.builder.policy(fs_id, document, None, t.source(logical_id, fields))


def _own_resources(t: Template, logical_id: str, raw_policy: Any) -> Any:
    """The file system's own policy with each statement's ``Resource`` evaluated for this
    file system: ``AWS::Region`` and ``AWS::AccountId`` there are the stack's, which are the
    file system's own, so before deploy they stand for "this file system's region/account"
    (``*`` in the symbolic ARN, engine/iam/file_systems.py) rather than leaving the whole
    policy unknown. Other properties, and other statements' elements, are left as they are."""
    statements = raw_policy.get("Statement") if isinstance(raw_policy, Mapping) else None
    resolver = t.resolver
    if not isinstance(statements, list) or (resolver.region and resolver.account):
        return raw_policy
    symbolic = replace(resolver, region=resolver.region or "*", account=resolver.account or "*")
    own: list[Any] = []
    for index, statement in enumerate(statements):
        own.append(statement)
        if not isinstance(statement, Mapping) or "Resource" not in statement:
            continue
        try:
            resource = symbolic.resolve(statement["Resource"])
        except BadIntrinsic:
            continue  # reported when the policy itself is read
        if contains_unknown(resource) or resource == statement["Resource"]:
            continue
        own[index] = {**statement, "Resource": resource}
        t.problem(
            logical_id,
            f"FileSystemPolicy Statement[{index}].Resource names the stack's region or "
            "account, known only at deploy time: evaluated as this file system",
            ProblemLevel.DEBUG,
            ("Properties", "FileSystemPolicy", "Statement", index, "Resource"),
        )
    return {**raw_policy, "Statement": own}


def _mount_target(t: Template, logical_id: str) -> None:
    fs_id = t.prop(logical_id, "FileSystemId", "the mount target is not checked")
    if not isinstance(fs_id, str):
        return
    subnet = t.prop(logical_id, "SubnetId")
    zone = None
    raw_subnet = t.resolver.properties(logical_id).get("SubnetId")
    if isinstance(raw_subnet, Mapping) and isinstance(raw_subnet.get("Ref"), str):
        zone = t.resolver.resolve(t.resolver.properties(raw_subnet["Ref"]).get("AvailabilityZone"))
    groups = t.prop(logical_id, "SecurityGroups", "its security groups are unknown")
    raw = {
        "MountTargetId": t.resolver.resource_id(logical_id),
        "FileSystemId": fs_id,
        "SubnetId": subnet,
        "IpAddress": t.prop(logical_id, "IpAddress"),
        "AvailabilityZoneName": zone if isinstance(zone, str) else None,
    }
    fields = {("FileSystemId",): ("Properties", "FileSystemId")}
    group_ids = tuple(str(g) for g in _list(groups)) if groups is not None else None
    t.builder.mount_target(raw, group_ids, t.source(logical_id, fields))


def _access_point(t: Template, logical_id: str) -> None:
    fs_id = t.prop(logical_id, "FileSystemId", "the access point is not checked")
    if not isinstance(fs_id, str):
        return
    raw: dict[str, Any] = {
        "AccessPointId": t.resolver.resource_id(logical_id),
        "FileSystemId": fs_id,
    }
    posix = t.prop(logical_id, "PosixUser")
    if isinstance(posix, Mapping):
        raw["PosixUser"] = dict(posix)
    root = t.prop(logical_id, "RootDirectory")
    if isinstance(root, Mapping):
        raw["RootDirectory"] = dict(root)
    if t.was_unknown(logical_id, "PosixUser", "RootDirectory"):
        return  # without them the access point would read as a different one
    fields = {
        ("PosixUser",): ("Properties", "PosixUser"),
        ("RootDirectory",): ("Properties", "RootDirectory"),
    }
    t.builder.access_point(raw, t.source(logical_id, fields))


def _permission(rule: Mapping[str, Any], direction: str) -> dict[str, Any]:
    protocol = str(rule.get("IpProtocol", "-1")).lower()
    permission: dict[str, Any] = {"IpProtocol": protocol}
    if protocol not in ("-1", "all"):
        permission["FromPort"] = rule.get("FromPort")
        permission["ToPort"] = rule.get("ToPort")
    peer_group = "SourceSecurityGroupId" if direction == "ingress" else "DestinationSecurityGroupId"
    peer_list = "SourcePrefixListId" if direction == "ingress" else "DestinationPrefixListId"
    permission["IpRanges"] = [{"CidrIp": rule["CidrIp"]}] if rule.get("CidrIp") else []
    permission["Ipv6Ranges"] = [{"CidrIpv6": rule["CidrIpv6"]}] if rule.get("CidrIpv6") else []
    permission["UserIdGroupPairs"] = [{"GroupId": rule[peer_group]}] if rule.get(peer_group) else []
    permission["PrefixListIds"] = [{"PrefixListId": rule[peer_list]}] if rule.get(peer_list) else []
    return permission


def _security_group(t: Template, logical_id: str) -> None:
    ingress = [
        _permission(r, "ingress")
        for r in _list(t.prop(logical_id, "SecurityGroupIngress", "its rules are unknown"))
        if isinstance(r, Mapping)
    ]
    egress_raw = t.resolver.properties(logical_id).get("SecurityGroupEgress")
    if egress_raw is None:
        # Without egress rules a VPC security group keeps its default allow-all egress rule
        # (CloudFormation User Guide, AWS::EC2::SecurityGroup, SecurityGroupEgress).
        egress = [_permission({"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}, "egress")]
    else:
        egress = [
            _permission(r, "egress")
            for r in _list(t.prop(logical_id, "SecurityGroupEgress", "its rules are unknown"))
            if isinstance(r, Mapping)
        ]
    if t.was_unknown(logical_id, "SecurityGroupIngress", "SecurityGroupEgress"):
        t.incomplete(t.resolver.resource_id(logical_id), logical_id, "its rules are")
    raw = {
        "GroupId": t.resolver.resource_id(logical_id),
        "GroupName": t.prop(logical_id, "GroupName"),
        "VpcId": t.prop(logical_id, "VpcId"),
        "IpPermissions": ingress,
        "IpPermissionsEgress": egress,
    }
    fields = {
        ("IpPermissions",): ("Properties", "SecurityGroupIngress"),
        ("IpPermissionsEgress",): ("Properties", "SecurityGroupEgress"),
    }
    t.builder.security_group(raw, t.source(logical_id, fields))


def _security_group_rule(t: Template, logical_id: str) -> None:
    direction = (
        "ingress"
        if t.resolver.type_of(logical_id) == "AWS::EC2::SecurityGroupIngress"
        else "egress"
    )
    group = t.prop(logical_id, "GroupId", "the rule is not applied")
    if not isinstance(group, str):
        t.incomplete("*sg", logical_id, "the group of a rule is")
        return
    rule = t.resolver.resolve(dict(t.resolver.properties(logical_id)))
    if not isinstance(rule, Mapping) or contains_unknown(rule):
        t.incomplete(group, logical_id, "a rule of the group is")
        return
    t.builder.security_group_rule(
        group, direction, _permission(rule, direction), t.source(logical_id)
    )


def _subnet(t: Template, logical_id: str) -> None:
    raw = {
        "SubnetId": t.resolver.resource_id(logical_id),
        "VpcId": t.prop(logical_id, "VpcId"),
        "AvailabilityZone": t.prop(logical_id, "AvailabilityZone"),
        "CidrBlock": t.prop(logical_id, "CidrBlock"),
    }
    t.builder.subnet(raw, t.source(logical_id))


def _vpc(t: Template, logical_id: str) -> None:
    vpc_id = t.resolver.resource_id(logical_id)
    t.builder.vpc(
        {"VpcId": vpc_id, "CidrBlock": t.prop(logical_id, "CidrBlock")}, t.source(logical_id)
    )
    # Defaults: EnableDnsSupport true, EnableDnsHostnames false (AWS::EC2::VPC).
    for key, name, default in (
        ("EnableDnsSupport", "enableDnsSupport", True),
        ("EnableDnsHostnames", "enableDnsHostnames", False),
    ):
        value = t.prop(logical_id, key)
        if isinstance(value, str):
            value = value.lower() == "true"
        if value is None:
            value = default
        if isinstance(value, bool):
            source = t.source(logical_id, {(): ("Properties", key)})
            t.builder.inventory.vpc_dns[(vpc_id, name)] = VpcDnsAttribute(
                vpc_id, name, value, source
            )


def _role(t: Template, logical_id: str) -> None:
    name = t.resolver.role_name(logical_id)
    if "RoleName" not in t.resolver.properties(logical_id):
        t.problem(
            logical_id,
            f"RoleName not set: CloudFormation generates the name; it stands as {name}",
            ProblemLevel.DEBUG,
        )
    inline = [
        {"PolicyName": p.get("PolicyName"), "PolicyDocument": p.get("PolicyDocument")}
        for p in _list(t.prop(logical_id, "Policies", "its inline policies are unknown"))
        if isinstance(p, Mapping) and isinstance(p.get("PolicyDocument"), Mapping)
    ]
    attached = [
        {"PolicyArn": a, "PolicyName": a.rsplit("/", 1)[-1]}
        for a in _list(t.prop(logical_id, "ManagedPolicyArns", "its managed policies are unknown"))
        if isinstance(a, str)
    ]
    if t.was_unknown(logical_id, "Policies", "ManagedPolicyArns"):
        t.incomplete(name, logical_id, "policies of the role are")
    raw = {
        "RoleName": name,
        "Arn": t.resolver.role_arn(logical_id),
        "AssumeRolePolicyDocument": t.prop(logical_id, "AssumeRolePolicyDocument"),
        "RolePolicyList": inline,
        "AttachedManagedPolicies": attached,
    }
    fields = {("AssumeRolePolicyDocument",): ("Properties", "AssumeRolePolicyDocument")}
    t.builder.role(raw, t.source(logical_id, fields))


def _role_names(t: Template, logical_id: str) -> list[str]:
    return [r for r in _list(t.prop(logical_id, "Roles")) if isinstance(r, str)]


def _policy(t: Template, logical_id: str) -> None:
    document = t.prop(logical_id, "PolicyDocument", "the policy is not applied")
    name = t.prop(logical_id, "PolicyName") or logical_id
    roles = _role_names(t, logical_id)
    if t.was_unknown(logical_id, "Roles"):
        t.incomplete("*role", logical_id, "the roles of a policy are")
    for role in roles:
        if isinstance(document, Mapping):
            t.builder.role_policy(role, str(name), document, t.source(logical_id))
        else:
            t.incomplete(role, logical_id, "a policy of the role is")


def _managed_policy(t: Template, logical_id: str) -> None:
    arn = t.resolver.managed_policy_arn(logical_id)
    document = t.prop(logical_id, "PolicyDocument", "the policy is unknown")
    t.builder.managed_policy(
        arn,
        arn.rsplit("/", 1)[-1],
        document if isinstance(document, Mapping) else None,
        t.source(logical_id),
    )
    for role in _role_names(t, logical_id):
        t.builder.role_attachment(role, arn, t.source(logical_id))


def _pod_identity(t: Template, logical_id: str) -> None:
    role = t.prop(logical_id, "RoleArn", "the association is not checked")
    if not isinstance(role, str):
        return
    raw = {
        "clusterName": t.prop(logical_id, "ClusterName"),
        "namespace": t.prop(logical_id, "Namespace"),
        "serviceAccount": t.prop(logical_id, "ServiceAccount"),
        "roleArn": role,
    }
    t.builder.pod_identity(raw, t.source(logical_id, {("roleArn",): ("Properties", "RoleArn")}))


def _json_property(t: Template, logical_id: str, name: str, what: str) -> Any:
    """A property the CDK writes as a JSON string (often built with Fn::Join)."""
    text = t.prop(logical_id, name, what)
    if text is None:
        return None
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError as error:
        t.problem(
            logical_id,
            f"{name} is not valid JSON: {error}",
            ProblemLevel.ERROR,
            ("Properties", name),
        )
        return None


def kubernetes_resource(t: Template, logical_id: str) -> None:
    """``eks.KubernetesManifest`` / ``cluster.addManifest``: ``Manifest`` is a JSON list."""
    manifests = _json_property(
        t, logical_id, "Manifest", "these Kubernetes objects are not checked"
    )
    for manifest in _list(manifests):
        if isinstance(manifest, Mapping):
            t.builder.kubernetes(manifest, t.source(logical_id, {(): ("Properties", "Manifest")}))


def _helm_chart(t: Template, logical_id: str) -> None:
    chart = t.prop(logical_id, "Chart")
    if not isinstance(chart, str) or not is_efs_csi_chart(chart):
        return
    values = _json_property(t, logical_id, "Values", "the chart's values are unknown")
    if values is None and t.resolver.properties(logical_id).get("Values") is not None:
        return  # reported: what the chart creates is not known
    namespace = t.prop(logical_id, "Namespace") or "default"
    chart_values = values if isinstance(values, Mapping) else {}
    source = t.source(logical_id, {(): ("Properties", "Values")})
    for manifest in efs_csi_service_accounts(chart_values, str(namespace)):
        t.builder.kubernetes(manifest, source)
    for manifest in efs_csi_storage_classes(chart_values):
        t.builder.kubernetes(manifest, source)


MAPPERS: dict[str, Callable[[Template, str], None]] = {
    "AWS::EFS::FileSystem": _file_system,
    "AWS::EFS::MountTarget": _mount_target,
    "AWS::EFS::AccessPoint": _access_point,
    "AWS::EC2::SecurityGroup": _security_group,
    "AWS::EC2::SecurityGroupIngress": _security_group_rule,
    "AWS::EC2::SecurityGroupEgress": _security_group_rule,
    "AWS::EC2::Subnet": _subnet,
    "AWS::EC2::VPC": _vpc,
    "AWS::IAM::Role": _role,
    "AWS::IAM::Policy": _policy,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::EKS::PodIdentityAssociation": _pod_identity,
    KUBERNETES_RESOURCE: kubernetes_resource,
    HELM_CHART: _helm_chart,
}
