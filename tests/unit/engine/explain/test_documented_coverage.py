"""Every cause of docs/causes.md is reachable from what the documentation says it prints and from
the words users write for its symptom (issue 17, third round: generalisation, not cases).

One row per documented message or symptom, each with its source. A message row is checked as
printed, inside the wrappers it reaches users in (kubelet's MountVolume.SetUp event with the
mount helper's output, ECS's ResourceInitializationError, the external-provisioner's
ProvisioningFailed event) and cut short with "..."; the cause must be among explain's first
three. Symptom rows are checked as written.

Sources: ES = /work/shared/docs/efs-semantics.md (section or §7 row), CM = causes.md (row of
the cause), TS = AWS EFS user guide "Troubleshooting mount issues"
(https://docs.aws.amazon.com/efs/latest/ug/troubleshooting-efs-mounting.html), KC = AWS
knowledge center "Troubleshoot EFS volume mount issues in EKS"
(https://repost.aws/knowledge-center/eks-troubleshoot-efs-volume-mount-issues).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from efs_doctor.engine.explain import explain

FS = "fs-0123456789abcdef0"
AP = "fsap-0f1e2d3c4b5a69788"
DNS = f"{FS}.efs.us-east-1.amazonaws.com"
TARGET = "/var/lib/kubelet/pods/5f1c2a8e/volumes/kubernetes.io~csi/efs-pv/mount"


@dataclass(frozen=True)
class Row:
    cause: str
    text: str
    source: str
    where: str = "node"  # node (mount helper output), controller, plain (printed elsewhere), words
    args: str = "-t efs -o tls"  # the Mounting arguments the kubelet wrapper shows
    exit_status: int = 32
    # The cause is told apart from the message's other causes only by the mount's arguments:
    # checked in the forms that show them (the kubelet event).
    args_decide: bool = False
    # False where cutting the last words takes the words that tell the message apart.
    cuttable: bool = True


def kubelet(row: Row) -> str:
    """ES §3.9: kubelet's event, the mount command and the helper's output after 'Output:'."""
    return (
        f'MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = Internal desc = '
        f'Could not mount "{FS}:/" at "{TARGET}": mount failed: exit status {row.exit_status}\n'
        f"Mounting command: mount\nMounting arguments: {row.args} {FS}:/ {TARGET}\n"
        f"Output: {row.text}"
    )


def ecs(row: Row) -> str:
    """How ECS/Fargate tasks report a failed EFS mount (the helper's stderr, wrapped), as posted
    in aws-samples/aws-cdk-examples#920 and acp-io/terraform-grafana#4."""
    return (
        "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS "
        f"volumes: stderr: {row.text} : unsuccessful EFS utils command execution; code: "
        f"{row.exit_status}"
    )


def provisioner(row: Row) -> str:
    """ES §3.8, §7 row 36: the external-provisioner's event around the controller's error."""
    return (
        "Warning  ProvisioningFailed  2m (x9 over 20m)  efs.csi.aws.com_efs-csi-controller-7c9d"
        ' failed to provision volume with StorageClass "efs-sc": rpc error: code = Internal '
        f"desc = {row.text}"
    )


def truncated(text: str) -> str:
    """The last line's last words cut off mid-word with "...", as issue titles and narrow
    terminals show it (a tenth of the line, 6 to 40 characters)."""
    last = len(text) - len(text.rsplit("\n", 1)[-1])
    drop = min(40, max(6, (len(text) - last) // 10))
    return text[: len(text) - drop] + "..."


AUTHORIZATION = [
    Row(
        "iam-option-missing",
        "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'",
        "ES §7 row 1 (a); TS 'Access Denied by Server' (use -o iam); KC",
    ),
    Row(
        "iam-option-missing",
        "pods fail to mount with access denied by server since we added a file system policy",
        "CM iam-option-missing (a user policy is in effect, the mount has no iam)",
        where="words",
    ),
    Row(
        "identity-policy-missing-client-actions",
        "AWS credentials source used for IAM authentication: webidentity:"
        "arn:aws:iam::111122223333:role/efs-csi-node,/var/run/secrets/eks.amazonaws.com/"
        "serviceaccount/token\nb'mount.nfs4: access denied by server while mounting 127.0.0.1:/'",
        "ES §7 row 1 (b), §2.8 (the credentials source names the principal); CM",
        args="-t efs -o iam,tls",
    ),
    Row(
        "policy-denies-principal",
        "AWS credentials source used for IAM authentication: metadata:\n"
        "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'",
        "ES §7 row 1 (b) (wrong node principal), §3.5; CM policy-denies-principal",
        args="-t efs -o iam,tls",
    ),
    Row(
        "policy-condition-not-met",
        "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'",
        "ES §7 row 1 (d) (AccessPointArn condition); CM policy-condition-not-met",
        args=f"-t efs -o accesspoint={AP},iam,tls",
        args_decide=True,
    ),
    Row(
        "policy-missing-clientmount",
        "the file system policy allows ClientWrite and ClientRootAccess but never ClientMount",
        "CM policy-missing-clientmount; ES §4.7 (no ClientMount, no mount)",
        where="words",
    ),
    Row(
        "policy-secure-transport-no-tls",
        f"mount.nfs4: access denied by server while mounting {DNS}:/",
        "ES §7 row 1 (c) (SecureTransport=false deny), §2.5 (a real server name: no TLS proxy)",
        args="-t nfs4 -o nfsvers=4.1",
    ),
    Row(
        "policy-secure-transport-no-tls",
        "our EFS policy denies aws:SecureTransport false and the mount does not use tls",
        "CM policy-secure-transport-no-tls",
        where="words",
    ),
    Row(
        "policy-unsupported-condition-key",
        "access denied by server although the file system policy allows our VPC with an "
        "aws:SourceVpc condition",
        "CM policy-unsupported-condition-key; ES §4.5 (keys EFS provides to NFS clients)",
        where="words",
    ),
    Row(
        "root-squash-no-clientrootaccess",
        "chown: changing ownership of '/data/app': Operation not permitted",
        "ES §7 row 42 (root squashed without ClientRootAccess), §4.7",
        where="plain",
    ),
    Row(
        "root-squash-no-clientrootaccess",
        "ECS tasks running as root cannot write to the EFS file system: missing policy action",
        "CM root-squash-no-clientrootaccess; ES §4.7 (root without ClientRootAccess is squashed)",
        where="words",
    ),
    Row(
        "read-only-no-clientwrite",
        "touch: cannot touch '/data/out.txt': Read-only file system",
        "ES §7 row 41 (ClientWrite not granted)",
        where="plain",
    ),
    Row(
        "read-only-no-clientwrite",
        "the container can mount EFS but cannot write anything: mkdir: read-only file system",
        "CM read-only-no-clientwrite",
        where="words",
    ),
]

NETWORK = [
    Row(
        "sg-missing-2049",
        "mount.nfs: Connection timed out",
        "ES §7 row 43; TS 'File System Mount Hangs and Then Fails with Timeout Error'; KC",
    ),
    Row(
        "sg-missing-2049",
        "Mount attempt 1/3 failed due to timeout after 15 sec, wait 0 sec before next attempt.",
        "ES §7 row 25, §2.10",
    ),
    Row(
        "sg-missing-2049",
        "b'mount.nfs4: mount system call failed'",
        "ES §7 row 46 (no answer on TCP 2049 through the proxy)",
    ),
    Row(
        "sg-missing-2049",
        'MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = DeadlineExceeded desc '
        "= context deadline exceeded",
        "ES §3.9, §7 row 25",
        where="plain",
    ),
    Row(
        "sg-missing-2049",
        "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data "
        "kube-api-access-x2z]: timed out waiting for the condition",
        "ES §7 row 26; KC",
        where="plain",
    ),
    Row(
        "sg-missing-2049",
        "the mount command hangs for a minute or two and then fails with a timeout",
        "TS 'File System Mount Hangs and Then Fails with Timeout Error'",
        where="words",
    ),
    Row(
        "sg-missing-2049",
        "Retrying execution of mount[/shared], 9 attempts left",
        "TS 'Mount Hangs ... Timeout' (a mount that is retried without an answer)",
        where="words",
    ),
    Row(
        "node-sg-egress-blocked",
        "b'mount.nfs4: mount system call failed'",
        "ES §7 row 46 (mount-target SG inbound or node SG outbound)",
    ),
    Row(
        "node-sg-egress-blocked",
        "the mount times out; the worker node security group has no outbound rule for NFS 2049",
        "CM node-sg-egress-blocked; ES §6 (the client's SG must allow outbound 2049)",
        where="words",
    ),
    Row(
        "no-mount-target-in-az",
        f'Failed to resolve "{DNS}" - check that your file system ID is correct, and ensure '
        "that the VPC has an EFS mount target for this file system ID. Attempting to lookup "
        "mount target ip address using botocore. No matching mount target in the az us-east-1c."
        " Please create one mount target in us-east-1c, or try the mount target in another AZ "
        "by passing the availability zone name option. Available mount target(s) are in az "
        "['us-east-1a']",
        "ES §7 rows 12-13",
        exit_status=1,
    ),
    Row(
        "no-mount-target-in-az",
        f"mount.nfs: Failed to resolve server {DNS}: Name or service not known",
        "ES §7 row 43; TS 'File System Mount Using DNS Name Fails' (a mount target in the AZ)",
    ),
    Row(
        "no-mount-target-in-az",
        f'Failed to resolve "{DNS}" - check that your file system ID is correct. Attempting to '
        f"lookup mount target ip address using botocore. No mount target created for the file "
        f"system {FS} is in available state yet, please retry in 5 minutes.",
        "ES §7 row 16 (mount target not yet available)",
        exit_status=1,
    ),
    Row(
        "no-mount-target-in-az",
        "the mount fails with Failed to resolve only right after the file system was created",
        "TS 'File System Mount Fails Immediately After File System Creation' (DNS records take "
        "up to 90 s after a mount target is created)",
        where="words",
    ),
    Row(
        "vpc-dns-disabled",
        f'Failed to resolve "{DNS}" - check that your file system ID is correct, and ensure '
        "that the VPC has an EFS mount target for this file system ID.",
        "ES §7 row 12; TS 'File System Mount Using DNS Name Fails' (VPC DNS settings); KC",
        exit_status=1,
    ),
    Row(
        "vpc-dns-disabled",
        "our VPC has DNS hostnames disabled and uses a DHCP options set with our own DNS servers",
        "TS 'File System Mount Using DNS Name Fails' (Amazon-provided DNS, DNS hostnames); CM",
        where="words",
    ),
    Row(
        "dns-resolution-outside-vpc",
        "we mount the EFS file system from a peered VPC and the name does not resolve",
        "TS 'File System Mount Using DNS Name Fails' (names are not resolvable from outside "
        "their VPC); CM dns-resolution-outside-vpc (peering/VPN in context)",
        where="words",
    ),
    Row(
        "dns-resolution-outside-vpc",
        "mounting a file system of another AWS account from Fargate does not work",
        "EFS user guide 'Mounting EFS file systems from another AWS account or VPC' (the DNS "
        "name resolves only in the owner's VPC); CM dns-resolution-outside-vpc",
        where="words",
    ),
    Row(
        "dns-resolution-outside-vpc",
        "cannot mount EFS from on-premises over the Site-to-Site VPN, Failed to resolve",
        "EFS user guide 'Mounting on-premises' (use the mount target IP); CM",
        where="words",
    ),
    Row(
        "mount-target-lookup-permissions",
        f'Failed to resolve "{DNS}". The file system mount target ip address cannot be found, '
        "please pass mount target ip address via mount options. \nUser: arn:aws:sts::"
        "111122223333:assumed-role/eks-node/i-0abc is not authorized to perform: "
        "elasticfilesystem:DescribeMountTargets on the specified resource",
        "ES §7 row 15",
        exit_status=1,
    ),
    Row(
        "mount-target-lookup-permissions",
        f'Failed to resolve "{DNS}". The file system mount target ip address cannot be found, '
        "please pass mount target ip address via mount options. \nUnable to locate credentials "
        "when performing operation DescribeMountTargets",
        "CM mount-target-lookup-permissions",
        exit_status=1,
    ),
    Row(
        "ipv6-dual-stack",
        "the mount times out; the file system name resolves to an IPv6 address on a dual-stack "
        "subnet",
        "CM ipv6-dual-stack (AAAA + A, the client prefers IPv6)",
        where="words",
    ),
    Row(
        "tls-ocsp-unreachable",
        "stunnel: OCSP: Connecting the OCSP responder failed: OCSP check failed",
        "CM tls-ocsp-unreachable (stunnel's certificate check cannot reach the responder)",
        where="plain",
    ),
    Row(
        "sts-endpoint-unreachable",
        "Failed to fetch File System info: Describe File System failed: WebIdentityErr: failed "
        "to retrieve credentials\ncaused by: RequestError: send request failed\ncaused by: Post "
        '"https://sts.amazonaws.com/": dial tcp 52.94.241.129:443: i/o timeout',
        "CM sts-endpoint-unreachable (the global STS endpoint from a private VPC)",
        where="controller",
    ),
    Row(
        "imds-unavailable",
        'Error retrieving region. Please set the "region" parameter in the efs-utils '
        "configuration file or specify it as a mount option.",
        "ES §7 row 22",
        exit_status=1,
    ),
    Row(
        "imds-unavailable",
        "could not get metadata from AWS: EC2 instance metadata is not available",
        "CM imds-unavailable",
        where="plain",
    ),
    Row(
        "imds-unavailable",
        "NoCredentialProviders: no valid providers in chain. Deprecated.",
        "ES §7 row 45",
        where="controller",
    ),
]

VOLUME = [
    Row(
        "subpath-missing",
        "b'mount.nfs4: mounting 127.0.0.1:/data/app failed, reason given by server: No such file"
        " or directory'",
        "ES §7 row 2; KC",
        args="-t efs -o tls",
    ),
    Row(
        "subpath-missing",
        "the sub directory in the volumeHandle does not exist on the file system",
        "CM subpath-missing",
        where="words",
    ),
    Row(
        "access-point-root-dir-missing",
        f"mount.nfs4: mounting {AP} failed, reason given by server: No such file or directory",
        "TS 'Mount Command Fails with \"No such file or directory\"' (the access point's path)",
        args=f"-t efs -o accesspoint={AP},tls",
    ),
    Row(
        "access-point-root-dir-missing",
        "the access point did not create its root directory although the console says it would",
        "TS 'No such file or directory' (the folder is not created without creation info); CM",
        where="words",
    ),
    Row(
        "access-point-not-found",
        f"AccessPointNotFound: Access point {AP} does not exist.",
        "CM access-point-not-found",
        where="plain",
    ),
    Row(
        "volume-handle-format",
        "volume ID 'FS-0123ABC' is invalid: Expected a file system ID of the form "
        "'fs-[0-9a-f]{8,40}'",
        "ES §7 row 34, §3.2",
        where="plain",
    ),
    Row(
        "volume-handle-format",
        "two PVs with the same volumeHandle, only one of them mounts",
        "CM volume-handle-format (only one of several PVs mounts)",
        where="words",
    ),
    Row(
        "unsupported-access-mode",
        "Volume capability not supported: invalid access mode: MULTI_NODE_READER_ONLY",
        "ES §7 row 28, §3.6",
        where="plain",
    ),
    Row(
        "storageclass-basepath-invalid",
        "Failed to create Access point in File System fs-0123456789abcdef0 : Failed to create "
        "access point: ValidationException: 1 validation error detected: Value "
        "'//pvc-1b2c3d4e' at 'rootDirectory.path' failed to satisfy constraint",
        "ES §7 row 40 (API validation), CM storageclass-basepath-invalid (a path starting //)",
        where="controller",
    ),
    Row(
        "invalid-mount-option",
        "mount.nfs: an incorrect mount option was specified",
        "TS 'Mount Command Fails with \"incorrect mount option\"'; CM invalid-mount-option",
    ),
    Row(
        "fsgroup-not-applied",
        "the pod runs as a non-root user and gets permission denied writing to the EFS volume; "
        "fsGroup is not applied",
        "CM fsgroup-not-applied; ES §3.6 (no fsGroup ownership change on EFS)",
        where="words",
    ),
    Row(
        "api-object-invalid",
        'The StorageClass "efs-sc" is invalid: parameters: Invalid value: "true": must be a string',
        "CM api-object-invalid",
        where="plain",
    ),
    Row(
        "claim-unbound",
        "no persistent volumes available for this claim and no storage class is set",
        "CM claim-unbound",
        where="plain",
    ),
    Row(
        "access-point-posix-user-enforced",
        "chown: changing ownership of '/data/app': Operation not permitted",
        "ES §5 (the access point's POSIX user), §7 row 42; CM access-point-posix-user-enforced",
        where="plain",
    ),
    Row(
        "access-point-posix-user-enforced",
        "the app quits when it tries to chown its data directory on the EFS volume; EFS does not"
        " allow the chown",
        "CM access-point-posix-user-enforced (a root container cannot chown what the access "
        "point user does not own)",
        where="words",
    ),
    Row(
        "access-point-posix-user-enforced",
        "failed to chown /var/lib/ecs/volumes/config: lchown /var/lib/ecs/volumes/config: "
        "operation not permitted (access point posix_user UID:GID mismatch)",
        "ES §5; CM access-point-posix-user-enforced",
        where="plain",
    ),
    Row(
        "nfs-client-without-efs-utils",
        f"mount.nfs4: access denied by server while mounting {DNS}:/",
        "CM nfs-client-without-efs-utils (the real server, not 127.0.0.1); ES §2.5",
        args="-t nfs4 -o nfsvers=4.1",
    ),
]

DRIVER = [
    Row(
        "csi-controller-permissions",
        "rpc error: code = Unauthenticated desc = Access Denied. Please ensure you have the "
        "right AWS permissions: Access denied",
        "ES §7 row 36, §3.8",
        where="controller",
    ),
    Row(
        "csi-controller-permissions",
        "User: arn:aws:sts::111122223333:assumed-role/efs-csi-controller/1700 is not authorized "
        "to perform: elasticfilesystem:CreateAccessPoint on the specified resource",
        "ES §3.8 (controller API actions); CM csi-controller-permissions",
        where="controller",
    ),
    Row(
        "csi-controller-permissions",
        "the PVC stays Pending; the controller policy is missing the elasticfilesystem:"
        "TagResource right",
        "CM csi-controller-permissions (CreateAccessPoint, TagResource; PVC Pending)",
        where="words",
    ),
    Row(
        "irsa-trust-policy",
        "WebIdentityErr: failed to retrieve credentials\ncaused by: AccessDenied: Not authorized "
        "to perform sts:AssumeRoleWithWebIdentity",
        "CM irsa-trust-policy",
        where="controller",
    ),
    Row(
        "cross-account-assume-role",
        "User: arn:aws:sts::111122223333:assumed-role/efs-csi-controller/1700 is not authorized "
        "to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/efs-cross",
        "CM cross-account-assume-role",
        where="controller",
    ),
    Row(
        "cross-account-assume-role",
        "dynamic provisioning with a file system in another account: the controller cannot "
        "assume the role there",
        "CM cross-account-assume-role",
        where="words",
    ),
    Row(
        "gid-range-exhausted",
        f"Failed to locate a free GID for given file system: {FS}. Please create a new storage "
        "class with a new file-system",
        "ES §7 row 38",
        where="controller",
    ),
    Row(
        "access-point-limit",
        "Failed to create access point: AccessPointLimitExceeded: You have reached the maximum "
        f"number of access points (1000) for your file system {FS}.",
        "ES §7 row 40; CM access-point-limit",
        where="controller",
    ),
    Row(
        "port-range-exhausted",
        "Failed to locate an available port in the range [20049, 21049], try specifying a "
        "different port range in /etc/amazon/efs/efs-utils.conf",
        "ES §7 row 20",
        exit_status=1,
    ),
    Row(
        "csi-node-not-registered",
        'MountVolume.MountDevice failed for volume "efs-pv" : kubernetes.io/csi: attacher.'
        "MountDevice failed to create newCsiDriverClient: driver name efs.csi.aws.com not found "
        "in the list of registered CSI drivers",
        "ES §7 row 27, §3.9",
        where="plain",
    ),
    Row(
        "csi-driver-version-bug",
        f"rpc error: code = InvalidArgument desc = volume ID 'efs:{FS}::{AP}' is invalid: "
        "Expected a file system ID of the form 'fs-...'",
        "ES §3.2 (the efs: prefix only from v3.0.0; Fargate's built-in driver rejects it)",
        where="plain",
    ),
    Row(
        "csi-driver-nonroot",
        "mkdir /etc/amazon/efs: permission denied",
        "CM csi-driver-nonroot",
        where="plain",
    ),
    Row(
        "node-plugin-oom",
        "nfs: server 127.0.0.1 not responding, still trying",
        "ES §7 row 44 (the proxy behind 127.0.0.1 was killed); TS 'nfs not responding'",
        where="plain",
    ),
    Row(
        "node-plugin-oom",
        "the efs-plugin container was OOMKilled and restarted, all EFS mounts on the node hang",
        "CM node-plugin-oom; ES §7 row 44",
        where="words",
    ),
    Row(
        "fargate-unsupported",
        "Pod not supported on Fargate: fields not supported: HostNetwork, HostPort",
        "CM fargate-unsupported",
        where="plain",
    ),
]

LAMBDA = [
    Row(
        "sg-missing-2049",
        "EFSMountConnectivityException: The Lambda function couldn't make a network connection to"
        " the configured file system.",
        "Lambda API reference, Invoke errors; AWS knowledge center lambda-invoke-efs",
        where="plain",
    ),
    Row(
        "identity-policy-missing-client-actions",
        "EFSMountFailureException: The Lambda function couldn't mount the configured file system"
        " due to a permission or configuration issue.",
        "Lambda API reference, Invoke errors; AWS knowledge center lambda-invoke-efs (the "
        "execution role needs ClientMount)",
        where="plain",
    ),
]

CLIENT = [
    Row(
        "stunnel-missing",
        "Command '['which', 'stunnel']' returned non-zero exit status 1.",
        "CM stunnel-missing",
        exit_status=1,
    ),
    Row(
        "iam-without-tls",
        'The "tls" option is required when mounting via "iam"',
        "ES §7 row 3, §2.4",
        args="-t efs -o iam",
        exit_status=1,
    ),
    Row(
        "efs-utils-version",
        'Traceback (most recent call last):\n  File "/sbin/mount.efs", line 1375, in <module>\n'
        "    main()\nKeyError: 'region'",
        "CM efs-utils-version (a traceback in mount.efs)",
        exit_status=1,
    ),
]

# Causes signatures.yaml adds to causes.md's tables (each with its efs-semantics.md row).
MORE = [
    Row(
        "file-system-not-found",
        f'Failed to resolve "{DNS}" - check that your file system ID is correct. Attempting to '
        f"lookup mount target ip address using botocore. The file system {FS} is not found",
        "ES §7 row 14",
        exit_status=1,
        cuttable=False,  # the cut takes "is not found", the words that tell it apart
    ),
    Row(
        "file-system-not-found",
        "File System does not exist: Resource was not found",
        "ES §7 row 40",
        where="controller",
    ),
    Row(
        "mount-inflight-limit",
        "The number of concurrent mount calls is 4, which has reached the limit",
        "ES §7 row 35",
        where="plain",
    ),
    Row(
        "mount-target-nacl-blocked",
        "the mount times out; the subnet's network ACL does not allow NFS port 2049",
        "ES §7 row 46, §6 (a NACL must allow 2049 both ways); TS 'Mount Hangs'",
        where="words",
    ),
    Row(
        "no-iam-credentials",
        "AWS Access Key ID and Secret Access Key are not found in AWS credentials file "
        "(/root/.aws/credentials), config file (/root/.aws/config), from ECS credentials "
        "relative uri, or from the instance security credentials service",
        "ES §7 row 9",
        args="-t efs -o iam,tls",
        exit_status=1,
    ),
    Row(
        "storageclass-parameters-invalid",
        "rpc error: code = InvalidArgument desc = Missing provisioningMode parameter",
        "ES §7 row 37",
        where="controller",
    ),
    Row(
        "volume-attributes-invalid",
        "rpc error: code = InvalidArgument desc = Volume context property az not supported.",
        "ES §7 row 29",
        where="plain",
    ),
]

DOCUMENTED = AUTHORIZATION + NETWORK + VOLUME + DRIVER + LAMBDA + CLIENT + MORE


def _forms(row: Row) -> list[tuple[str, str]]:
    if row.args_decide:
        return [
            ("kubelet event", kubelet(row)),
            ("kubelet event cut short", truncated(kubelet(row))),
        ]
    forms = [("as printed", row.text)]
    if row.where == "node":
        forms += [("kubelet event", kubelet(row)), ("ECS task", ecs(row))]
    elif row.where == "controller":
        forms.append(("ProvisioningFailed event", provisioner(row)))
    if row.where != "words" and row.cuttable and len(row.text) >= 40:
        forms.append(("cut short", truncated(row.text)))
    return forms


CASES = [
    pytest.param(row, form, text, id=f"{row.cause}[{i}]-{form}")
    for i, row in enumerate(DOCUMENTED)
    for form, text in _forms(row)
]


@pytest.mark.parametrize(("row", "form", "text"), CASES)
def test_documented_text_reaches_its_cause(row: Row, form: str, text: str) -> None:
    ranked = [cause.id for cause in explain(text).causes]
    assert row.cause in ranked[:3], (row.source, form, ranked[:5])


def test_every_cause_of_the_catalogue_has_a_row() -> None:
    from efs_doctor.engine.explain import load_catalogue

    covered = {row.cause for row in DOCUMENTED}
    assert sorted(set(load_catalogue().causes) - covered) == []
