"""A deterministic, realistic repository of manifests and saved AWS state to benchmark on.

``generate(root, files, seed)`` writes exactly ``files`` files under ``root``:

- ``aws/``: AWS CLI ``--output json`` answers for one account: 10 file systems with a mount
  target in each of six zones (60), their network interfaces, 200 security groups (the
  mount targets', the node groups' and unrelated application groups), subnets, the VPC and
  its DNS attributes, the network ACL, the node instances, IAM authorization details, the
  caller identity, the access points the manifests name, and four file system policies
  (two as ``describe-file-system-policy`` answers, two as bare policy documents);
- ``platform/``: the nodes (a ``kubectl get nodes -o yaml`` list), the EFS CSI driver
  (CSIDriver, node DaemonSet, controller Deployment, their service accounts) and the
  StorageClasses (one ``efs-ap`` class per file system, a static EFS class, a default gp3);
- ``apps/<team>/<app>/``: what application repositories hold. EFS apps are static
  PersistentVolumes (sub-path handles, or access point handles with ``tls``/``iam`` mount
  options), claims of ``efs-ap`` classes, and StatefulSets with claim templates; every app
  has its Deployment or StatefulSet, Service, ConfigMap and often an Ingress, a
  HorizontalPodAutoscaler, a ServiceAccount with Role and RoleBinding, a NetworkPolicy,
  a PodDisruptionBudget or a kustomization; some apps come as one rendered multi-document
  file (Helm-style). Apps without EFS (the majority in real repositories) are there too.

A few realistic mistakes are sprinkled in at fixed rates (a duplicated volume handle, a
static volume without ``iam`` on a file system whose policy needs it, ``encryptInTransit:
"false"`` beside ``tls``), so the scan reports findings as it would on a real repository.

The same ``(files, seed)`` always gives byte-identical files. YAML is written by a small
block-style emitter here (quoting anything a YAML 1.1 resolver could read as non-string),
which is much faster than a YAML dumper and lets the files carry comments as real ones do.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEED = 8
ACCOUNT = "111122223333"
REGION = "us-east-1"
ZONES = tuple(f"{REGION}{z}" for z in "abcdef")
VPC = "vpc-0b1e2c3d4a5f60718"
FILE_SYSTEMS = 10
SECURITY_GROUPS = 200
NODE_GROUPS = ("general", "batch")
OIDC = "oidc.eks.us-east-1.amazonaws.com/id/5C0FFEE0B1E2C3D4A5F60718293A4B5C"
NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/eks-node-group-role"
# File systems whose policy admits only IAM-authenticated principals: static volumes on them
# need ``iam`` in mountOptions (the seed incident's mistake, repeated at a low rate).
RESTRICTED_FILE_SYSTEMS = (2, 3)
WORDS = (
    *("api", "billing", "cart", "catalog", "checkout", "search", "media", "upload", "report"),
    *("ledger", "audit", "orders", "inventory", "pricing", "notify", "render", "export"),
    *("import", "thumbs", "archive", "gateway", "profile", "session", "metrics", "worker"),
    *("scheduler", "indexer", "crawler", "feeds", "ml-train", "ml-serve", "backup", "wiki"),
)

# ---- a small YAML emitter --------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_./:@=,+-]*")
_QUANTITY = re.compile(r"[0-9]+(?:m|Ki|Mi|Gi|Ti)")
_RESERVED = frozenset(("y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"))


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if (
        (_PLAIN.fullmatch(text) or _QUANTITY.fullmatch(text))
        and text.lower() not in _RESERVED
        and ": " not in text
        and not text.endswith(":")
    ):
        return text
    return json.dumps(text)


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            _emit_entry(f"{pad}{_scalar(key)}:", item, indent, out)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                lines: list[str] = []
                _emit(item, indent + 2, lines)
                out.append(f"{pad}- {lines[0].lstrip()}")
                out.extend(lines[1:])
            else:
                _emit_entry(f"{pad}-", item, indent, out)
    else:
        out.append(f"{pad}{_scalar(value)}")


def _emit_entry(head: str, item: Any, indent: int, out: list[str]) -> None:
    if isinstance(item, dict | list) and not item:
        out.append(f"{head} {'{}' if isinstance(item, dict) else '[]'}")
    elif isinstance(item, dict | list):
        out.append(head)
        _emit(item, indent + 2, out)
    elif isinstance(item, str) and "\n" in item:
        out.append(f"{head} |")
        out.extend(f"{' ' * (indent + 2)}{line}" for line in item.rstrip("\n").split("\n"))
    else:
        out.append(f"{head} {_scalar(item)}")


def to_yaml(documents: list[dict[str, Any]], comment: str | None = None) -> str:
    """Documents as one YAML stream (``---`` between them), optionally under a comment."""
    parts: list[str] = []
    for index, document in enumerate(documents):
        lines: list[str] = []
        if index:
            lines.append("---")
        elif comment:
            lines.append(f"# {comment}")
        _emit(document, 0, lines)
        parts.append("\n".join(lines))
    return "\n".join(parts) + "\n"


# ---- identifiers -----------------------------------------------------------------------


def fs_id(index: int) -> str:
    return f"fs-{0x0B0E0000 + index:017x}"


def _fs_arn(index: int) -> str:
    return f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/{fs_id(index)}"


def _mt_id(fs: int, zone: int) -> str:
    return f"fsmt-{0x0C0E0000 + fs * 16 + zone:017x}"


def _eni_id(fs: int, zone: int) -> str:
    return f"eni-{0x0D0E0000 + fs * 16 + zone:017x}"


def _ap_id(index: int) -> str:
    return f"fsap-{0x0A0E0000 + index:017x}"


def _sg_id(index: int) -> str:
    return f"sg-{0x05E60000 + index:017x}"


def _subnet_id(kind: int, zone: int) -> str:
    return f"subnet-{0x5B000000 + kind * 16 + zone:017x}"


def _instance_id(index: int) -> str:
    return f"i-{0x1E000000 + index:017x}"


# Security group indices: 0-9 the mount targets' groups, 10-11 the node groups', the rest
# application groups (load balancers, databases) that have nothing to do with EFS.
_NODE_SG = {group: 10 + n for n, group in enumerate(NODE_GROUPS)}


# ---- AWS state -------------------------------------------------------------------------


@dataclass
class _State:
    """What the manifests generated so far need from AWS (access points)."""

    access_points: list[tuple[str, int, int, str]] = field(default_factory=list)

    def new_access_point(self, fs: int, uid: int, path: str) -> str:
        ap = _ap_id(len(self.access_points))
        self.access_points.append((ap, fs, uid, path))
        return ap


def _file_systems() -> dict[str, Any]:
    return {
        "FileSystems": [
            {
                "OwnerId": ACCOUNT,
                "CreationToken": f"shared-{i}",
                "FileSystemId": fs_id(i),
                "FileSystemArn": _fs_arn(i),
                "CreationTime": "2026-03-02T10:14:55+00:00",
                "LifeCycleState": "available",
                "Name": f"shared-{i}",
                "NumberOfMountTargets": len(ZONES),
                "SizeInBytes": {"Value": 6144 * (i + 1), "ValueInIA": 0},
                "PerformanceMode": "generalPurpose",
                "Encrypted": True,
                "ThroughputMode": "elastic",
                "Tags": [{"Key": "Name", "Value": f"shared-{i}"}],
                "FileSystemProtection": {"ReplicationOverwriteProtection": "ENABLED"},
            }
            for i in range(FILE_SYSTEMS)
        ]
    }


def _mount_targets() -> dict[str, Any]:
    return {
        "MountTargets": [
            {
                "OwnerId": ACCOUNT,
                "MountTargetId": _mt_id(fs, z),
                "FileSystemId": fs_id(fs),
                "SubnetId": _subnet_id(1, z),
                "LifeCycleState": "available",
                "IpAddress": f"10.0.{100 + z}.{10 + fs}",
                "NetworkInterfaceId": _eni_id(fs, z),
                "AvailabilityZoneId": f"use1-az{z + 1}",
                "AvailabilityZoneName": zone,
                "VpcId": VPC,
            }
            for fs in range(FILE_SYSTEMS)
            for z, zone in enumerate(ZONES)
        ]
    }


def _network_interfaces() -> dict[str, Any]:
    return {
        "NetworkInterfaces": [
            {
                "AvailabilityZone": zone,
                "Description": f"EFS mount target for {fs_id(fs)} ({_mt_id(fs, z)})",
                "Groups": [{"GroupName": f"efs-mt-{fs}", "GroupId": _sg_id(fs)}],
                "InterfaceType": "efs",
                "NetworkInterfaceId": _eni_id(fs, z),
                "OwnerId": ACCOUNT,
                "PrivateIpAddress": f"10.0.{100 + z}.{10 + fs}",
                "RequesterManaged": True,
                "Status": "in-use",
                "SubnetId": _subnet_id(1, z),
                "VpcId": VPC,
            }
            for fs in range(FILE_SYSTEMS)
            for z, zone in enumerate(ZONES)
        ]
    }


def _rule(protocol: str, port: int | None, **sources: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {"IpProtocol": protocol}
    if port is not None:
        rule["FromPort"] = rule["ToPort"] = port
    rule.update(
        {"IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []} | sources
    )
    return rule


def _security_groups(rng: random.Random) -> dict[str, Any]:
    groups: list[dict[str, Any]] = []
    everywhere = _rule("-1", None, IpRanges=[{"CidrIp": "0.0.0.0/0"}])
    for fs in range(FILE_SYSTEMS):
        node_pairs = [{"GroupId": _sg_id(_NODE_SG[g]), "UserId": ACCOUNT} for g in NODE_GROUPS]
        if fs == FILE_SYSTEMS - 1:  # this one forgot the batch node group
            node_pairs = node_pairs[:1]
        groups.append(
            {
                "Description": f"EFS mount targets of shared-{fs}",
                "GroupName": f"efs-mt-{fs}",
                "GroupId": _sg_id(fs),
                "OwnerId": ACCOUNT,
                "VpcId": VPC,
                "IpPermissions": [_rule("tcp", 2049, UserIdGroupPairs=node_pairs)],
                "IpPermissionsEgress": [everywhere],
            }
        )
    for group, index in _NODE_SG.items():
        groups.append(
            {
                "Description": f"EKS node group {group}",
                "GroupName": f"eks-nodes-{group}",
                "GroupId": _sg_id(index),
                "OwnerId": ACCOUNT,
                "VpcId": VPC,
                "IpPermissions": [
                    _rule("-1", None, UserIdGroupPairs=[{"GroupId": _sg_id(index)}]),
                    _rule("tcp", 443, IpRanges=[{"CidrIp": "10.0.0.0/16"}]),
                ],
                "IpPermissionsEgress": [everywhere],
            }
        )
    for index in range(len(groups), SECURITY_GROUPS):
        port = rng.choice((80, 443, 5432, 6379, 3306, 9092, 8080))
        groups.append(
            {
                "Description": f"application group {index}",
                "GroupName": f"app-{index}",
                "GroupId": _sg_id(index),
                "OwnerId": ACCOUNT,
                "VpcId": VPC,
                "IpPermissions": [
                    _rule("tcp", port, IpRanges=[{"CidrIp": f"10.{rng.randrange(256)}.0.0/16"}]),
                    _rule("tcp", port, UserIdGroupPairs=[{"GroupId": _sg_id(10 + index % 2)}]),
                ],
                "IpPermissionsEgress": [everywhere],
                "Tags": [{"Key": "team", "Value": f"team-{index % 17:02d}"}],
            }
        )
    return {"SecurityGroups": groups}


def _subnets() -> dict[str, Any]:
    return {
        "Subnets": [
            {
                "AvailabilityZone": zone,
                "AvailabilityZoneId": f"use1-az{z + 1}",
                "CidrBlock": f"10.0.{z if kind == 0 else 100 + z}.0/24",
                "State": "available",
                "SubnetId": _subnet_id(kind, z),
                "VpcId": VPC,
                "OwnerId": ACCOUNT,
            }
            for kind in (0, 1)
            for z, zone in enumerate(ZONES)
        ]
    }


def _network_acls() -> dict[str, Any]:
    entries = [
        {
            "CidrBlock": "0.0.0.0/0",
            "Egress": egress,
            "Protocol": "-1",
            "RuleAction": action,
            "RuleNumber": number,
        }
        for egress in (False, True)
        for number, action in ((100, "allow"), (32767, "deny"))
    ]
    return {
        "NetworkAcls": [
            {
                "Associations": [
                    {"NetworkAclId": "acl-0b1e2c3d4a5f60718", "SubnetId": _subnet_id(k, z)}
                    for k in (0, 1)
                    for z in range(len(ZONES))
                ],
                "Entries": entries,
                "IsDefault": True,
                "NetworkAclId": "acl-0b1e2c3d4a5f60718",
                "VpcId": VPC,
                "OwnerId": ACCOUNT,
            }
        ]
    }


def _nodes() -> Iterator[tuple[int, str, str, str]]:
    """(index, zone, node group, private IP) of every node."""
    index = 0
    for group in NODE_GROUPS:
        for z, zone in enumerate(ZONES):
            yield index, zone, group, f"10.0.{z}.{20 + index}"
            index += 1


def _instances() -> dict[str, Any]:
    return {
        "Reservations": [
            {
                "Groups": [],
                "Instances": [
                    {
                        "ImageId": "ami-0b1e2c3d4a5f60718",
                        "InstanceId": _instance_id(index),
                        "InstanceType": "m6i.large",
                        "Placement": {"AvailabilityZone": zone, "Tenancy": "default"},
                        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.ec2.internal",
                        "PrivateIpAddress": ip,
                        "State": {"Code": 16, "Name": "running"},
                        "SubnetId": _subnet_id(0, ZONES.index(zone)),
                        "VpcId": VPC,
                        "IamInstanceProfile": {
                            "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/eks-node-profile",
                            "Id": "AIPAEXAMPLENODEPROFILE",
                        },
                        "SecurityGroups": [
                            {"GroupName": f"eks-nodes-{group}", "GroupId": _sg_id(_NODE_SG[group])}
                        ],
                        "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
                    }
                    for index, zone, group, ip in _nodes()
                ],
                "OwnerId": ACCOUNT,
                "ReservationId": "r-0b1e2c3d4a5f60718",
            }
        ]
    }


def _trust(principal: dict[str, str], action: str, **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _role(name: str, trust: dict[str, Any], managed: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROA{name.upper().replace('-', '')[:16]}",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "CreateDate": "2026-03-02T10:00:00+00:00",
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": extra.pop("profiles", []),
        "RolePolicyList": [],
        "AttachedManagedPolicies": [
            {"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn} for arn in managed
        ],
        "Tags": [],
    }


def _iam() -> dict[str, Any]:
    ec2 = _trust({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole")
    web_identity = _trust(
        {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{OIDC}"},
        "sts:AssumeRoleWithWebIdentity",
        StringEquals={
            f"{OIDC}:sub": "system:serviceaccount:kube-system:efs-csi-controller-sa",
            f"{OIDC}:aud": "sts.amazonaws.com",
        },
    )
    profile = {
        "Path": "/",
        "InstanceProfileName": "eks-node-profile",
        "InstanceProfileId": "AIPAEXAMPLENODEPROFILE",
        "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/eks-node-profile",
        "Roles": [{"RoleName": "eks-node-group-role", "Arn": NODE_ROLE}],
    }
    return {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [
            _role(
                "eks-node-group-role",
                ec2,
                [
                    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
                    "arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess",
                ],
                profiles=[profile],
            ),
            _role(
                "efs-csi-controller-role",
                web_identity,
                ["arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"],
            ),
        ],
        "Policies": [],
    }


def _policy(fs: int) -> dict[str, Any]:
    """Four styles of file system policy: node role allowed (two), IAM-only with TLS, and the
    seed incident's anonymous-with-condition style (restricted file systems)."""
    deny_plain = {
        "Sid": "DenyUnencryptedTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "*",
        "Resource": _fs_arn(fs),
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    if fs in RESTRICTED_FILE_SYSTEMS:
        allow = {
            "Sid": "AllowPlatformRoles",
            "Effect": "Allow",
            "Principal": {"AWS": NODE_ROLE},
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": _fs_arn(fs),
        }
    else:
        allow = {
            "Sid": "AllowMountThroughTargets",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "elasticfilesystem:ClientMount",
                "elasticfilesystem:ClientWrite",
                "elasticfilesystem:ClientRootAccess",
            ],
            "Resource": _fs_arn(fs),
            "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
        }
    return {"Version": "2012-10-17", "Id": f"shared-{fs}", "Statement": [allow, deny_plain]}


