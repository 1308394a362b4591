"""AWS resources on the mount path, normalised from AWS CLI/boto3 JSON shapes.

Field names follow the EFS, EC2, IAM and EKS API shapes (the same whether saved with
``aws ... --output json`` or returned by boto3), so live and offline inputs meet here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from efs_doctor.model.fields import FieldReader
from efs_doctor.model.problems import InputProblem
from efs_doctor.model.source import LIVE, SourceMap


def _label(kind: str, raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return f"{kind} {value}" if isinstance(value, str) else kind


@dataclass(frozen=True, slots=True, eq=False)
class FileSystem:
    """An EFS file system, as ``describe-file-systems`` gives it."""

    id: str
    arn: str | None
    owner_id: str | None
    name: str | None
    lifecycle_state: str | None
    availability_zone_name: str | None  # set for One Zone file systems
    encrypted: bool | None
    source: SourceMap = LIVE

    kind = "FileSystem"

    @property
    def region(self) -> str | None:
        if self.arn and self.arn.count(":") >= 5:
            return self.arn.split(":")[3] or None
        return None

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[FileSystem, list[InputProblem]]:
        r = FieldReader(raw, source, _label("FileSystem", raw, "FileSystemId"))
        fs = cls(
            id=r.string("FileSystemId") or "",
            arn=r.string("FileSystemArn"),
            owner_id=r.string("OwnerId"),
            name=r.string("Name"),
            lifecycle_state=r.string("LifeCycleState"),
            availability_zone_name=r.string("AvailabilityZoneName"),
            encrypted=r.boolean("Encrypted"),
            source=source,
        )
        return fs, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class FileSystemPolicy:
    """A file system's resource policy, or the known absence of one (``document is None``).

    contracts.md: a policy that is merely not among the inputs is unknown (no object at all);
    a ``PolicyNotFound`` answer is a known absence, under which the default policy applies.
    """

    file_system_id: str
    document: Mapping[str, Any] | None
    text: str | None  # the policy as written (size limits count characters of this)
    source: SourceMap = LIVE
    text_source: SourceMap | None = None  # positions inside ``text`` when it was a file itself

    kind = "FileSystemPolicy"

    @property
    def absent(self) -> bool:
        return self.document is None


@dataclass(frozen=True, slots=True, eq=False)
class MountTarget:
    """A file system's mount target in one subnet (``describe-mount-targets``)."""

    id: str
    file_system_id: str
    subnet_id: str | None
    vpc_id: str | None
    availability_zone_name: str | None
    availability_zone_id: str | None
    ip_address: str | None
    ipv6_address: str | None
    lifecycle_state: str | None
    network_interface_id: str | None
    owner_id: str | None
    source: SourceMap = LIVE

    kind = "MountTarget"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[MountTarget, list[InputProblem]]:
        r = FieldReader(raw, source, _label("MountTarget", raw, "MountTargetId"))
        mt = cls(
            id=r.string("MountTargetId") or "",
            file_system_id=r.string("FileSystemId") or "",
            subnet_id=r.string("SubnetId"),
            vpc_id=r.string("VpcId"),
            availability_zone_name=r.string("AvailabilityZoneName"),
            availability_zone_id=r.string("AvailabilityZoneId"),
            ip_address=r.string("IpAddress"),
            ipv6_address=r.string("Ipv6Address"),
            lifecycle_state=r.string("LifeCycleState"),
            network_interface_id=r.string("NetworkInterfaceId"),
            owner_id=r.string("OwnerId"),
            source=source,
        )
        return mt, r.problems


@dataclass(frozen=True, slots=True)
class PosixUser:
    """The POSIX identity an access point enforces on every request through it."""

    uid: int
    gid: int
    secondary_gids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class CreationInfo:
    """The owner and mode an access point gives its root directory when it creates it."""

    owner_uid: int
    owner_gid: int
    permissions: str


