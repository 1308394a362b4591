"""Write examples/seed-incident and examples/healthy: manifests plus AWS CLI-shaped JSON.

The two examples share one cluster and one account; they differ only in what the incident
is about: the PV's mount options and the file system policy. Run from the repository root:
``python scripts/make_examples.py``. The output is committed; this script keeps the two
examples consistent when one of them changes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
REGION = "us-east-1"
CLUSTER = "prod"
FS_ID = "fs-0123456789abcdef0"
FS_ARN = f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/{FS_ID}"
VPC = "vpc-0a1b2c3d4e5f60718"
NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/eks-node-group-role"
NODE_PROFILE = f"arn:aws:iam::{ACCOUNT}:instance-profile/eks-node-group-profile"
CONTROLLER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/efs-csi-controller-role"
APP_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app-efs-access"
NODE_SG = "sg-0a11aa22bb33cc44d"
CLUSTER_SG = "sg-0c1c2c3c4c5c6c7c8"
EFS_SG = "sg-0e1f2a3b4c5d6e7f8"
ZONES = [
    (
        "us-east-1a",
        "use1-az1",
        "subnet-0aaa1111bbbb2222c",
        "10.0.0.0/19",
        "10.0.12.34",
        "i-0a1b2c3d4e5f60001",
    ),
    (
        "us-east-1b",
        "use1-az2",
        "subnet-0bbb2222cccc3333d",
        "10.0.32.0/19",
        "10.0.44.51",
        "i-0a1b2c3d4e5f60002",
    ),
    (
        "us-east-1c",
        "use1-az4",
        "subnet-0ccc3333dddd4444e",
        "10.0.64.0/19",
        "10.0.70.9",
        "i-0a1b2c3d4e5f60003",
    ),
]
KMS_KEY = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
POD_UID = "5b1f0c6e-2f7a-4d8e-9c1b-0a2b3c4d5e6f"
TARGET = f"/var/lib/kubelet/pods/{POD_UID}/volumes/kubernetes.io~csi/efs-pv/mount"
MT_IPS = ["10.0.5.10", "10.0.37.10", "10.0.69.10"]


def write(root: Path, name: str, data: Any) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith(".json"):
        path.write_text(json.dumps(data, indent=4) + "\n")
    else:
        path.write_text(data)


def file_systems() -> dict[str, Any]:
    return {
        "FileSystems": [
            {
                "OwnerId": ACCOUNT,
                "CreationToken": "prod-shared",
                "FileSystemId": FS_ID,
                "FileSystemArn": FS_ARN,
                "CreationTime": "2026-03-02T10:14:55+00:00",
                "LifeCycleState": "available",
                "Name": "prod-shared",
                "NumberOfMountTargets": 3,
                "SizeInBytes": {"Value": 6144, "ValueInIA": 0, "ValueInStandard": 6144},
                "PerformanceMode": "generalPurpose",
                "Encrypted": True,
                "KmsKeyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KMS_KEY}",
                "ThroughputMode": "elastic",
                "Tags": [{"Key": "Name", "Value": "prod-shared"}],
                "FileSystemProtection": {"ReplicationOverwriteProtection": "ENABLED"},
            }
        ]
    }


def mount_targets() -> dict[str, Any]:
    targets = []
    for index, (az, az_id, subnet, _cidr, _node_ip, _iid) in enumerate(ZONES):
        targets.append(
            {
                "OwnerId": ACCOUNT,
                "MountTargetId": f"fsmt-0{index + 1}23456789abcdef0",
                "FileSystemId": FS_ID,
                "SubnetId": subnet,
                "LifeCycleState": "available",
                "IpAddress": MT_IPS[index],
                "NetworkInterfaceId": f"eni-0{index + 1}a2b3c4d5e6f70809",
                "AvailabilityZoneId": az_id,
                "AvailabilityZoneName": az,
                "VpcId": VPC,
            }
        )
    return {"MountTargets": targets}


def network_interfaces() -> dict[str, Any]:
    enis = []
    for index, (az, _az_id, subnet, _cidr, _node_ip, _iid) in enumerate(ZONES):
        enis.append(
            {
                "AvailabilityZone": az,
                "Description": f"EFS mount target for {FS_ID} (fsmt-0{index + 1}23456789abcdef0)",
                "Groups": [{"GroupName": "efs-mount-targets", "GroupId": EFS_SG}],
                "InterfaceType": "efs",
                "Ipv6Addresses": [],
                "NetworkInterfaceId": f"eni-0{index + 1}a2b3c4d5e6f70809",
                "OwnerId": ACCOUNT,
                "PrivateIpAddress": MT_IPS[index],
                "RequesterId": "605923185678",
                "RequesterManaged": True,
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": subnet,
                "TagSet": [],
                "VpcId": VPC,
            }
        )
    return {"NetworkInterfaces": enis}


def security_groups() -> dict[str, Any]:
    all_out = [
        {
            "IpProtocol": "-1",
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
    ]
    return {
        "SecurityGroups": [
            {
                "Description": "EKS node group prod-general",
                "GroupName": "eks-prod-nodes",
                "IpPermissions": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [{"GroupId": NODE_SG, "UserId": ACCOUNT}],
                    },
                    {
                        "FromPort": 443,
                        "IpProtocol": "tcp",
                        "IpRanges": [],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "ToPort": 443,
                        "UserIdGroupPairs": [{"GroupId": CLUSTER_SG, "UserId": ACCOUNT}],
                    },
                ],
                "OwnerId": ACCOUNT,
                "GroupId": NODE_SG,
                "IpPermissionsEgress": copy.deepcopy(all_out),
                "VpcId": VPC,
            },
            {
                "Description": "EKS cluster security group",
                "GroupName": "eks-cluster-sg-prod",
                "IpPermissions": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [{"GroupId": CLUSTER_SG, "UserId": ACCOUNT}],
                    }
                ],
                "OwnerId": ACCOUNT,
                "GroupId": CLUSTER_SG,
                "IpPermissionsEgress": copy.deepcopy(all_out),
                "VpcId": VPC,
            },
            {
                "Description": "NFS from the EKS nodes to the EFS mount targets",
                "GroupName": "efs-mount-targets",
                "IpPermissions": [
                    {
                        "FromPort": 2049,
                        "IpProtocol": "tcp",
                        "IpRanges": [],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "ToPort": 2049,
                        "UserIdGroupPairs": [
                            {"Description": "EKS nodes", "GroupId": NODE_SG, "UserId": ACCOUNT}
                        ],
                    }
                ],
                "OwnerId": ACCOUNT,
                "GroupId": EFS_SG,
                "IpPermissionsEgress": copy.deepcopy(all_out),
                "VpcId": VPC,
            },
        ]
    }


def subnets() -> dict[str, Any]:
    return {
        "Subnets": [
            {
                "AvailabilityZone": az,
                "AvailabilityZoneId": az_id,
                "AvailableIpAddressCount": 8150,
                "CidrBlock": cidr,
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": False,
                "State": "available",
                "SubnetId": subnet,
                "VpcId": VPC,
                "OwnerId": ACCOUNT,
                "AssignIpv6AddressOnCreation": False,
                "Ipv6CidrBlockAssociationSet": [],
                "SubnetArn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{subnet}",
            }
            for az, az_id, subnet, cidr, _ip, _iid in ZONES
        ]
    }


def vpcs() -> dict[str, Any]:
    return {
        "Vpcs": [
            {
                "CidrBlock": "10.0.0.0/16",
                "DhcpOptionsId": "dopt-0f1e2d3c4b5a69788",
                "State": "available",
                "VpcId": VPC,
                "OwnerId": ACCOUNT,
                "InstanceTenancy": "default",
                "CidrBlockAssociationSet": [
                    {
                        "AssociationId": "vpc-cidr-assoc-0a1b2c3d4e5f60718",
                        "CidrBlock": "10.0.0.0/16",
                        "CidrBlockState": {"State": "associated"},
                    }
                ],
                "IsDefault": False,
            }
        ]
    }


def network_acls() -> dict[str, Any]:
    entries = [
        {
            "CidrBlock": "0.0.0.0/0",
            "Egress": True,
            "Protocol": "-1",
            "RuleAction": "allow",
            "RuleNumber": 100,
        },
        {
            "CidrBlock": "0.0.0.0/0",
            "Egress": True,
            "Protocol": "-1",
            "RuleAction": "deny",
            "RuleNumber": 32767,
        },
        {
            "CidrBlock": "0.0.0.0/0",
            "Egress": False,
            "Protocol": "-1",
            "RuleAction": "allow",
            "RuleNumber": 100,
        },
        {
            "CidrBlock": "0.0.0.0/0",
            "Egress": False,
            "Protocol": "-1",
            "RuleAction": "deny",
            "RuleNumber": 32767,
        },
    ]
    return {
        "NetworkAcls": [
            {
                "Associations": [
                    {
                        "NetworkAclAssociationId": f"aclassoc-0{i}a2b3c4d5e6f7080",
                        "NetworkAclId": "acl-0123abcd4567ef890",
                        "SubnetId": subnet,
                    }
                    for i, (_az, _azid, subnet, _c, _ip, _iid) in enumerate(ZONES, 1)
                ],
                "Entries": entries,
                "IsDefault": True,
                "NetworkAclId": "acl-0123abcd4567ef890",
                "Tags": [],
                "VpcId": VPC,
                "OwnerId": ACCOUNT,
            }
        ]
    }


def instances() -> dict[str, Any]:
    reservations = []
    for az, _az_id, subnet, _cidr, node_ip, instance_id in ZONES:
        dns = f"ip-{node_ip.replace('.', '-')}.ec2.internal"
        reservations.append(
            {
                "Groups": [],
                "Instances": [
                    {
                        "ImageId": "ami-0123456789abcdef0",
                        "InstanceId": instance_id,
                        "InstanceType": "m6i.large",
                        "LaunchTime": "2026-11-20T08:00:00+00:00",
                        "Placement": {
                            "AvailabilityZone": az,
                            "GroupName": "",
                            "Tenancy": "default",
                        },
                        "PrivateDnsName": dns,
                        "PrivateIpAddress": node_ip,
                        "State": {"Code": 16, "Name": "running"},
                        "SubnetId": subnet,
                        "VpcId": VPC,
                        "IamInstanceProfile": {
                            "Arn": NODE_PROFILE,
                            "Id": "AIPAEXAMPLENODEPROFILE",
                        },
                        "NetworkInterfaces": [
                            {
                                "Groups": [
                                    {"GroupName": "eks-prod-nodes", "GroupId": NODE_SG},
                                    {"GroupName": "eks-cluster-sg-prod", "GroupId": CLUSTER_SG},
                                ],
                                "PrivateIpAddress": node_ip,
                                "SubnetId": subnet,
                                "VpcId": VPC,
                            }
                        ],
                        "SecurityGroups": [
                            {"GroupName": "eks-prod-nodes", "GroupId": NODE_SG},
                            {"GroupName": "eks-cluster-sg-prod", "GroupId": CLUSTER_SG},
                        ],
                        "MetadataOptions": {
                            "State": "applied",
                            "HttpTokens": "required",
                            "HttpPutResponseHopLimit": 2,
                            "HttpEndpoint": "enabled",
                        },
                    }
                ],
                "OwnerId": ACCOUNT,
                "ReservationId": f"r-0{instance_id[-1]}a1b2c3d4e5f6071",
            }
        )
    return {"Reservations": reservations}


def trust_ec2() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def trust_irsa(service_account: str) -> dict[str, Any]:
    issuer = "oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:sub": f"system:serviceaccount:kube-system:{service_account}",
                        f"{issuer}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def role(
    arn: str, trust: dict[str, Any], attached: list[str], profiles: list[str]
) -> dict[str, Any]:
    name = arn.rsplit("/", 1)[-1]
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROA" + name.upper().replace("-", "")[:17],
        "Arn": arn,
        "CreateDate": "2026-03-02T10:00:00+00:00",
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [
            {
                "Path": "/",
                "InstanceProfileName": p.rsplit("/", 1)[-1],
                "InstanceProfileId": "AIPAEXAMPLENODEPROFILE",
                "Arn": p,
                "CreateDate": "2026-03-02T10:00:00+00:00",
                "Roles": [
                    {
                        "Path": "/",
                        "RoleName": name,
                        "RoleId": "AROA",
                        "Arn": arn,
                        "CreateDate": "2026-03-02T10:00:00+00:00",
                        "AssumeRolePolicyDocument": trust,
                    }
                ],
            }
            for p in profiles
        ],
        "RolePolicyList": [],
        "AttachedManagedPolicies": [
            {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached
        ],
        "Tags": [],
        "RoleLastUsed": {},
    }


def authorization_details() -> dict[str, Any]:
    return {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [
            role(
                NODE_ROLE,
                trust_ec2(),
                [
                    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
                    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
                ],
                [NODE_PROFILE],
            ),
            role(
                CONTROLLER_ROLE,
                trust_irsa("efs-csi-controller-sa"),
                ["arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"],
                [],
            ),
            role(APP_ROLE, trust_irsa("efs-csi-node-sa"), [], []),
        ],
        "Policies": [],
    }


def seed_policy() -> dict[str, Any]:
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
                "Resource": FS_ARN,
                "Condition": {"ArnLike": {"aws:PrincipalArn": [NODE_ROLE, APP_ROLE]}},
            }
        ],
    }


def healthy_policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Id": "prod-shared-node-role",
        "Statement": [
            {
                "Sid": "AllowNodeRoleReadWrite",
                "Effect": "Allow",
                "Principal": {"AWS": NODE_ROLE},
                "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                "Resource": FS_ARN,
                "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
            },
            {
                "Sid": "DenyUnencryptedTransport",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Resource": FS_ARN,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def pv_yaml(mount_options: list[str]) -> str:
    options = ""
    if mount_options:
        options = "  mountOptions:\n" + "".join(f"    - {o}\n" for o in mount_options)
    return (
        "# Static PersistentVolume for the shared EFS file system.\n"
        "apiVersion: v1\n"
        "kind: PersistentVolume\n"
        "metadata:\n"
        "  name: efs-pv\n"
        "spec:\n"
        "  capacity:\n"
        "    storage: 5Gi\n"
        "  volumeMode: Filesystem\n"
        "  accessModes:\n"
        "    - ReadWriteMany\n"
        "  persistentVolumeReclaimPolicy: Retain\n"
        "  storageClassName: efs-sc\n"
        f"{options}"
        "  csi:\n"
        "    driver: efs.csi.aws.com\n"
        f"    volumeHandle: {FS_ID}\n"
        "---\n"
        "apiVersion: v1\n"
        "kind: PersistentVolumeClaim\n"
        "metadata:\n"
        "  name: shared-data\n"
        "  namespace: web\n"
        "spec:\n"
        "  accessModes:\n"
        "    - ReadWriteMany\n"
        "  storageClassName: efs-sc\n"
        "  volumeName: efs-pv\n"
        "  resources:\n"
        "    requests:\n"
        "      storage: 5Gi\n"
    )


STORAGE_CLASS = """\
kind: StorageClass
apiVersion: storage.k8s.io/v1
metadata:
  name: efs-sc