def _access_points(state: _State) -> dict[str, Any]:
    return {
        "AccessPoints": [
            {
                "ClientToken": ap,
                "Name": path.rsplit("/", 1)[-1],
                "AccessPointId": ap,
                "AccessPointArn": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:access-point/{ap}",
                "FileSystemId": fs_id(fs),
                "PosixUser": {"Uid": uid, "Gid": uid},
                "RootDirectory": {
                    "Path": path,
                    "CreationInfo": {"OwnerUid": uid, "OwnerGid": uid, "Permissions": "0750"},
                },
                "OwnerId": ACCOUNT,
                "LifeCycleState": "available",
            }
            for ap, fs, uid, path in state.access_points
        ]
    }


AWS_FILES = (
    "efs-describe-file-systems.json",
    "efs-describe-mount-targets.json",
    "efs-describe-access-points.json",
    "ec2-describe-network-interfaces.json",
    "ec2-describe-security-groups.json",
    "ec2-describe-subnets.json",
    "ec2-describe-vpcs.json",
    "ec2-describe-vpc-attribute-dns-support.json",
    "ec2-describe-vpc-attribute-dns-hostnames.json",
    "ec2-describe-network-acls.json",
    "ec2-describe-instances.json",
    "iam-get-account-authorization-details.json",
    "sts-get-caller-identity.json",
    "efs-describe-file-system-policy-0.json",
    "efs-describe-file-system-policy-1.json",
    "file-system-policy-2.json",
    "file-system-policy-3.json",
)
PLATFORM_FILES = ("nodes.yaml", "efs-csi-driver.yaml", "storageclasses.yaml")