@dataclass(frozen=True, slots=True, eq=False)
class AccessPoint:
    """An EFS access point, as ``describe-access-points`` gives it."""

    id: str
    arn: str | None
    file_system_id: str
    lifecycle_state: str | None
    posix_user: PosixUser | None
    root_path: str
    creation_info: CreationInfo | None
    owner_id: str | None
    source: SourceMap = LIVE

    kind = "AccessPoint"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[AccessPoint, list[InputProblem]]:
        r = FieldReader(raw, source, _label("AccessPoint", raw, "AccessPointId"))
        posix = None
        if r.mapping("PosixUser"):
            uid, gid = r.integer("PosixUser", "Uid"), r.integer("PosixUser", "Gid")
            if uid is not None and gid is not None:
                secondary = tuple(
                    g
                    for i, _ in enumerate(r.items("PosixUser", "SecondaryGids"))
                    if (g := r.integer("PosixUser", "SecondaryGids", i)) is not None
                )
                posix = PosixUser(uid, gid, secondary)
        creation = None
        if r.mapping("RootDirectory", "CreationInfo"):
            owner_uid = r.integer("RootDirectory", "CreationInfo", "OwnerUid")
            owner_gid = r.integer("RootDirectory", "CreationInfo", "OwnerGid")
            permissions = r.string("RootDirectory", "CreationInfo", "Permissions")
            if owner_uid is not None and owner_gid is not None and permissions is not None:
                creation = CreationInfo(owner_uid, owner_gid, permissions)
        ap = cls(
            id=r.string("AccessPointId") or "",
            arn=r.string("AccessPointArn"),
            file_system_id=r.string("FileSystemId") or "",
            lifecycle_state=r.string("LifeCycleState"),
            posix_user=posix,
            root_path=r.string("RootDirectory", "Path") or "/",
            creation_info=creation,
            owner_id=r.string("OwnerId"),
            source=source,
        )
        return ap, r.problems


@dataclass(frozen=True, slots=True)
class SecurityGroupRule:
    """One IpPermission: protocol '-1' means all; ports are None for all ports."""

    protocol: str
    from_port: int | None
    to_port: int | None
    cidrs: tuple[str, ...] = ()
    ipv6_cidrs: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()
    prefix_list_ids: tuple[str, ...] = ()

    def covers_tcp_port(self, port: int) -> bool:
        if self.protocol not in ("-1", "tcp", "6", "all"):
            return False  # another protocol, or IpProtocol missing or unreadable
        if self.protocol in ("-1", "all"):
            return True
        if self.from_port is None or self.to_port is None:
            # The API always gives a TCP rule its ports; a rule whose ports could not be read
            # (the loader warned) admits nothing rather than everything.
            return False
        if self.from_port == -1 and self.to_port == -1:
            return True
        return self.from_port <= port <= self.to_port


def _rules(r: FieldReader, key: str) -> tuple[SecurityGroupRule, ...]:
    rules = []
    for i, _ in enumerate(r.items(key)):
        rules.append(
            SecurityGroupRule(
                protocol=(r.string(key, i, "IpProtocol") or "").lower(),
                from_port=r.integer(key, i, "FromPort"),
                to_port=r.integer(key, i, "ToPort"),
                cidrs=tuple(
                    c
                    for j, _ in enumerate(r.items(key, i, "IpRanges"))
                    if (c := r.string(key, i, "IpRanges", j, "CidrIp"))
                ),
                ipv6_cidrs=tuple(
                    c
                    for j, _ in enumerate(r.items(key, i, "Ipv6Ranges"))
                    if (c := r.string(key, i, "Ipv6Ranges", j, "CidrIpv6"))
                ),
                group_ids=tuple(
                    g
                    for j, _ in enumerate(r.items(key, i, "UserIdGroupPairs"))
                    if (g := r.string(key, i, "UserIdGroupPairs", j, "GroupId"))
                ),
                prefix_list_ids=tuple(
                    p
                    for j, _ in enumerate(r.items(key, i, "PrefixListIds"))
                    if (p := r.string(key, i, "PrefixListIds", j, "PrefixListId"))
                ),
            )
        )
    return tuple(rules)


