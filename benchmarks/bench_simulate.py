"""Mount simulations per second: 1,000 chains over 10 file systems, 60 mount targets and 200
security groups (issue 4 target: < 0.5 s for the 1,000 chains).

The inventory is generated: 10 file systems with a mount target in each of six zones, each
with a file system policy (node role read-write, an app role through an access point, deny
non-TLS); 30 nodes in six zones and three node groups; 1,000 Deployments, each with its PVC
and static PV (a third through an access point, a third with ``iam``), so each chain is
simulated on every zone it can land on. Loading and chain resolution are not timed; the
simulation (``simulate_all``) is, best of ``--repeat`` runs, each with a fresh simulator.

    .venv/bin/python benchmarks/bench_simulate.py [--chains N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "111122223333"
REGION = "us-east-1"
ZONES = [f"{REGION}{z}" for z in "abcdef"]
VPC = "vpc-0123456789abcdef0"
NODE_GROUPS = ("general", "memory", "gpu")


def _fs_id(i: int) -> str:
    return f"fs-{i:017x}"


def _fs_arn(i: int) -> str:
    return f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/{_fs_id(i)}"


def _ap_id(i: int) -> str:
    return f"fsap-{i:017x}"


def _policy(fs: str) -> dict[str, Any]:
    arn = f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/{fs}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "NodeRole",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/NodeRole"},
                "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                "Resource": arn,
            },
            {
                "Sid": "AppThroughAccessPoint",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                "Resource": arn,
                "Condition": {
                    "StringLike": {
                        "elasticfilesystem:AccessPointArn": (
                            f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:access-point/*"
                        )
                    }
                },
            },
            {
                "Sid": "DenyInsecure",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Resource": arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def aws_documents(file_systems: int) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    docs.append(
        {
            "FileSystems": [
                {
                    "FileSystemId": _fs_id(i),
                    "FileSystemArn": _fs_arn(i),
                    "OwnerId": ACCOUNT,
                    "LifeCycleState": "available",
                }
                for i in range(file_systems)
            ]
        }
    )
    targets = []
    for i in range(file_systems):
        for z, zone in enumerate(ZONES):
            mt = f"fsmt-{i:08x}{z:09x}"
            targets.append(
                {
                    "MountTargetId": mt,
                    "FileSystemId": _fs_id(i),
                    "SubnetId": f"subnet-efs{z}",
                    "VpcId": VPC,
                    "AvailabilityZoneName": zone,
                    "AvailabilityZoneId": f"use1-az{z + 1}",
                    "IpAddress": f"10.0.{100 + z}.{10 + i}",
                    "LifeCycleState": "available",
                }
            )
            docs.append({"MountTargetId": mt, "SecurityGroups": [f"sg-efs{i:04d}"]})
    docs.append({"MountTargets": targets})
    groups = []
    for i in range(file_systems):
        groups.append(
            {
                "GroupId": f"sg-efs{i:04d}",
                "VpcId": VPC,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 22,
                        "ToPort": 22,
                        "IpRanges": [{"CidrIp": "10.9.0.0/16"}],
                    },
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 2049,
                        "ToPort": 2049,
                        "UserIdGroupPairs": [{"GroupId": f"sg-node{g}"} for g in range(3)],
                    },
                ],
                "IpPermissionsEgress": [],
            }
        )
    for g in range(200 - file_systems):
        groups.append(
            {
                "GroupId": f"sg-node{g}",
                "VpcId": VPC,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
                    }
                ],
                "IpPermissionsEgress": [
                    {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
                ],
            }
        )
    docs.append({"SecurityGroups": groups})
    subnets = [
        {
            "SubnetId": f"subnet-node{z}",
            "VpcId": VPC,
            "AvailabilityZone": zone,
            "AvailabilityZoneId": f"use1-az{z + 1}",
            "CidrBlock": f"10.0.{z}.0/24",
        }
        for z, zone in enumerate(ZONES)
    ] + [
        {
            "SubnetId": f"subnet-efs{z}",
            "VpcId": VPC,
            "AvailabilityZone": zone,
            "AvailabilityZoneId": f"use1-az{z + 1}",
            "CidrBlock": f"10.0.{100 + z}.0/24",
        }
        for z, zone in enumerate(ZONES)
    ]
    docs.append({"Subnets": subnets})
    docs.append({"VpcId": VPC, "EnableDnsSupport": {"Value": True}})
    docs.append({"VpcId": VPC, "EnableDnsHostnames": {"Value": True}})
    docs.append(
        {
            "NetworkAcls": [
                {
                    "NetworkAclId": "acl-default",
                    "VpcId": VPC,
                    "IsDefault": True,
                    "Associations": [{"SubnetId": s["SubnetId"]} for s in subnets],
                    "Entries": [
                        {
                            "RuleNumber": 100,
                            "Protocol": "-1",
                            "RuleAction": "allow",
                            "Egress": e,
                            "CidrBlock": "0.0.0.0/0",
                        }
                        for e in (False, True)
                    ],
                }
            ]
        }
    )
    instances = []
    for n in range(30):
        z = n % len(ZONES)
        group = (n // len(ZONES)) % len(NODE_GROUPS)
        instances.append(
            {
                "InstanceId": f"i-{n:017x}",
                "PrivateIpAddress": f"10.0.{z}.{10 + n}",
                "SubnetId": f"subnet-node{z}",
                "VpcId": VPC,
                "Placement": {"AvailabilityZone": ZONES[z]},
                "SecurityGroups": [{"GroupId": f"sg-node{group}"}],
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/NodeProfile"
                },
            }
        )
    docs.append({"Reservations": [{"Instances": instances}]})
    docs.append(
        {
            "RoleDetailList": [
                {
                    "RoleName": "NodeRole",
                    "Arn": f"arn:aws:iam::{ACCOUNT}:role/NodeRole",
                    "RolePolicyList": [],
                    "AttachedManagedPolicies": [],
                    "InstanceProfileList": [
                        {
                            "InstanceProfileName": "NodeProfile",
                            "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/NodeProfile",
                            "Roles": [{"Arn": f"arn:aws:iam::{ACCOUNT}:role/NodeRole"}],
                        }
                    ],
                }
            ],
            "Policies": [],
        }
    )
    docs.append(
        {
            "AccessPoints": [
                {
                    "AccessPointId": _ap_id(i),
                    "FileSystemId": _fs_id(i),
                    "LifeCycleState": "available",
                    "PosixUser": {"Uid": 1000 + i, "Gid": 1000 + i},
                    "RootDirectory": {
                        "Path": f"/apps/{i}",
                        "CreationInfo": {
                            "OwnerUid": 1000 + i,
                            "OwnerGid": 1000 + i,
                            "Permissions": "0750",
                        },
                    },
                }
                for i in range(file_systems)
            ]
        }
    )
    return docs


def kubernetes_documents(chains: int, file_systems: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for n in range(30):
        z = n % len(ZONES)
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": f"node-{n}",
                    "labels": {
                        "topology.kubernetes.io/zone": ZONES[z],
                        "eks.amazonaws.com/nodegroup": NODE_GROUPS[
                            (n // len(ZONES)) % len(NODE_GROUPS)
                        ],
                    },
                },
                "spec": {"providerID": f"aws:///{ZONES[z]}/i-{n:017x}"},
                "status": {"addresses": [{"type": "InternalIP", "address": f"10.0.{z}.{10 + n}"}]},
            }
        )
    items.append(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "efs-sc"},
            "provisioner": "efs.csi.aws.com",
        }
    )
    for c in range(chains):
        fs = c % file_systems
        kind = c % 3
        handle = _fs_id(fs) if kind != 1 else f"{_fs_id(fs)}::{_ap_id(fs)}"
        options = ["iam"] if kind == 2 else []
        group = NODE_GROUPS[c % len(NODE_GROUPS)]
        items.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": f"pv-{c}"},
                "spec": {
                    "accessModes": ["ReadWriteMany"],
                    "storageClassName": "efs-sc",
                    "mountOptions": options,
                    "claimRef": {"namespace": "apps", "name": f"data-{c}"},
                    "csi": {"driver": "efs.csi.aws.com", "volumeHandle": handle},
                },
            }
        )
        items.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": f"data-{c}", "namespace": "apps"},
                "spec": {
                    "accessModes": ["ReadWriteMany"],
                    "storageClassName": "efs-sc",
                    "volumeName": f"pv-{c}",
                },
            }
        )
        items.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": f"app-{c}", "namespace": "apps"},
                "spec": {
                    "template": {
                        "spec": {
                            "nodeSelector": {"eks.amazonaws.com/nodegroup": group},
                            "containers": [
                                {
                                    "name": "app",
                                    "image": "busybox",
                                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                                }
                            ],
                            "volumes": [
                                {
                                    "name": "data",
                                    "persistentVolumeClaim": {"claimName": f"data-{c}"},
                                }
                            ],
                        }
                    }
                },
            }
        )
    return [{"apiVersion": "v1", "kind": "List", "items": items}]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chains", type=int, default=1000)
    parser.add_argument("--file-systems", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from efs_doctor.api import load_inventory, mount_chains
    from efs_doctor.engine.mount import simulate_all

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for index, document in enumerate(aws_documents(args.file_systems)):
            (folder / f"aws-{index:03d}.json").write_text(json.dumps(document))
        for fs in range(args.file_systems):
            (folder / f"policy-{fs}.json").write_text(json.dumps(_policy(_fs_id(fs))))
        (folder / "k8s.json").write_text(
            json.dumps(kubernetes_documents(args.chains, args.file_systems)[0])
        )
        inventory = load_inventory([str(folder)])
    chains = mount_chains(inventory)
    counts = inventory.summary()
    sizes = [
        f"{counts.get('FileSystem', 0)} file systems",
        f"{counts.get('MountTarget', 0)} mount targets",
        f"{counts.get('SecurityGroup', 0)} security groups",
        f"{counts.get('Node', 0)} nodes",
    ]
    print(f"inventory: {', '.join(sizes)}; {len(chains)} chains")
    best = best_cpu = float("inf")
    outcomes = []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        outcomes = simulate_all(inventory, chains)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    by_outcome: dict[str, int] = {}
    for outcome in outcomes:
        by_outcome[outcome.outcome] = by_outcome.get(outcome.outcome, 0) + 1
    print(f"outcomes: {len(outcomes)} {by_outcome}")
    print(
        f"simulate_all: {best * 1000:.1f} ms wall, {best_cpu * 1000:.1f} ms CPU for "
        f"{len(chains)} chains (best of {args.repeat})"
    )
    print(f"{len(chains) / best:,.0f} chains/s (target: {len(chains)} chains < 500 ms)")
    return 0 if best < 0.5 or len(chains) != 1000 else 1


if __name__ == "__main__":
    raise SystemExit(main())