def _aws_documents(rng: random.Random, state: _State) -> dict[str, dict[str, Any]]:
    vpc = {
        "Vpcs": [
            {
                "CidrBlock": "10.0.0.0/16",
                "State": "available",
                "VpcId": VPC,
                "OwnerId": ACCOUNT,
                "IsDefault": False,
            }
        ]
    }
    documents = {
        "efs-describe-file-systems.json": _file_systems(),
        "efs-describe-mount-targets.json": _mount_targets(),
        "efs-describe-access-points.json": _access_points(state),
        "ec2-describe-network-interfaces.json": _network_interfaces(),
        "ec2-describe-security-groups.json": _security_groups(rng),
        "ec2-describe-subnets.json": _subnets(),
        "ec2-describe-vpcs.json": vpc,
        "ec2-describe-vpc-attribute-dns-support.json": {
            "VpcId": VPC,
            "EnableDnsSupport": {"Value": True},
        },
        "ec2-describe-vpc-attribute-dns-hostnames.json": {
            "VpcId": VPC,
            "EnableDnsHostnames": {"Value": True},
        },
        "ec2-describe-network-acls.json": _network_acls(),
        "ec2-describe-instances.json": _instances(),
        "iam-get-account-authorization-details.json": _iam(),
        "sts-get-caller-identity.json": {
            "UserId": "AROAEXAMPLEREADONLY:ci",
            "Account": ACCOUNT,
            "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/ReadOnly/ci",
        },
    }
    for fs in (0, 1):
        documents[f"efs-describe-file-system-policy-{fs}.json"] = {
            "FileSystemId": fs_id(fs),
            "Policy": json.dumps(_policy(fs), separators=(",", ":")),
        }
    for fs in (2, 3):
        documents[f"file-system-policy-{fs}.json"] = _policy(fs)
    assert tuple(documents) == AWS_FILES
    return documents


