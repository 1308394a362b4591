"""Random edits of ``examples/healthy``: the inputs of the agreement property (issue 14).

A variant is the healthy example with a few of the edits below applied, each drawn from the
mistakes the scenarios, rule cases and real reports show: PV mount options and volume
attributes, the driver image, the node service account's role, a role's trust policy, the
file system policy, the node role's identity policies, security-group rules, access points,
VPC DNS attributes and instance metadata. ``Edit`` values are plain data, so a failing
variant prints as the list of edits that made it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
HEALTHY = REPO / "examples" / "healthy"
ACCOUNT = "111122223333"
FS = "fs-0123456789abcdef0"
FS_ARN = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/{FS}"
AP = "fsap-0123456789abcdef0"
NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/eks-node-group-role"
APP_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app-efs-access"
CONTROLLER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/efs-csi-controller-role"
ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9"
MOUNT_SG = "sg-0e1f2a3b4c5d6e7f8"
CLIENT = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]


@dataclass(frozen=True)
class Edit:
    kind: str
    value: Any

    def __str__(self) -> str:
        return f"{self.kind}={json.dumps(self.value)}"


class World:
    """The example's documents, editable: Kubernetes files as lists of documents, AWS files
    as JSON values; extra files may be added."""

    def __init__(self) -> None:
        self.k8s: dict[str, list[dict[str, Any]]] = {}
        self.aws: dict[str, Any] = {}
        for path in sorted((HEALTHY / "k8s").glob("*.yaml")):
            self.k8s[path.name] = [d for d in yaml.safe_load_all(path.read_text()) if d]
        for path in sorted((HEALTHY / "aws").glob("*.json")):
            self.aws[path.name] = json.loads(path.read_text())

    def objects(self, kind: str) -> list[dict[str, Any]]:
        found = []
        for documents in self.k8s.values():
            for doc in documents:
                items = doc.get("items", []) if doc.get("kind") == "List" else [doc]
                found.extend(i for i in items if i.get("kind") == kind)
        return found

    def one(self, kind: str, name: str) -> dict[str, Any]:
        return next(o for o in self.objects(kind) if o["metadata"]["name"] == name)

    def role(self, name: str) -> dict[str, Any]:
        details = self.aws["iam-get-account-authorization-details.json"]
        return next(r for r in details["RoleDetailList"] if r["RoleName"] == name)

    def write(self, root: Path) -> Path:
        (root / "k8s").mkdir(parents=True, exist_ok=True)
        (root / "aws").mkdir(parents=True, exist_ok=True)
        for name, documents in self.k8s.items():
            (root / "k8s" / name).write_text(yaml.safe_dump_all(documents, sort_keys=False))
        for name, value in self.aws.items():
            (root / "aws" / name).write_text(json.dumps(value, indent=1))
        return root


# ---- the edits ----------------------------------------------------------------------------


def _pv(world: World) -> dict[str, Any]:
    return world.one("PersistentVolume", "efs-pv")


def mount_options(world: World, value: list[str]) -> None:
    if value:
        _pv(world)["spec"]["mountOptions"] = list(value)
    else:
        _pv(world)["spec"].pop("mountOptions", None)


def volume_attributes(world: World, value: Mapping[str, str]) -> None:
    _pv(world)["spec"]["csi"]["volumeAttributes"] = dict(value)


def volume_handle(world: World, value: str) -> None:
    _pv(world)["spec"]["csi"]["volumeHandle"] = value


def driver_image(world: World, value: str) -> None:
    daemonset = world.one("DaemonSet", "efs-csi-node")
    container = daemonset["spec"]["template"]["spec"]["containers"][0]
    container["image"] = f"public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:{value}"


def node_irsa(world: World, value: str | None) -> None:
    sa = world.one("ServiceAccount", "efs-csi-node-sa")
    annotations = sa["metadata"].setdefault("annotations", {})
    if value is None:
        annotations.pop("eks.amazonaws.com/role-arn", None)
    else:
        annotations["eks.amazonaws.com/role-arn"] = value


def trust(world: World, value: Mapping[str, str]) -> None:
    """The app role's trust: its action pattern and the service account it names."""
    world.role("app-efs-access")["AssumeRolePolicyDocument"] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"},
                "Action": value["action"],
                "Condition": {
                    value["operator"]: {
                        f"{ISSUER}:sub": f"system:serviceaccount:kube-system:{value['sa']}",
                        f"{ISSUER}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def cluster(world: World, value: bool) -> None:
    """Whether `aws eks describe-cluster` (the OIDC issuer) is among the inputs."""
    if value:
        world.aws["eks-describe-cluster.json"] = {
            "cluster": {
                "name": "prod",
                "arn": f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/prod",
                "identity": {"oidc": {"issuer": f"https://{ISSUER}"}},
                "resourcesVpcConfig": {"vpcId": "vpc-0a1b2c3d4e5f60718"},
            }
        }
    else:
        world.aws.pop("eks-describe-cluster.json", None)


FILE_SYSTEM_POLICIES: dict[str, Any] = {
    "healthy": "keep",
    "absent": {"FileSystemId": FS, "Error": {"Code": "PolicyNotFound", "Message": "none"}},
    "unknown": None,
    "account-root": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}],
    "anyone": [{"Effect": "Allow", "Principal": {"AWS": "*"}}],
    "app-role-only": [{"Effect": "Allow", "Principal": {"AWS": APP_ROLE}}],
    "write-root-no-mount": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"],
        }
    ],
    "principal-arn-condition": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Condition": {"ArnLike": {"aws:PrincipalArn": NODE_ROLE}},
        }
    ],
    "private-source-ip": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        }
    ],
    "access-point-only": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Condition": {
                "StringEquals": {
                    "elasticfilesystem:AccessPointArn": FS_ARN.replace(
                        f"file-system/{FS}", f"access-point/{AP}"
                    )
                }
            },
        }
    ],
    "deny-insecure-only": [],
    "read-only-node": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": NODE_ROLE},
            "Action": ["elasticfilesystem:ClientMount"],
        }
    ],
}
DENY_INSECURE = {
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "*",
    "Resource": FS_ARN,
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def file_system_policy(world: World, value: list[str]) -> None:
    """``[name, "deny-insecure"?]``: a policy from the table, with or without the usual Deny
    on aws:SecureTransport=false."""
    name, *extra = value
    chosen = FILE_SYSTEM_POLICIES[name]
    if chosen == "keep":
        return
    world.aws.pop("file-system-policy.json", None)
    if chosen is None:
        return
    if isinstance(chosen, dict):
        world.aws["file-system-policy.json"] = chosen
        return
    statements = []
    for index, statement in enumerate(chosen):
        full = {"Sid": f"S{index}", "Action": CLIENT, "Resource": FS_ARN, **statement}
        statements.append(full)
    if "deny-insecure" in extra:
        statements.append({"Sid": "DenyInsecure", **DENY_INSECURE})
    world.aws["file-system-policy.json"] = {"Version": "2012-10-17", "Statement": statements}


IDENTITY = {
    "none": [],
    "rw-managed": ["arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess"],
    "ro-managed": ["arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadOnlyAccess"],
    "unknown-customer": [f"arn:aws:iam::{ACCOUNT}:policy/EfsClients"],
}


def node_identity(world: World, value: str) -> None:
    """Extra identity policies of the node role (its default EKS policies stay)."""
    role = world.role("eks-node-group-role")
    if value == "inline-mount":
        role["RolePolicyList"] = [
            {
                "PolicyName": "efs",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": CLIENT, "Resource": "*"}],
                },
            }
        ]
        return
    for arn in IDENTITY[value]:
        name = arn.rsplit("/", 1)[-1]
        role["AttachedManagedPolicies"].append({"PolicyName": name, "PolicyArn": arn})