@dataclass(frozen=True, slots=True, eq=False)
class SecurityGroup:
    """A security group with its inbound and outbound rules (``describe-security-groups``)."""

    id: str
    name: str | None
    vpc_id: str | None
    ingress: tuple[SecurityGroupRule, ...]
    egress: tuple[SecurityGroupRule, ...]
    source: SourceMap = LIVE

    kind = "SecurityGroup"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[SecurityGroup, list[InputProblem]]:
        r = FieldReader(raw, source, _label("SecurityGroup", raw, "GroupId"))
        sg = cls(
            id=r.string("GroupId") or "",
            name=r.string("GroupName"),
            vpc_id=r.string("VpcId"),
            ingress=_rules(r, "IpPermissions"),
            egress=_rules(r, "IpPermissionsEgress"),
            source=source,
        )
        return sg, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class NetworkInterface:
    """A network interface: where an address lives and the security groups it has."""

    id: str
    subnet_id: str | None
    vpc_id: str | None
    availability_zone: str | None
    private_ip: str | None
    group_ids: tuple[str, ...]
    instance_id: str | None
    description: str | None
    interface_type: str | None
    source: SourceMap = LIVE

    kind = "NetworkInterface"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[NetworkInterface, list[InputProblem]]:
        r = FieldReader(raw, source, _label("NetworkInterface", raw, "NetworkInterfaceId"))
        eni = cls(
            id=r.string("NetworkInterfaceId") or "",
            subnet_id=r.string("SubnetId"),
            vpc_id=r.string("VpcId"),
            availability_zone=r.string("AvailabilityZone"),
            private_ip=r.string("PrivateIpAddress"),
            group_ids=tuple(
                g
                for i, _ in enumerate(r.items("Groups"))
                if (g := r.string("Groups", i, "GroupId"))
            ),
            instance_id=r.string("Attachment", "InstanceId"),
            description=r.string("Description"),
            interface_type=r.string("InterfaceType"),
            source=source,
        )
        return eni, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class Subnet:
    """A subnet: its VPC, zone and address range (``describe-subnets``)."""

    id: str
    vpc_id: str | None
    availability_zone: str | None
    availability_zone_id: str | None
    cidr: str | None
    source: SourceMap = LIVE

    kind = "Subnet"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[Subnet, list[InputProblem]]:
        r = FieldReader(raw, source, _label("Subnet", raw, "SubnetId"))
        subnet = cls(
            id=r.string("SubnetId") or "",
            vpc_id=r.string("VpcId"),
            availability_zone=r.string("AvailabilityZone"),
            availability_zone_id=r.string("AvailabilityZoneId"),
            cidr=r.string("CidrBlock"),
            source=source,
        )
        return subnet, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class Vpc:
    """A VPC and its DHCP options set (``describe-vpcs``)."""

    id: str
    cidr: str | None
    dhcp_options_id: str | None
    source: SourceMap = LIVE

    kind = "Vpc"

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any], source: SourceMap) -> tuple[Vpc, list[InputProblem]]:
        r = FieldReader(raw, source, _label("Vpc", raw, "VpcId"))
        vpc = cls(
            id=r.string("VpcId") or "",
            cidr=r.string("CidrBlock"),
            dhcp_options_id=r.string("DhcpOptionsId"),
            source=source,
        )
        return vpc, r.problems


@dataclass(frozen=True, slots=True)
class VpcDnsAttribute:
    """One ``describe-vpc-attribute`` answer: enableDnsSupport or enableDnsHostnames."""

    vpc_id: str
    attribute: str  # "enableDnsSupport" | "enableDnsHostnames"
    value: bool
    source: SourceMap = LIVE


@dataclass(frozen=True, slots=True)
class NetworkAclEntry:
    """One numbered rule of a network ACL, inbound or outbound."""

    rule_number: int
    egress: bool
    protocol: str  # "-1" all, "6" tcp
    allow: bool
    cidr: str | None
    ipv6_cidr: str | None
    port_from: int | None
    port_to: int | None

    def covers_tcp_port(self, port: int) -> bool:
        if self.protocol == "-1":
            return True
        if self.protocol not in ("6", "tcp"):
            # another protocol; or Protocol missing or unreadable (the loader warned): an
            # allow entry then admits nothing and a deny entry denies all, never the reverse
            return self.protocol == "" and not self.allow
        if self.port_from is None or self.port_to is None:
            return not self.allow  # a TCP entry always has a PortRange; unreadable: as above
        return self.port_from <= port <= self.port_to