provisioner: efs.csi.aws.com
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      securityContext:
        runAsUser: 1000
        runAsGroup: 1000
      containers:
        - name: web
          image: public.ecr.aws/nginx/nginx:1.27
          volumeMounts:
            - name: shared
              mountPath: /usr/share/nginx/html/uploads
      volumes:
        - name: shared
          persistentVolumeClaim:
            claimName: shared-data
"""

SERVICE_ACCOUNTS = f"""\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: efs-csi-controller-sa
  namespace: kube-system
  labels:
    app.kubernetes.io/name: aws-efs-csi-driver
  annotations:
    eks.amazonaws.com/role-arn: {CONTROLLER_ROLE}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: efs-csi-node-sa
  namespace: kube-system
  labels:
    app.kubernetes.io/name: aws-efs-csi-driver
"""

DRIVER = """\
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata:
  name: efs.csi.aws.com
spec:
  attachRequired: false
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: efs-csi-node
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: efs-csi-node
  template:
    metadata:
      labels:
        app: efs-csi-node
    spec:
      serviceAccountName: efs-csi-node-sa
      hostNetwork: true
      containers:
        - name: efs-plugin
          image: public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v3.4.1
          securityContext:
            privileged: true
"""


def nodes_yaml() -> str:
    items = []
    for az, _az_id, _subnet, _cidr, node_ip, instance_id in ZONES:
        name = f"ip-{node_ip.replace('.', '-')}.ec2.internal"
        items.append(
            f"""\