# ---- the platform (cluster-wide manifests) ---------------------------------------------


def _node_list() -> dict[str, Any]:
    items = []
    for index, zone, group, ip in _nodes():
        name = f"ip-{ip.replace('.', '-')}.ec2.internal"
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": name,
                    "labels": {
                        "eks.amazonaws.com/nodegroup": group,
                        "kubernetes.io/os": "linux",
                        "topology.kubernetes.io/region": REGION,
                        "topology.kubernetes.io/zone": zone,
                        "node.kubernetes.io/instance-type": "m6i.large",
                    },
                },
                "spec": {"providerID": f"aws:///{zone}/{_instance_id(index)}"},
                "status": {
                    "addresses": [
                        {"address": ip, "type": "InternalIP"},
                        {"address": name, "type": "Hostname"},
                    ]
                },
            }
        )
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}


def _driver() -> list[dict[str, Any]]:
    labels = {"app.kubernetes.io/name": "aws-efs-csi-driver"}
    image = "public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v2.1.4"
    return [
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "CSIDriver",
            "metadata": {"name": "efs.csi.aws.com"},
            "spec": {"attachRequired": False},
        },
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": "efs-csi-controller-sa",
                "namespace": "kube-system",
                "labels": labels,
                "annotations": {
                    "eks.amazonaws.com/role-arn": (
                        f"arn:aws:iam::{ACCOUNT}:role/efs-csi-controller-role"
                    )
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "efs-csi-node-sa", "namespace": "kube-system", "labels": labels},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "efs-csi-node", "namespace": "kube-system", "labels": labels},
            "spec": {
                "selector": {"matchLabels": {"app": "efs-csi-node"}},
                "template": {
                    "metadata": {"labels": {"app": "efs-csi-node"}},
                    "spec": {
                        "serviceAccountName": "efs-csi-node-sa",
                        "hostNetwork": True,
                        "priorityClassName": "system-node-critical",
                        "containers": [
                            {
                                "name": "efs-plugin",
                                "image": image,
                                "args": ["--endpoint=$(CSI_ENDPOINT)", "--v=2"],
                                "securityContext": {"privileged": True},
                            }
                        ],
                    },
                },
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "efs-csi-controller", "namespace": "kube-system"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "efs-csi-controller"}},
                "template": {
                    "metadata": {"labels": {"app": "efs-csi-controller"}},
                    "spec": {
                        "serviceAccountName": "efs-csi-controller-sa",
                        "containers": [
                            {"name": "efs-plugin", "image": image, "args": ["--v=2"]},
                            {
                                "name": "csi-provisioner",
                                "image": "public.ecr.aws/csi-components/csi-provisioner:v5.1.0",
                            },
                        ],
                    },
                },
            },
        },
    ]