@dataclass(frozen=True, slots=True, eq=False)
class NetworkAcl:
    """A network ACL, its rules and the subnets it applies to (``describe-network-acls``)."""

    id: str
    vpc_id: str | None
    is_default: bool
    subnet_ids: tuple[str, ...]
    entries: tuple[NetworkAclEntry, ...]
    source: SourceMap = LIVE

    kind = "NetworkAcl"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[NetworkAcl, list[InputProblem]]:
        r = FieldReader(raw, source, _label("NetworkAcl", raw, "NetworkAclId"))
        entries = []
        for i, _ in enumerate(r.items("Entries")):
            number = r.integer("Entries", i, "RuleNumber")
            if number is None:
                continue
            entries.append(
                NetworkAclEntry(
                    rule_number=number,
                    egress=bool(r.boolean("Entries", i, "Egress")),
                    protocol=r.string("Entries", i, "Protocol") or "",
                    allow=(r.string("Entries", i, "RuleAction") or "").lower() == "allow",
                    cidr=r.string("Entries", i, "CidrBlock"),
                    ipv6_cidr=r.string("Entries", i, "Ipv6CidrBlock"),
                    port_from=r.integer("Entries", i, "PortRange", "From"),
                    port_to=r.integer("Entries", i, "PortRange", "To"),
                )
            )
        acl = cls(
            id=r.string("NetworkAclId") or "",
            vpc_id=r.string("VpcId"),
            is_default=bool(r.boolean("IsDefault")),
            subnet_ids=tuple(
                s
                for i, _ in enumerate(r.items("Associations"))
                if (s := r.string("Associations", i, "SubnetId"))
            ),
            entries=tuple(sorted(entries, key=lambda e: e.rule_number)),
            source=source,
        )
        return acl, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class Instance:
    """An EC2 instance (a node): its address, subnet, security groups, instance profile and
    metadata options."""

    id: str
    private_ip: str | None
    private_dns_name: str | None
    subnet_id: str | None
    vpc_id: str | None
    availability_zone: str | None
    security_group_ids: tuple[str, ...]
    instance_profile_arn: str | None
    http_tokens: str | None  # IMDS: "required" means IMDSv2 only
    http_put_response_hop_limit: int | None
    http_endpoint: str | None
    source: SourceMap = LIVE

    kind = "Instance"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[Instance, list[InputProblem]]:
        r = FieldReader(raw, source, _label("Instance", raw, "InstanceId"))
        groups = [
            g
            for i, _ in enumerate(r.items("SecurityGroups"))
            if (g := r.string("SecurityGroups", i, "GroupId"))
        ]
        for i, _ in enumerate(r.items("NetworkInterfaces")):
            for j, _ in enumerate(r.items("NetworkInterfaces", i, "Groups")):
                group = r.string("NetworkInterfaces", i, "Groups", j, "GroupId")
                if group and group not in groups:
                    groups.append(group)
        instance = cls(
            id=r.string("InstanceId") or "",
            private_ip=r.string("PrivateIpAddress"),
            private_dns_name=r.string("PrivateDnsName"),
            subnet_id=r.string("SubnetId"),
            vpc_id=r.string("VpcId"),
            availability_zone=r.string("Placement", "AvailabilityZone"),
            security_group_ids=tuple(groups),
            instance_profile_arn=r.string("IamInstanceProfile", "Arn"),
            http_tokens=r.string("MetadataOptions", "HttpTokens"),
            http_put_response_hop_limit=r.integer("MetadataOptions", "HttpPutResponseHopLimit"),
            http_endpoint=r.string("MetadataOptions", "HttpEndpoint"),
            source=source,
        )
        return instance, r.problems


def decode_policy_document(value: Any) -> Mapping[str, Any] | None:
    """IAM returns policy documents URL-encoded JSON in some APIs, decoded dicts in others."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str):
        from urllib.parse import unquote

        text = value if value.lstrip().startswith("{") else unquote(value)
        try:
            decoded = json.loads(text)
        except ValueError:
            return None
        return decoded if isinstance(decoded, Mapping) else None
    return None


@dataclass(frozen=True, slots=True, eq=False)
class ManagedPolicy:
    """An IAM managed policy and its default version's document."""

    arn: str
    name: str | None
    document: Mapping[str, Any] | None  # the default version
    source: SourceMap = LIVE

    kind = "ManagedPolicy"