def mount_target_ingress(world: World, value: str) -> None:
    """The mount targets' security group: the node group (healthy), a CIDR, or nothing."""
    groups = world.aws["ec2-describe-security-groups.json"]["SecurityGroups"]
    group = next(g for g in groups if g["GroupId"] == MOUNT_SG)
    rule: dict[str, Any] = {
        "FromPort": 2049,
        "ToPort": 2049,
        "IpProtocol": "tcp",
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }
    if value == "none":
        group["IpPermissions"] = []
    elif value == "vpc-cidr":
        rule["IpRanges"] = [{"CidrIp": "10.0.0.0/16"}]
        group["IpPermissions"] = [rule]
    elif value == "wrong-port":
        group["IpPermissions"][0]["FromPort"] = group["IpPermissions"][0]["ToPort"] = 2050


def access_point(world: World, value: str) -> None:
    """Mount through an access point: one that exists (uid 1000 or 0), one not among the
    access points, or one whose list was not provided."""
    volume_handle(world, f"{FS}::{AP}")
    if value == "not-provided":
        return
    points = []
    if value in ("uid-1000", "uid-0"):
        uid = 1000 if value == "uid-1000" else 0
        points.append(
            {
                "AccessPointId": AP,
                "AccessPointArn": FS_ARN.replace(f"file-system/{FS}", f"access-point/{AP}"),
                "FileSystemId": FS,
                "OwnerId": ACCOUNT,
                "LifeCycleState": "available",
                "PosixUser": {"Uid": uid, "Gid": uid},
                "RootDirectory": {
                    "Path": "/data",
                    "CreationInfo": {"OwnerUid": uid, "OwnerGid": uid, "Permissions": "750"},
                },
            }
        )
    world.aws["efs-describe-access-points.json"] = {"AccessPoints": points}