def _storage_classes() -> list[dict[str, Any]]:
    classes: list[dict[str, Any]] = [
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {
                "name": "gp3",
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            "provisioner": "ebs.csi.aws.com",
            "parameters": {"type": "gp3"},
            "volumeBindingMode": "WaitForFirstConsumer",
        },
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "efs-static"},
            "provisioner": "efs.csi.aws.com",
        },
    ]
    for fs in range(FILE_SYSTEMS):
        classes.append(
            {
                "apiVersion": "storage.k8s.io/v1",
                "kind": "StorageClass",
                "metadata": {"name": f"efs-ap-{fs}"},
                "provisioner": "efs.csi.aws.com",
                "parameters": {
                    "provisioningMode": "efs-ap",
                    "fileSystemId": fs_id(fs),
                    "directoryPerms": "700",
                    "gidRangeStart": "1000",
                    "gidRangeEnd": "2000",
                    "basePath": "/dynamic",
                },
                "mountOptions": ["tls", "iam"] if fs in RESTRICTED_FILE_SYSTEMS else ["tls"],
                "reclaimPolicy": "Delete",
                "volumeBindingMode": "Immediate",
            }
        )
    return classes


# ---- applications ----------------------------------------------------------------------


def _deployment_like(
    kind: str, name: str, ns: str, rng: random.Random, volumes: list[dict[str, Any]]
) -> dict[str, Any]:
    mounts = [{"name": v["name"], "mountPath": f"/mnt/{v['name']}"} for v in volumes]
    volumes = [*volumes, {"name": "config", "configMap": {"name": f"{name}-config"}}]
    mounts.append({"name": "config", "mountPath": "/etc/app", "readOnly": True})
    container = {
        "name": name,
        "image": f"123456789012.dkr.ecr.{REGION}.amazonaws.com/{name}:1.{rng.randrange(40)}.0",
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "env": [
            {"name": "APP_NAME", "value": name},
            {"name": "LOG_LEVEL", "value": rng.choice(("info", "debug", "warn"))},
            {"name": "DATA_DIR", "value": mounts[0]["mountPath"]},
            {
                "name": "DB_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": f"{name}-db", "key": "password"}},
            },
        ],
        "resources": {
            "requests": {"cpu": f"{rng.choice((100, 250, 500))}m", "memory": "256Mi"},
            "limits": {"memory": f"{rng.choice((512, 1024, 2048))}Mi"},
        },
        "livenessProbe": {
            "httpGet": {"path": "/healthz", "port": "http"},
            "initialDelaySeconds": 10,
            "periodSeconds": 15,
        },
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": mounts,
    }
    security: dict[str, Any] = {"runAsNonRoot": True, "runAsUser": 1000}
    if rng.random() < 0.4:
        security["fsGroup"] = 1000
    pod_spec: dict[str, Any] = {
        "serviceAccountName": name,
        "securityContext": security,
        "containers": [container],
        "volumes": volumes,
    }
    if rng.random() < 0.3:
        pod_spec["nodeSelector"] = {"eks.amazonaws.com/nodegroup": rng.choice(NODE_GROUPS)}
    spec: dict[str, Any] = {
        "replicas": rng.choice((1, 2, 3)),
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name, "team": ns}},
            "spec": pod_spec,
        },
    }
    if kind == "Deployment":
        spec["strategy"] = {"type": "RollingUpdate"}
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name, "team": ns}},
        "spec": spec,
    }