- apiVersion: v1
  kind: Node
  metadata:
    name: {name}
    labels:
      eks.amazonaws.com/nodegroup: general
      kubernetes.io/os: linux
      topology.kubernetes.io/region: {REGION}
      topology.kubernetes.io/zone: {az}
      node.kubernetes.io/instance-type: m6i.large
  spec:
    providerID: aws:///{az}/{instance_id}
  status:
    addresses:
    - address: {node_ip}
      type: InternalIP
    - address: {name}
      type: Hostname
"""
        )
    return 'apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: ""\nitems:\n' + "".join(items)


SEED_EVENT = f"""\
apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: v1
  kind: Event
  metadata:
    name: web-7c9f6d8b4d-x2x9k.1870f2a9c3d1e0b2
    namespace: web
  involvedObject:
    apiVersion: v1
    kind: Pod
    name: web-7c9f6d8b4d-x2x9k
    namespace: web
  reason: FailedMount
  type: Warning
  count: 14
  lastTimestamp: "2026-11-26T09:41:07Z"
  message: |-
    MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = Internal desc = \
Could not mount "{FS_ID}:/" at "{TARGET}": mount failed: exit status 32
    Mounting command: mount
    Mounting arguments: -t efs -o tls {FS_ID}:/ {TARGET}
    Output: Could not start amazon-efs-mount-watchdog, unrecognized init system "aws-efs-csi-dri"
    b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'
