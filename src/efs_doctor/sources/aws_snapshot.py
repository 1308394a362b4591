"""Saved AWS CLI output (``--output json``), recognised by its content, not its file name.

Each recogniser looks at the top-level keys the AWS CLI prints for one call and turns the
answer into model objects. The same shapes come back from boto3, so live collection feeds
its answers through here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from efs_doctor.model.aws import (
    AccessPoint,
    CallerIdentity,
    EksCluster,
    FileSystem,
    FileSystemPolicy,
    Instance,
    InstanceProfile,
    ManagedPolicy,
    MountTarget,
    NetworkAcl,
    NetworkInterface,
    PodIdentityAssociation,
    Role,
    SecurityGroup,
    Subnet,
    Vpc,
    VpcDnsAttribute,
    decode_policy_document,
)
from efs_doctor.model.fields import FieldReader
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.model.source import SourceMap
from efs_doctor.sources.documents import Document

Handler = Callable[[Mapping[str, Any], SourceMap, Inventory, list[InputProblem]], None]

# Section names recorded in Inventory.aws_sections: engines use them to tell "none exist"
# from "not provided".
FILE_SYSTEMS = "file-systems"
MOUNT_TARGETS = "mount-targets"
ACCESS_POINTS = "access-points"
SECURITY_GROUPS = "security-groups"
NETWORK_INTERFACES = "network-interfaces"
SUBNETS = "subnets"
VPCS = "vpcs"
NETWORK_ACLS = "network-acls"
INSTANCES = "instances"
IAM = "iam"
EKS = "eks"
POD_IDENTITY = "pod-identity-associations"


# How a problem in a saved answer names what it is in (the file and position say which).
ANSWER = "AWS CLI answer"


def _sub(source: SourceMap, *prefix: str | int) -> SourceMap:
    return source.sub(*prefix)


def _each(
    data: Mapping[str, Any], key: str, source: SourceMap, problems: list[InputProblem]
) -> tuple[list[tuple[Mapping[str, Any], SourceMap]], bool]:
    """The objects listed under ``key``, and whether the list was read whole (anything else
    there is one ``file:line`` error naming the type, and the list is not whole)."""
    reader = FieldReader(data, source, ANSWER)
    found, whole = reader.objects(key)
    problems.extend(reader.problems)
    return [(item, _sub(source, key, i)) for i, item in found], whole


def _provided(inventory: Inventory, section: str, whole: bool) -> None:
    """Record an answer of ``section``: one not read whole leaves the section unknown, so
    the engines say "not provided" instead of reading "none exist"."""
    (inventory.aws_sections if whole else inventory.aws_unreadable).add(section)


def _listing(
    key: str, section: str, read: Callable[..., tuple[Any, list[InputProblem]]], store: str
) -> Handler:
    """A handler for an answer that lists one kind of object under ``key`` (most Describe
    calls): each item is read into the model and stored by id in ``Inventory.<store>``."""

    def handle(d: Mapping[str, Any], s: SourceMap, inv: Inventory, p: list[InputProblem]) -> None:
        listed, whole = _each(d, key, s, p)
        _provided(inv, section, whole)
        objects = getattr(inv, store)
        for raw, source in listed:
            obj, found = read(raw, source)
            p.extend(found)
            if obj.id:
                objects[obj.id] = obj

    return handle


_file_systems = _listing("FileSystems", FILE_SYSTEMS, FileSystem.from_raw, "file_systems")
_mount_targets = _listing("MountTargets", MOUNT_TARGETS, MountTarget.from_raw, "mount_targets")
_access_points = _listing("AccessPoints", ACCESS_POINTS, AccessPoint.from_raw, "access_points")
_security_groups = _listing(
    "SecurityGroups", SECURITY_GROUPS, SecurityGroup.from_raw, "security_groups"
)
_network_interfaces = _listing(
    "NetworkInterfaces", NETWORK_INTERFACES, NetworkInterface.from_raw, "network_interfaces"
)
_subnets = _listing("Subnets", SUBNETS, Subnet.from_raw, "subnets")
_vpcs = _listing("Vpcs", VPCS, Vpc.from_raw, "vpcs")
_network_acls = _listing("NetworkAcls", NETWORK_ACLS, NetworkAcl.from_raw, "network_acls")


def _policy(d: Mapping[str, Any], s: SourceMap, inv: Inventory, p: list[InputProblem]) -> None:
    fs_id = d.get("FileSystemId")
    if not isinstance(fs_id, str):
        p.append(InputProblem(s.location(), "file system policy answer without FileSystemId"))
        return
    error = d.get("Error")
    if isinstance(error, Mapping):
        if error.get("Code") == "PolicyNotFound":
            inv.add_policy(FileSystemPolicy(fs_id, None, None, s))
        else:
            p.append(
                InputProblem(
                    s.location("Error"),
                    f"describe-file-system-policy for {fs_id} failed with {error.get('Code')}; "
                    "the policy is unknown",
                    ProblemLevel.WARNING,
                )
            )
        return
    text = d.get("Policy")
    if not isinstance(text, str):
        p.append(InputProblem(s.location("Policy"), "Policy must be a JSON string"))
        return
    try:
        document = json.loads(text)
    except ValueError as error:
        p.append(InputProblem(s.location("Policy"), f"Policy is not valid JSON: {error}"))
        return
    if not isinstance(document, Mapping):
        p.append(InputProblem(s.location("Policy"), "Policy must be a JSON object"))
        return
    inv.add_policy(FileSystemPolicy(fs_id, document, text, s))


def _mount_target_groups(
    d: Mapping[str, Any], s: SourceMap, inv: Inventory, p: list[InputProblem]
) -> None:
    """describe-mount-target-security-groups has no mount target id in its answer; a saved
    file must carry it (efs-doctor snapshot writes ``MountTargetId`` beside the list)."""
    mt_id = d.get("MountTargetId")
    groups = d.get("SecurityGroups")
    if not isinstance(groups, list):  # neither this answer nor describe-security-groups
        _each(d, "SecurityGroups", s, p)  # the error naming the type
        return
    if isinstance(mt_id, str):
        inv.mount_target_groups[mt_id] = tuple(str(g) for g in groups)
    else:
        p.append(
            InputProblem(
                s.location(),
                "describe-mount-target-security-groups output needs a MountTargetId field "
                "beside SecurityGroups to be usable; skipped",
                ProblemLevel.WARNING,
            )
        )


def _vpc_attribute(
    d: Mapping[str, Any], s: SourceMap, inv: Inventory, p: list[InputProblem]
) -> None:
    vpc_id = d.get("VpcId")
    if not isinstance(vpc_id, str):
        p.append(InputProblem(s.location(), "describe-vpc-attribute output without VpcId"))
        return
    for key, attribute in (
        ("EnableDnsSupport", "enableDnsSupport"),
        ("EnableDnsHostnames", "enableDnsHostnames"),
    ):
        value = d.get(key)
        if isinstance(value, Mapping) and isinstance(value.get("Value"), bool):
            inv.vpc_dns[(vpc_id, attribute)] = VpcDnsAttribute(
                vpc_id, attribute, bool(value["Value"]), _sub(s, key)
            )


def _instances(d: Mapping[str, Any], s: SourceMap, inv: Inventory, p: list[InputProblem]) -> None:
    reader = FieldReader(d, s, ANSWER)
    reservations, whole = reader.objects("Reservations")
    listed: list[tuple[Mapping[str, Any], SourceMap]] = []
    for r, _reservation in reservations:
        instances, whole_reservation = reader.objects("Reservations", r, "Instances")
        whole = whole and whole_reservation
        listed.extend((raw, _sub(s, "Reservations", r, "Instances", i)) for i, raw in instances)
    p.extend(reader.problems)
    _provided(inv, INSTANCES, whole)
    for raw, source in listed:
        instance, found = Instance.from_raw(raw, source)
        p.extend(found)
        if instance.id:
            inv.instances[instance.id] = instance


def _add_role(
    raw: Mapping[str, Any], source: SourceMap, inv: Inventory, p: list[InputProblem]
) -> None:
    role, found = Role.from_raw(raw, source)
    p.extend(found)
    if role.arn:
        known = inv.roles.get(role.arn)
        inv.roles[role.arn] = role if known is None else _merge_roles(known, role)
    for profile, profile_source in _each(raw, "InstanceProfileList", source, p)[0]:
        arn = profile.get("Arn")
        if isinstance(arn, str):
            listed = profile.get("Roles")
            roles = tuple(
                str(r["Arn"])
                for r in (listed if isinstance(listed, list) else ())
                if isinstance(r, Mapping) and isinstance(r.get("Arn"), str)
            ) or ((role.arn,) if role.arn else ())
            name = profile.get("InstanceProfileName")
            inv.instance_profiles[arn] = InstanceProfile(
                arn, name if isinstance(name, str) else None, roles, profile_source
            )


def _merge_roles(known: Role, new: Role) -> Role:
    """One role read twice, e.g. from get-account-authorization-details and from get-role.

    get-role answers carry no inline policies, attached policies or instance profiles; they
    are not evidence that the role has none, so what either answer tells is kept."""
    return Role(
        name=new.name or known.name,
        arn=new.arn,
        trust_policy=new.trust_policy if new.trust_policy is not None else known.trust_policy,
        inline_policies={**known.inline_policies, **new.inline_policies},
        attached_policy_arns=tuple(
            dict.fromkeys((*known.attached_policy_arns, *new.attached_policy_arns))
        ),
        instance_profile_arns=tuple(
            dict.fromkeys((*known.instance_profile_arns, *new.instance_profile_arns))
        ),
        permissions_boundary_arn=new.permissions_boundary_arn or known.permissions_boundary_arn,
        source=known.source if _role_detail(known) >= _role_detail(new) else new.source,
    )


def _role_detail(role: Role) -> int:
    return (
        len(role.inline_policies) + len(role.attached_policy_arns) + len(role.instance_profile_arns)
    )


def _authorization_details(
    d: Mapping[str, Any], s: SourceMap, inv: Inventory, p: list[InputProblem]
) -> None:
    roles, whole_roles = _each(d, "RoleDetailList", s, p)
    policies, whole_policies = _each(d, "Policies", s, p)
    _provided(inv, IAM, whole_roles and whole_policies)
    for raw, source in roles:
        _add_role(raw, source, inv, p)
    for raw, source in policies:
        arn = raw.get("Arn")
        if not isinstance(arn, str):
            continue
        default_version = raw.get("DefaultVersionId")
        versions = raw.get("PolicyVersionList")
        document = None
        for version in versions if isinstance(versions, list) else ():
            if isinstance(version, Mapping) and (
                version.get("IsDefaultVersion") is True
                or version.get("VersionId") == default_version
            ):
                document = decode_policy_document(version.get("Document"))
        name = raw.get("PolicyName")
        if not isinstance(name, str):  # the name is the ARN's last path segment
            name = arn.rsplit("/", 1)[-1] or None
        inv.managed_policies[arn] = ManagedPolicy(arn, name, document, source)


def _get_role(d: Mapping[str, Any], s: SourceMap, inv: Inventory, p: list[InputProblem]) -> None:
    inv.aws_sections.add(IAM)
    raw = d.get("Role")
    if isinstance(raw, Mapping):
        _add_role(raw, _sub(s, "Role"), inv, p)


def _cluster(d: Mapping[str, Any], s: SourceMap, inv: Inventory, p: list[InputProblem]) -> None:
    inv.aws_sections.add(EKS)
    raw = d.get("cluster")
    if isinstance(raw, Mapping):
        cluster, found = EksCluster.from_raw(raw, _sub(s, "cluster"))
        p.extend(found)
        inv.clusters[cluster.name] = cluster


def _association(d: Mapping[str, Any], s: SourceMap, inv: Inventory, p: list[InputProblem]) -> None:
    listed, whole = _each(d, "associations", s, p)
    _provided(inv, POD_IDENTITY, whole)
    singles = [(d["association"], _sub(s, "association"))] if "association" in d else []
    for raw, source in [*singles, *listed]:
        if isinstance(raw, Mapping):
            association, found = PodIdentityAssociation.from_raw(raw, source)
            p.extend(found)
            inv.pod_identity_associations.append(association)


def _caller(d: Mapping[str, Any], s: SourceMap, inv: Inventory, p: list[InputProblem]) -> None:
    arn = d.get("Arn")
    account = d["Account"]
    if isinstance(account, int) and not isinstance(account, bool):
        account = f"{account:012d}"  # hand-written JSON may give the account as a number
    if not isinstance(account, str):
        p.append(
            InputProblem(
                s.location("Account"),
                "get-caller-identity: field Account must be a string; the answer is ignored",
                ProblemLevel.WARNING,
            )
        )
        return
    inv.caller = CallerIdentity(account, arn if isinstance(arn, str) else None, s)


def _is_sg_list(d: Mapping[str, Any]) -> bool:
    groups = d.get("SecurityGroups")
    return isinstance(groups, list) and all(isinstance(g, Mapping) for g in groups)


@dataclass(frozen=True, slots=True)
class Recogniser:
    """One AWS CLI answer: it has one of ``keys`` at the top and passes ``test`` (None:
    a key is enough); ``handler`` reads it; ``what`` is the command that printed it."""

    keys: tuple[str, ...]
    test: Callable[[Mapping[str, Any]], bool] | None
    handler: Handler
    what: str

    def matches(self, data: Mapping[str, Any]) -> bool:
        return any(key in data for key in self.keys) and (self.test is None or self.test(data))


# First match wins.
RECOGNISERS: tuple[Recogniser, ...] = (
    Recogniser(("FileSystems",), None, _file_systems, "aws efs describe-file-systems"),
    Recogniser(("MountTargets",), None, _mount_targets, "aws efs describe-mount-targets"),
    Recogniser(("AccessPoints",), None, _access_points, "aws efs describe-access-points"),
    Recogniser(
        ("FileSystemId",),
        lambda d: "Policy" in d or "Error" in d,
        _policy,
        "aws efs describe-file-system-policy",
    ),
    Recogniser(
        ("SecurityGroups",),
        lambda d: not _is_sg_list(d),
        _mount_target_groups,
        "aws efs describe-mount-target-security-groups",
    ),
    Recogniser(
        ("SecurityGroups",), _is_sg_list, _security_groups, "aws ec2 describe-security-groups"
    ),
    Recogniser(
        ("NetworkInterfaces",), None, _network_interfaces, "aws ec2 describe-network-interfaces"
    ),
    Recogniser(("Subnets",), None, _subnets, "aws ec2 describe-subnets"),
    Recogniser(("Vpcs",), None, _vpcs, "aws ec2 describe-vpcs"),
    Recogniser(
        ("VpcId",),
        lambda d: "EnableDnsSupport" in d or "EnableDnsHostnames" in d,
        _vpc_attribute,
        "aws ec2 describe-vpc-attribute",
    ),
    Recogniser(("NetworkAcls",), None, _network_acls, "aws ec2 describe-network-acls"),
    Recogniser(("Reservations",), None, _instances, "aws ec2 describe-instances"),
    Recogniser(
        ("RoleDetailList", "UserDetailList"),
        None,
        _authorization_details,
        "aws iam get-account-authorization-details",
    ),
    Recogniser(
        ("Role",), lambda d: isinstance(d.get("Role"), Mapping), _get_role, "aws iam get-role"
    ),
    Recogniser(
        ("cluster",),
        lambda d: isinstance(d.get("cluster"), Mapping),
        _cluster,
        "aws eks describe-cluster",
    ),
    Recogniser(
        ("association", "associations"),
        lambda d: (
            isinstance(d.get("association"), Mapping) or isinstance(d.get("associations"), list)
        ),
        _association,
        "aws eks describe-pod-identity-association",
    ),
    Recogniser(
        ("Account",),
        lambda d: "UserId" in d and "Arn" in d,
        _caller,
        "aws sts get-caller-identity",
    ),
)
# The top-level keys of every answer read here: a mapping with none of them is not one.
ANSWER_KEYS = frozenset(key for recogniser in RECOGNISERS for key in recogniser.keys)
# The key every file system policy (and every IAM policy the loader warns about) has.
POLICY_KEY = "Statement"


def recognise(data: Any) -> Handler | None:
    if not isinstance(data, Mapping):
        return None
    for recogniser in RECOGNISERS:
        if recogniser.matches(data):
            return recogniser.handler
    return None


def _statements(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = data.get("Statement")
    if isinstance(statements, Mapping):
        return [statements]
    if isinstance(statements, list):
        return [s for s in statements if isinstance(s, Mapping)]
    return []


def _names_efs_action(statement: Mapping[str, Any]) -> bool:
    actions = statement.get("Action", statement.get("NotAction"))
    for action in actions if isinstance(actions, list) else [actions]:
        if isinstance(action, str) and (
            action == "*" or action.lower().startswith("elasticfilesystem:")
        ):
            return True
    return False


def is_policy_document(data: Any) -> bool:
    """A file system (resource) policy: statements with a Principal about EFS actions.

    Identity policies (no Principal) and role trust policies (sts:AssumeRole*) are not file
    system policies and are not taken as such."""
    if not isinstance(data, Mapping) or POLICY_KEY not in data:
        return False
    return any(
        ("Principal" in s or "NotPrincipal" in s) and _names_efs_action(s)
        for s in _statements(data)
    )


def add_aws_document(
    document: Document, inventory: Inventory, problems: list[InputProblem]
) -> bool:
    """Add an AWS CLI answer; False when the document is not a recognised AWS shape."""
    handler = recognise(document.data)
    if handler is None:
        return False
    handler(document.data, document.source, inventory, problems)
    return True


def add_policy_document(
    document: Document, text: str, inventory: Inventory, problems: list[InputProblem]
) -> None:
    """A bare policy document is the file system policy of the file system its Resource
    names, else of the only file system known (resolved after all inputs are read)."""
    fs_id = _file_system_named(document.data)
    key = fs_id or f"?{document.source.path}"
    inventory.add_policy(
        FileSystemPolicy(key, document.data, text, document.source, text_source=document.source)
    )


def _file_system_named(policy: Mapping[str, Any]) -> str | None:
    """The ID of the first file system the policy names (the IAM engine reads Resource)."""
    from efs_doctor.engine.iam.file_systems import file_systems_named
    from efs_doctor.engine.iam.grammar import read_policy

    named = file_systems_named(read_policy(policy, "resource")[0])
    return named[0].rsplit("/", 1)[-1] if named else None