@dataclass(frozen=True, slots=True, eq=False)
class Role:
    """An IAM role: its trust policy, inline policies and attached managed policies."""

    name: str
    arn: str
    trust_policy: Mapping[str, Any] | None
    inline_policies: Mapping[str, Mapping[str, Any]]
    attached_policy_arns: tuple[str, ...]
    instance_profile_arns: tuple[str, ...]
    permissions_boundary_arn: str | None
    source: SourceMap = LIVE

    kind = "Role"

    @property
    def account(self) -> str | None:
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 and parts[4] else None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any], source: SourceMap) -> tuple[Role, list[InputProblem]]:
        r = FieldReader(raw, source, _label("Role", raw, "RoleName"))
        inline: dict[str, Mapping[str, Any]] = {}
        for i, _ in enumerate(r.items("RolePolicyList")):
            name = r.string("RolePolicyList", i, "PolicyName") or f"inline-{i}"
            document = decode_policy_document(
                r.raw["RolePolicyList"][i].get("PolicyDocument")
                if isinstance(r.raw["RolePolicyList"][i], Mapping)
                else None
            )
            if document is not None:
                inline[name] = document
        role = cls(
            name=r.string("RoleName") or "",
            arn=r.string("Arn") or "",
            trust_policy=decode_policy_document(raw.get("AssumeRolePolicyDocument")),
            inline_policies=inline,
            attached_policy_arns=tuple(
                a
                for i, _ in enumerate(r.items("AttachedManagedPolicies"))
                if (a := r.string("AttachedManagedPolicies", i, "PolicyArn"))
            ),
            instance_profile_arns=tuple(
                a
                for i, _ in enumerate(r.items("InstanceProfileList"))
                if (a := r.string("InstanceProfileList", i, "Arn"))
            ),
            permissions_boundary_arn=r.string("PermissionsBoundary", "PermissionsBoundaryArn"),
            source=source,
        )
        return role, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class InstanceProfile:
    """An instance profile and the roles it passes to its instances."""

    arn: str
    name: str | None
    role_arns: tuple[str, ...]
    source: SourceMap = LIVE

    kind = "InstanceProfile"


@dataclass(frozen=True, slots=True, eq=False)
class EksCluster:
    """An EKS cluster: its OIDC issuer, VPC and cluster security group."""

    name: str
    arn: str | None
    oidc_issuer: str | None
    vpc_id: str | None
    version: str | None
    cluster_security_group_id: str | None
    source: SourceMap = LIVE

    kind = "EksCluster"

    @property
    def region(self) -> str | None:
        if self.arn and self.arn.count(":") >= 5:
            return self.arn.split(":")[3] or None
        return None

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[EksCluster, list[InputProblem]]:
        r = FieldReader(raw, source, _label("EksCluster", raw, "name"))
        cluster = cls(
            name=r.string("name") or "",
            arn=r.string("arn"),
            oidc_issuer=r.string("identity", "oidc", "issuer"),
            vpc_id=r.string("resourcesVpcConfig", "vpcId"),
            version=r.string("version"),
            cluster_security_group_id=r.string("resourcesVpcConfig", "clusterSecurityGroupId"),
            source=source,
        )
        return cluster, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class NodeGroup:
    """Nodes declared before they exist (an eksctl node group, ``aws_eks_node_group``): where
    they will run, for the checks that have no Node to pair with. ``security_group_ids`` are
    the groups known to be attached (a group created at deploy time is not among them);
    ``subnet_ids`` the subnets the nodes are placed in, empty when not known."""

    name: str
    cluster_name: str | None
    security_group_ids: tuple[str, ...]
    subnet_ids: tuple[str, ...]
    source: SourceMap = LIVE

    kind = "NodeGroup"

    @property
    def id(self) -> str:
        return f"{self.cluster_name}/{self.name}" if self.cluster_name else self.name


@dataclass(frozen=True, slots=True, eq=False)
class PodIdentityAssociation:
    """An EKS Pod Identity association: a service account and the role its pods get."""

    cluster_name: str | None
    namespace: str
    service_account: str
    role_arn: str
    association_id: str | None
    source: SourceMap = LIVE

    kind = "PodIdentityAssociation"

    @property
    def id(self) -> str:
        return self.association_id or f"{self.namespace}/{self.service_account}"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[PodIdentityAssociation, list[InputProblem]]:
        r = FieldReader(raw, source, _label("PodIdentityAssociation", raw, "associationId"))
        association = cls(
            cluster_name=r.string("clusterName"),
            namespace=r.string("namespace") or "",
            service_account=r.string("serviceAccount") or "",
            role_arn=r.string("roleArn") or "",
            association_id=r.string("associationId"),
            source=source,
        )
        return association, r.problems


@dataclass(frozen=True, slots=True)
class CallerIdentity:
    """Who made the saved AWS calls (``sts get-caller-identity``)."""

    account: str
    arn: str | None
    source: SourceMap = LIVE