def _claim_volume(claim: str) -> dict[str, Any]:
    return {"name": "data", "persistentVolumeClaim": {"claimName": claim}}


def _pvc(name: str, ns: str, storage_class: str, volume: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "accessModes": ["ReadWriteMany"],
        "storageClassName": storage_class,
        "resources": {"requests": {"storage": "5Gi"}},
    }
    if volume:
        spec["volumeName"] = volume
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def _pv(name: str, handle: str, options: list[str], attributes: dict[str, str]) -> dict[str, Any]:
    csi: dict[str, Any] = {"driver": "efs.csi.aws.com", "volumeHandle": handle}
    if attributes:
        csi["volumeAttributes"] = attributes
    spec: dict[str, Any] = {
        "capacity": {"storage": "5Gi"},
        "volumeMode": "Filesystem",
        "accessModes": ["ReadWriteMany"],
        "persistentVolumeReclaimPolicy": "Retain",
        "storageClassName": "efs-static",
    }
    if options:
        spec["mountOptions"] = options
    spec["csi"] = csi
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name, "labels": {"storage": "efs"}},
        "spec": spec,
    }


def _service(name: str, ns: str, headless: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"app": name},
        "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
    }
    if headless:
        spec["clusterIP"] = "None"
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": spec,
    }


def _config_map(name: str, ns: str, rng: random.Random) -> dict[str, Any]:
    lines = [f"{name}.setting{i}={rng.randrange(10_000)}" for i in range(rng.randrange(4, 24))]
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{name}-config", "namespace": ns},
        "data": {
            "application.properties": "\n".join(lines) + "\n",
            "LOG_FORMAT": "json",
            "FEATURE_FLAGS": "search,upload,preview",
        },
    }