def vpc_dns(world: World, value: str) -> None:
    name = f"ec2-describe-vpc-attribute-dns-{value}.json"
    attribute = "EnableDnsHostnames" if value == "hostnames" else "EnableDnsSupport"
    world.aws[name][attribute] = {"Value": False}


def imds(world: World, value: str) -> None:
    for reservation in world.aws["ec2-describe-instances.json"]["Reservations"]:
        for instance in reservation["Instances"]:
            if value == "disabled":
                instance["MetadataOptions"]["HttpEndpoint"] = "disabled"
            else:
                instance.pop("IamInstanceProfile", None)


APPLY: dict[str, Callable[[World, Any], None]] = {
    "mount_options": mount_options,
    "volume_attributes": volume_attributes,
    "volume_handle": volume_handle,
    "driver_image": driver_image,
    "node_irsa": node_irsa,
    "trust": trust,
    "cluster": cluster,
    "file_system_policy": file_system_policy,
    "node_identity": node_identity,
    "mount_target_ingress": mount_target_ingress,
    "access_point": access_point,
    "vpc_dns": vpc_dns,
    "imds": imds,
}

# The values each edit draws from.
CHOICES: dict[str, list[Any]] = {
    "mount_options": [
        [],
        ["iam"],
        ["tls", "iam"],
        ["iam", "noresvport"],
        ["IAM"],
        ["dir_mode=0777", "file_mode=0777"],
        ["nfsvers=3"],
        ["port=2049"],
        ["iam", "crossaccount"],
        ["iam", "capath=/etc/ssl"],
        ["awscredsuri=/v2/credentials"],
        ["iam", "notls"],
        ["tls"],
        ["az=us-east-1b"],
        ["iam", "accesspoint=fsap-0fffffffffffffff0"],
        ["iam", "region=us-east-1"],
    ],
    "volume_attributes": [
        {},
        {"encryptInTransit": "false"},
        {"encryptInTransit": "true"},
        {"encryptInTransit": "yes"},
        {"encryptInTransit": "0"},
        {"mounttargetip": "10.0.5.10"},
        {"mounttargetip": "[mount-target-ip]"},
        {"mounttargetipmap": '{"us-east-1a": "10.0.5.10"}'},
        {"mounttargetipmap": "not json"},
        {"path": "/data"},
        {"az": "us-east-1a"},
        {"crossaccount": "maybe"},
    ],
    "volume_handle": [
        f"{FS}:/data",
        f"{FS}::fsap-XYZ",
        "fs-[your-file-system-id]",
        f"efs:{FS}",
        f"{FS}:/:",
    ],
    "driver_image": ["v1.7.0", "v2.0.0", "v3.0.0", "v3.0.1", "v3.1.0", "v3.4.1", "latest"],
    "node_irsa": [None, APP_ROLE, CONTROLLER_ROLE, f"arn:aws:iam::{ACCOUNT}:role/not-loaded"],
    "trust": [
        {"action": a, "operator": o, "sa": sa}
        for a in ("sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWith*", "sts:AssumeRole")
        for o in ("StringEquals", "StringLike")
        for sa in ("efs-csi-node-sa", "efs-csi-controller-sa", "efs-csi-*")
    ],
    "cluster": [True, False],
    "file_system_policy": [
        [name, *extra]
        for name in FILE_SYSTEM_POLICIES
        for extra in ([], ["deny-insecure"])
        if not (extra and name in ("healthy", "absent", "unknown"))
    ],
    "node_identity": ["none", "rw-managed", "ro-managed", "unknown-customer", "inline-mount"],
    "mount_target_ingress": ["none", "vpc-cidr", "wrong-port"],
    "access_point": ["uid-1000", "uid-0", "missing", "not-provided"],
    "vpc_dns": ["hostnames", "support"],
    "imds": ["disabled", "no-instance-profile"],
}


def build(edits: list[Edit], root: Path) -> Path:
    world = World()
    for edit in edits:
        APPLY[edit.kind](world, copy.deepcopy(edit.value))
    return world.write(root)
