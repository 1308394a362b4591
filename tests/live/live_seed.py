"""The seed incident (examples/seed-incident) built in moto and in the fake Kubernetes API.

AWS: a VPC with DNS on, three subnets (us-east-1a/b/c), a node security group and a mount
target security group admitting TCP 2049 from it, three node instances with the instance
profile of ``eks-node-group-role``, an EKS cluster ``prod``, and one file system with a mount
target in every node zone and a policy that allows ``Client*`` to ``{"AWS": "*"}`` only under
``ArnLike aws:PrincipalArn`` of two roles. Kubernetes: a static PV without ``mountOptions``
for that file system, its claim, a pod stuck on it with the FailedMount event, the nodes,
the EFS CSI driver (DaemonSet, Deployment, CSIDriver, service accounts).

moto makes its own ids (8-hex file system ids), so the Kubernetes objects are built from
what moto returned.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
CLUSTER = "prod"
DRIVER_IMAGE = "public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v3.4.1"
NODE_ROLE = "eks-node-group-role"
CONTROLLER_ROLE = "efs-csi-controller-role"
APP_ROLE = "app-efs-access"
POD = "web-7c9f6d8b4d-x2x9k"


@dataclass
class AwsSeed:
    file_system_ids: list[str] = field(default_factory=list)
    instances: list[dict[str, Any]] = field(
        default_factory=list
    )  # InstanceId, PrivateDnsName, zone
    vpc_id: str = ""
    node_sg: str = ""
    mount_target_sg: str = ""
    mount_target_ids: list[str] = field(default_factory=list)


def clients(endpoint: str) -> dict[str, Any]:
    import boto3

    kw = {
        "region_name": REGION,
        "endpoint_url": endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return {s: boto3.client(s, **kw) for s in ("ec2", "efs", "iam", "eks")}


def _trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def restrictive_policy(fs_arn: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Id": "prod-shared-restrict-to-roles",
        "Statement": [
            {
                "Sid": "AllowOnlyPlatformRoles",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "elasticfilesystem:ClientMount",
                    "elasticfilesystem:ClientWrite",
                    "elasticfilesystem:ClientRootAccess",
                ],
                "Resource": fs_arn,
                "Condition": {
                    "ArnLike": {
                        "aws:PrincipalArn": [
                            f"arn:aws:iam::{ACCOUNT}:role/{NODE_ROLE}",
                            f"arn:aws:iam::{ACCOUNT}:role/{APP_ROLE}",
                        ]
                    }
                },
            }
        ],
    }


def build_network(c: Mapping[str, Any], seed: AwsSeed, node_count: int) -> list[str]:
    ec2 = c["ec2"]
    seed.vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):
        ec2.modify_vpc_attribute(VpcId=seed.vpc_id, **{attribute: {"Value": True}})
    subnets = [
        ec2.create_subnet(VpcId=seed.vpc_id, CidrBlock=f"10.0.{i * 32}.0/19", AvailabilityZone=az)[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate(ZONES)
    ]
    seed.node_sg = ec2.create_security_group(
        GroupName="eks-prod-nodes", Description="EKS node group", VpcId=seed.vpc_id
    )["GroupId"]
    seed.mount_target_sg = ec2.create_security_group(
        GroupName="efs-mount-targets", Description="NFS from nodes", VpcId=seed.vpc_id
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=seed.mount_target_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 2049,
                "ToPort": 2049,
                "UserIdGroupPairs": [{"GroupId": seed.node_sg}],
            }
        ],
    )
    image = "ami-0123456789abcdef0"  # moto runs any image id (its AMI catalogue is not loaded)
    profile_arn = f"arn:aws:iam::{ACCOUNT}:instance-profile/eks-node-group-profile"
    for index in range(node_count):
        zone_index = index % len(ZONES)
        instance = ec2.run_instances(
            ImageId=image,
            MinCount=1,
            MaxCount=1,
            InstanceType="m6i.large",
            SubnetId=subnets[zone_index],
            SecurityGroupIds=[seed.node_sg],
            IamInstanceProfile={"Arn": profile_arn},
            MetadataOptions={"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
            TagSpecifications=[
                {
                    "ResourceType": "instance",
                    "Tags": [{"Key": "eks:cluster-name", "Value": CLUSTER}],
                }
            ],
        )["Instances"][0]
        seed.instances.append(
            {
                "InstanceId": instance["InstanceId"],
                "PrivateDnsName": instance["PrivateDnsName"],
                "PrivateIpAddress": instance["PrivateIpAddress"],
                "zone": ZONES[zone_index],
            }
        )
    return subnets


def build_iam(c: Mapping[str, Any]) -> None:
    iam = c["iam"]
    iam.create_role(RoleName=NODE_ROLE, AssumeRolePolicyDocument=_trust("ec2.amazonaws.com"))
    iam.create_instance_profile(InstanceProfileName="eks-node-group-profile")
    iam.add_role_to_instance_profile(
        InstanceProfileName="eks-node-group-profile", RoleName=NODE_ROLE
    )
    node_policy = iam.create_policy(
        PolicyName="node-describe",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}
                ],
            }
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=NODE_ROLE, PolicyArn=node_policy)
    for role in (CONTROLLER_ROLE, APP_ROLE):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=_trust("pods.eks.amazonaws.com"))
    iam.put_role_policy(
        RoleName=CONTROLLER_ROLE,
        PolicyName="efs-csi-controller",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["elasticfilesystem:DescribeAccessPoints"],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    c["eks"].create_cluster(
        name=CLUSTER,
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/{NODE_ROLE}",
        resourcesVpcConfig={"subnetIds": []},
    )


def build_file_system(
    c: Mapping[str, Any],
    seed: AwsSeed,
    subnets: list[str],
    policy: bool = True,
    token: str = "seed",
) -> str:
    efs = c["efs"]
    fs = efs.create_file_system(
        CreationToken=token, Encrypted=True, Tags=[{"Key": "Name", "Value": token}]
    )
    fs_id = fs["FileSystemId"]
    if policy:
        efs.put_file_system_policy(
            FileSystemId=fs_id, Policy=json.dumps(restrictive_policy(fs["FileSystemArn"]))
        )
    for subnet in subnets:
        mt = efs.create_mount_target(
            FileSystemId=fs_id, SubnetId=subnet, SecurityGroups=[seed.mount_target_sg]
        )
        seed.mount_target_ids.append(mt["MountTargetId"])
    seed.file_system_ids.append(fs_id)
    return fs_id


def build_aws(endpoint: str, node_count: int = 3) -> AwsSeed:
    c = clients(endpoint)
    seed = AwsSeed()
    build_iam(c)
    subnets = build_network(c, seed, node_count)
    build_file_system(c, seed, subnets)
    return seed


# ---- Kubernetes ---------------------------------------------------------------------------


def _meta(name: str, namespace: str | None = None, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, **extra}
    if namespace:
        meta["namespace"] = namespace
    return meta


def node_objects(seed: AwsSeed) -> list[dict[str, Any]]:
    return [
        {
            "kind": "Node",
            "metadata": _meta(
                i["PrivateDnsName"],
                labels={
                    "eks.amazonaws.com/nodegroup": "general",
                    "topology.kubernetes.io/region": REGION,
                    "topology.kubernetes.io/zone": i["zone"],
                },
            ),
            "spec": {"providerID": f"aws:///{i['zone']}/{i['InstanceId']}"},
            "status": {
                "addresses": [{"type": "InternalIP", "address": i["PrivateIpAddress"]}],
                "images": [{"names": ["busybox"], "sizeBytes": 1}],
            },
        }
        for i in seed.instances
    ]


def driver_objects() -> list[dict[str, Any]]:
    irsa = {"eks.amazonaws.com/role-arn": f"arn:aws:iam::{ACCOUNT}:role/{CONTROLLER_ROLE}"}
    container = {
        "name": "efs-plugin",
        "image": DRIVER_IMAGE,
        "args": ["--endpoint=$(CSI_ENDPOINT)", "--v=2"],
        "env": [{"name": "CSI_ENDPOINT", "value": "unix:/csi/csi.sock"}],
        "securityContext": {"privileged": True},
    }
    return [
        {
            "kind": "CSIDriver",
            "metadata": _meta("efs.csi.aws.com"),
            "spec": {"attachRequired": False},
        },
        {
            "kind": "ServiceAccount",
            "metadata": _meta("efs-csi-controller-sa", "kube-system", annotations=irsa),
        },
        {"kind": "ServiceAccount", "metadata": _meta("efs-csi-node-sa", "kube-system")},
        {"kind": "ServiceAccount", "metadata": _meta("default", "web")},
        {
            "kind": "DaemonSet",
            "metadata": _meta("efs-csi-node", "kube-system"),
            "spec": {
                "selector": {"matchLabels": {"app": "efs-csi-node"}},
                "template": {
                    "metadata": {"labels": {"app": "efs-csi-node"}},
                    "spec": {
                        "serviceAccountName": "efs-csi-node-sa",
                        "hostNetwork": True,
                        "containers": [container],
                    },
                },
            },
        },
        {
            "kind": "Deployment",
            "metadata": _meta("efs-csi-controller", "kube-system"),
            "spec": {
                "selector": {"matchLabels": {"app": "efs-csi-controller"}},
                "template": {
                    "metadata": {"labels": {"app": "efs-csi-controller"}},
                    "spec": {
                        "serviceAccountName": "efs-csi-controller-sa",
                        "containers": [container],
                    },
                },
            },
        },
        {
            "kind": "Deployment",
            "metadata": _meta("unrelated", "web"),
            "spec": {
                "selector": {"matchLabels": {"app": "unrelated"}},
                "template": {
                    "metadata": {"labels": {"app": "unrelated"}},
                    "spec": {"containers": [{"name": "c", "image": "busybox"}]},
                },
            },
        },
    ]


def volume_objects(
    fs_id: str, pv_name: str = "efs-pv", claim: str = "shared-data"
) -> list[dict[str, Any]]:
    return [
        {
            "kind": "PersistentVolume",
            "metadata": _meta(pv_name),
            "spec": {
                "capacity": {"storage": "5Gi"},
                "volumeMode": "Filesystem",
                "accessModes": ["ReadWriteMany"],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "efs-sc",
                "csi": {"driver": "efs.csi.aws.com", "volumeHandle": fs_id},
                "claimRef": {"namespace": "web", "name": claim},
            },
            "status": {"phase": "Bound"},
        },
        {
            "kind": "PersistentVolumeClaim",
            "metadata": _meta(claim, "web"),
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "storageClassName": "efs-sc",
                "volumeName": pv_name,
                "resources": {"requests": {"storage": "5Gi"}},
            },
            "status": {"phase": "Bound"},
        },
    ]


def pod_object(node: str, claim: str = "shared-data", name: str = POD) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": _meta(name, "web", labels={"app": "web"}),
        "spec": {
            "nodeName": node,
            "serviceAccountName": "default",
            "securityContext": {"runAsUser": 1000, "runAsGroup": 1000},
            "containers": [
                {
                    "name": "web",
                    "image": "public.ecr.aws/nginx/nginx:1.27",
                    "volumeMounts": [
                        {"name": "shared", "mountPath": "/usr/share/nginx/html/uploads"}
                    ],
                }
            ],
            "volumes": [{"name": "shared", "persistentVolumeClaim": {"claimName": claim}}],
        },
        "status": {"phase": "Pending"},
    }


def event_object(fs_id: str, pod: str = POD) -> dict[str, Any]:
    message = (
        f'MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = Internal desc = '
        f'Could not mount "{fs_id}:/" at "/var/lib/kubelet/pods/5b1f/volumes/kubernetes.io~csi/'
        f'efs-pv/mount": mount failed: exit status 32\nMounting command: mount\nMounting '
        f"arguments: -t efs -o tls {fs_id}:/ /var/lib/kubelet/pods/5b1f/volumes/kubernetes.io~csi/"
        f"efs-pv/mount\nOutput: Could not start amazon-efs-mount-watchdog, unrecognized init "
        f'system "aws-efs-csi-dri"\nb\'mount.nfs4: access denied by server while mounting '
        "127.0.0.1:/'"
    )
    return {
        "kind": "Event",
        "metadata": _meta(f"{pod}.1870f2a9c3d1e0b2", "web"),
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": pod, "namespace": "web"},
        "reason": "FailedMount",
        "type": "Warning",
        "count": 14,
        "lastTimestamp": "2026-11-26T09:41:07Z",
        "message": message,
    }


def storage_class() -> dict[str, Any]:
    return {"kind": "StorageClass", "metadata": _meta("efs-sc"), "provisioner": "efs.csi.aws.com"}


def kube_objects(seed: AwsSeed) -> list[dict[str, Any]]:
    fs_id = seed.file_system_ids[0]
    return [
        *node_objects(seed),
        *driver_objects(),
        storage_class(),
        *volume_objects(fs_id),
        pod_object(seed.instances[0]["PrivateDnsName"]),
        event_object(fs_id),
        {
            "kind": "Event",
            "metadata": _meta("web.scheduled", "web"),
            "involvedObject": {"kind": "Pod", "name": POD, "namespace": "web"},
            "reason": "Scheduled",
            "type": "Normal",
            "message": "Successfully assigned",
        },
    ]