def _ingress(name: str, ns: str) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": ns,
            "annotations": {
                "alb.ingress.kubernetes.io/scheme": "internal",
                "alb.ingress.kubernetes.io/target-type": "ip",
            },
        },
        "spec": {
            "ingressClassName": "alb",
            "rules": [
                {
                    "host": f"{name}.{ns}.example.internal",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": name, "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ],
        },
    }


def _hpa(name: str, ns: str, kind: str) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name},
            "minReplicas": 2,
            "maxReplicas": 10,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
        },
    }


def _rbac(name: str, ns: str) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": name, "namespace": ns},
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": name, "namespace": ns},
            "rules": [
                {
                    "apiGroups": [""],
                    "resources": ["configmaps"],
                    "verbs": ["get", "list", "watch"],
                }
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": ns},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": ns}],
        },
    ]


def _network_policy(name: str, ns: str) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "podSelector": {"matchLabels": {"app": name}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": ns}}}]}],
        },
    }


def _pdb(name: str, ns: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": name}}},
    }


def _kustomization(files: list[str], ns: str) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": ns,
        "resources": files,
        "commonLabels": {"team": ns},
    }


@dataclass
class _App:
    """One application's files: (file name, documents), in the order they are written."""

    files: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)


APP_KINDS = ("plain", "static", "access-point", "dynamic", "statefulset")
APP_WEIGHTS = (45, 20, 15, 10, 10)