"""


def common(root: Path) -> None:
    write(root, "k8s/storageclass.yaml", STORAGE_CLASS)
    write(root, "k8s/deployment.yaml", DEPLOYMENT)
    write(root, "k8s/efs-csi-serviceaccounts.yaml", SERVICE_ACCOUNTS)
    write(root, "k8s/efs-csi-driver.yaml", DRIVER)
    write(root, "k8s/nodes.yaml", nodes_yaml())
    write(root, "aws/efs-describe-file-systems.json", file_systems())
    write(root, "aws/efs-describe-mount-targets.json", mount_targets())
    write(root, "aws/ec2-describe-network-interfaces.json", network_interfaces())
    write(root, "aws/ec2-describe-security-groups.json", security_groups())
    write(root, "aws/ec2-describe-subnets.json", subnets())
    write(root, "aws/ec2-describe-vpcs.json", vpcs())
    write(
        root,
        "aws/ec2-describe-vpc-attribute-dns-support.json",
        {"VpcId": VPC, "EnableDnsSupport": {"Value": True}},
    )
    write(
        root,
        "aws/ec2-describe-vpc-attribute-dns-hostnames.json",
        {"VpcId": VPC, "EnableDnsHostnames": {"Value": True}},
    )
    write(root, "aws/ec2-describe-network-acls.json", network_acls())
    write(root, "aws/ec2-describe-instances.json", instances())
    write(root, "aws/iam-get-account-authorization-details.json", authorization_details())
    write(
        root,
        "aws/sts-get-caller-identity.json",
        {
            "UserId": "AROAEXAMPLEREADONLY:oncall",
            "Account": ACCOUNT,
            "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/ReadOnly/oncall",
        },
    )


def main() -> None:
    seed = Path("examples/seed-incident")
    common(seed)
    write(seed, "k8s/pv-and-claim.yaml", pv_yaml([]))
    write(seed, "k8s/events.yaml", SEED_EVENT)
    write(seed, "aws/file-system-policy.json", seed_policy())
    healthy = Path("examples/healthy")
    common(healthy)
    write(healthy, "k8s/pv-and-claim.yaml", pv_yaml(["iam"]))
    write(healthy, "aws/file-system-policy.json", healthy_policy())


if __name__ == "__main__":
    main()