def _app(
    index: int, ns: str, rng: random.Random, state: _State, handles: list[str]
) -> tuple[str, _App]:
    kind = rng.choices(APP_KINDS, APP_WEIGHTS)[0]
    name = f"{WORDS[index % len(WORDS)]}-{index}"
    fs = rng.randrange(FILE_SYSTEMS)
    workload_kind = "StatefulSet" if kind == "statefulset" else "Deployment"
    storage: list[dict[str, Any]] = []
    volumes: list[dict[str, Any]] = []
    if kind in ("static", "access-point"):
        options: list[str] = []
        attributes: dict[str, str] = {}
        if kind == "static":
            handle = f"{fs_id(fs)}:/apps/{ns}/{name}"
            if fs in RESTRICTED_FILE_SYSTEMS and rng.random() < 0.85:
                options = ["tls", "iam"]  # else: the seed incident's missing iam
        else:
            uid = 1000 if rng.random() < 0.9 else 1000 + index % 5000
            ap = state.new_access_point(fs, uid, f"/apps/{ns}/{name}")
            handle = f"{fs_id(fs)}::{ap}"
            options = ["tls", "iam"] if rng.random() < 0.7 else ["iam"]
            if rng.random() < 0.03:
                attributes = {"encryptInTransit": "false"}  # contradicts tls
        if handles and rng.random() < 0.02:
            handle = rng.choice(handles)  # copied from another app: duplicate handle
        handles.append(handle)
        storage.append(_pv(f"{ns}-{name}", handle, options, attributes))
        storage.append(_pvc(f"{name}-data", ns, "efs-static", f"{ns}-{name}"))
        volumes.append(_claim_volume(f"{name}-data"))
    elif kind == "dynamic":
        storage.append(_pvc(f"{name}-data", ns, f"efs-ap-{fs}"))
        volumes.append(_claim_volume(f"{name}-data"))
    else:
        volumes.append({"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}})
    workload = _deployment_like(workload_kind, name, ns, rng, volumes)
    if kind == "statefulset":
        workload["spec"]["serviceName"] = name
        workload["spec"]["volumeClaimTemplates"] = [
            {
                "metadata": {"name": "shared"},
                "spec": {
                    "accessModes": ["ReadWriteMany"],
                    "storageClassName": f"efs-ap-{fs}",
                    "resources": {"requests": {"storage": "5Gi"}},
                },
            }
        ]
        container = workload["spec"]["template"]["spec"]["containers"][0]
        container["volumeMounts"].append({"name": "shared", "mountPath": "/shared"})
    app = _App()
    extra: list[tuple[str, list[dict[str, Any]]]] = [
        ("service.yaml", [_service(name, ns, headless=kind == "statefulset")]),
        ("configmap.yaml", [_config_map(name, ns, rng)]),
    ]
    if rng.random() < 0.6:
        extra.append(("ingress.yaml", [_ingress(name, ns)]))
    if rng.random() < 0.3 and kind != "statefulset":
        extra.append(("hpa.yaml", [_hpa(name, ns, workload_kind)]))
    if rng.random() < 0.5:
        extra.append(("rbac.yaml", _rbac(name, ns)))
    if rng.random() < 0.25:
        extra.append(("networkpolicy.yaml", [_network_policy(name, ns)]))
    if rng.random() < 0.2:
        extra.append(("pdb.yaml", [_pdb(name, ns)]))
    if rng.random() < 0.2:
        # Helm-style: everything rendered into one multi-document file.
        documents = storage + [workload] + [d for _, docs in extra for d in docs]
        app.files.append(("rendered.yaml", documents))
        return name, app
    if storage:
        app.files.append(("storage.yaml" if rng.random() < 0.5 else "pv.yaml", storage))
    app.files.append((f"{workload_kind.lower()}.yaml", [workload]))
    app.files.extend(extra)
    if rng.random() < 0.3:
        app.files.append(("kustomization.yaml", [_kustomization([f for f, _ in app.files], ns)]))
    return name, app


# ---- writing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: int
    documents: int
    bytes: int
    kinds: dict[str, int]

    @property
    def k8s_objects(self) -> int:
        return sum(self.kinds.values())


FIXED_FILES = len(AWS_FILES) + len(PLATFORM_FILES)


def generate(root: Path, files: int, seed: int = SEED) -> Corpus:
    """Write a corpus of exactly ``files`` files under ``root`` (created; must be empty)."""
    if files < FIXED_FILES + 1:
        raise ValueError(f"a corpus needs at least {FIXED_FILES + 1} files")
    rng = random.Random(seed)
    aws_rng = random.Random(seed + 1)  # AWS state does not depend on the corpus size
    state = _State()
    handles: list[str] = []
    written: list[tuple[Path, str]] = []
    kinds: Counter[str] = Counter()
    documents = 0

    def add(path: Path, text: str, docs: list[dict[str, Any]]) -> None:
        nonlocal documents
        written.append((path, text))
        documents += len(docs)
        for doc in docs:
            for item in doc.get("items", [doc]) if doc.get("kind") == "List" else [doc]:
                kinds[str(item.get("kind"))] += 1

    platform = root / "platform"
    add(platform / "nodes.yaml", to_yaml([_node_list()]), [_node_list()])
    add(platform / "efs-csi-driver.yaml", to_yaml(_driver(), "aws-efs-csi-driver"), _driver())
    classes = _storage_classes()
    add(platform / "storageclasses.yaml", to_yaml(classes, "cluster storage classes"), classes)
    budget = files - FIXED_FILES
    index = 0
    while budget > 0:
        team = f"team-{index // 8:03d}"
        name, app = _app(index, team, rng, state, handles)
        for file_name, docs in app.files[:budget]:
            path = root / "apps" / team / name / file_name
            add(path, to_yaml(docs, f"{team}/{name}: managed by platform CI"), docs)
            budget -= 1
        index += 1
    for file_name, document in _aws_documents(aws_rng, state).items():
        written.append((root / "aws" / file_name, json.dumps(document, indent=4) + "\n"))
        documents += 1
    size = 0
    for path, text in written:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        path.write_bytes(data)
        size += len(data)
    assert len(written) == files
    return Corpus(root, len(written), documents, size, dict(sorted(kinds.items())))


DUMP_KINDS = ("PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet")


def generate_dump(root: Path, objects: int, seed: int = SEED) -> Corpus:
    """What ``kubectl get pv,pvc,deploy,sts -A -o yaml > cluster.yaml`` saves for a cluster
    running the applications of a generated repository: one ``kind: List`` document of
    ``objects`` items, beside the platform manifests and the AWS state."""
    import shutil
    import tempfile

    import yaml

    items: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch)
        generate(source, max(FIXED_FILES + 1, objects * 5), seed)
        for path in sorted((source / "apps").rglob("*.yaml")):
            for document in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
                if document.get("kind") in DUMP_KINDS:
                    items.append(document)
        for folder in ("platform", "aws"):
            shutil.copytree(source / folder, root / folder)
    if len(items) < objects:
        raise ValueError(f"only {len(items)} objects generated")
    dump = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}}
    dump["items"] = items[:objects]
    text = to_yaml([dump])
    (root / "cluster.yaml").write_text(text)
    files = [p for p in root.rglob("*") if p.suffix in (".yaml", ".json")]
    documents = sum(1 for p in files for _ in yaml.load_all(p.read_text(), Loader=yaml.CSafeLoader))
    kinds = Counter(str(item["kind"]) for item in items[:objects])
    size = sum(p.stat().st_size for p in files)
    return Corpus(root, len(files), documents, size, dict(sorted(kinds.items())))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="write a benchmark corpus")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    corpus = generate(args.directory, args.files, args.seed)
    print(
        f"{corpus.files} files, {corpus.documents} documents, {corpus.bytes / 1e6:.1f} MB; "
        f"Kubernetes objects: {corpus.kinds}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
