"""Saved AWS CLI answers (``--output json``) load into the model, recognised by content.

The fixtures were produced once by boto3 against moto (tests/fixtures/aws/generate.py): an
EKS-style VPC with two subnets, node and mount-target security groups, two nodes with an
instance profile, an encrypted file system with two mount targets, an access point and a
policy, and a second file system known to have no policy.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from efs_doctor.model.aws import SecurityGroupRule
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import ProblemLevel
from efs_doctor.sources import aws_snapshot

Load = Callable[..., Inventory]


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ids() -> dict[str, str]:
    """The ids moto issued, read back from the raw fixtures (the tests compare against them)."""
    here = Path(__file__).resolve().parents[2] / "fixtures" / "aws"
    file_systems = _json(here / "efs-describe-file-systems.json")["FileSystems"]
    groups = _json(here / "ec2-describe-security-groups.json")["SecurityGroups"]
    by_name = {g["GroupName"]: g["GroupId"] for g in groups}
    mount_targets = _json(here / "efs-describe-mount-targets.json")["MountTargets"]
    subnets = _json(here / "ec2-describe-subnets.json")["Subnets"]
    return {
        "fs": next(f["FileSystemId"] for f in file_systems if f["Name"] == "shared-data"),
        "bare_fs": next(f["FileSystemId"] for f in file_systems if f["Name"] == "scratch"),
        "nodes_sg": by_name["eks-nodes"],
        "efs_sg": by_name["efs-mount-targets"],
        "default_sg": by_name["default"],
        "mt_a": next(m for m in mount_targets if m["AvailabilityZoneName"] == "us-east-1a")[
            "MountTargetId"
        ],
        "mt_b": next(m for m in mount_targets if m["AvailabilityZoneName"] == "us-east-1b")[
            "MountTargetId"
        ],
        "subnet_a": next(s for s in subnets if s["AvailabilityZone"] == "us-east-1a")["SubnetId"],
        "vpc": subnets[0]["VpcId"],
    }


def _only(load: Load, aws_fixtures: Path, names: str | list[str]) -> Inventory:
    """Load the named fixtures (and nothing else); they must load without any problem."""
    inventory = load([aws_fixtures / n for n in ([names] if isinstance(names, str) else names)])
    assert inventory.problems == [], [str(p) for p in inventory.problems]
    return inventory


def test_describe_file_systems(load: Load, aws_fixtures: Path, ids: dict[str, str]) -> None:
    inv = _only(load, aws_fixtures, "efs-describe-file-systems.json")
    assert set(inv.file_systems) == {ids["fs"], ids["bare_fs"]}
    fs = inv.file_systems[ids["fs"]]
    assert fs.name == "shared-data"
    assert fs.encrypted is True
    assert inv.file_systems[ids["bare_fs"]].encrypted is False
    assert fs.lifecycle_state == "available"
    assert fs.owner_id == "123456789012"
    assert fs.region == "us-east-1"
    assert fs.arn == f"arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/{ids['fs']}"
    assert fs.availability_zone_name is None  # Regional, not One Zone
    assert inv.has(aws_snapshot.FILE_SYSTEMS)
    # each object points at its own item in the list
    assert (fs.source.line, fs.source.column) == (3, 9)


def test_describe_mount_targets(load: Load, aws_fixtures: Path, ids: dict[str, str]) -> None:
    inv = _only(load, aws_fixtures, "efs-describe-mount-targets.json")
    targets = inv.mount_targets_of(ids["fs"])
    assert {(mt.availability_zone_name, mt.availability_zone_id) for mt in targets} == {
        ("us-east-1a", "use1-az6"),
        ("us-east-1b", "use1-az1"),
    }
    mt = inv.mount_targets[ids["mt_a"]]
    assert mt.ip_address == "10.20.1.5"
    assert mt.subnet_id == ids["subnet_a"]
    assert mt.vpc_id == ids["vpc"]
    assert mt.lifecycle_state == "available"
    assert mt.network_interface_id is not None
    assert mt.network_interface_id.startswith("eni-")
    # no security groups among the inputs: unknown, not "none"
    assert inv.security_groups_of_mount_target(mt) is None
    assert inv.has(aws_snapshot.MOUNT_TARGETS)


def test_describe_access_points(load: Load, aws_fixtures: Path, ids: dict[str, str]) -> None:
    inv = _only(load, aws_fixtures, "efs-describe-access-points.json")
    [ap] = inv.access_points.values()
    assert ap.id.startswith("fsap-")
    assert ap.file_system_id == ids["fs"]
    assert ap.root_path == "/app"
    assert ap.posix_user is not None
    assert (ap.posix_user.uid, ap.posix_user.gid, ap.posix_user.secondary_gids) == (
        1000,
        1000,
        (2000,),
    )
    assert ap.creation_info is not None
    assert (ap.creation_info.owner_uid, ap.creation_info.permissions) == (1000, "0750")
    assert ap.lifecycle_state == "available"


def test_describe_file_system_policy(load: Load, aws_fixtures: Path, ids: dict[str, str]) -> None:
    inv = _only(load, aws_fixtures, "efs-describe-file-system-policy.json")
    policy = inv.policies[ids["fs"]]
    assert not policy.absent
    assert policy.document is not None
    statements = policy.document["Statement"]
    assert [s["Sid"] for s in statements] == ["NodeRoleMounts", "DenyInsecure"]
    assert statements[0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:role/eks-node-role"}
    # the policy text as written is kept (EFS limits count its characters)
    assert policy.text is not None
    assert json.loads(policy.text) == policy.document


def test_policy_not_found_is_a_known_absence(
    load: Load, aws_fixtures: Path, ids: dict[str, str]
) -> None:
    """contracts.md: a PolicyNotFound answer means the default policy applies; a policy that
    is simply not among the inputs stays unknown (no entry at all)."""
    inv = _only(load, aws_fixtures, "efs-describe-file-system-policy-not-found.json")
    policy = inv.policies[ids["bare_fs"]]
    assert policy.absent
    assert policy.document is None
    assert ids["fs"] not in inv.policies


def test_other_policy_errors_leave_the_policy_unknown(
    load: Load, write: Callable[[str, str], Path]
) -> None:
    path = write(
        "denied.json",
        json.dumps(
            {
                "FileSystemId": "fs-0123456789abcdef0",
                "Error": {"Code": "AccessDeniedException", "Message": "not allowed"},
            }
        ),
    )
    inv = load(path)
    assert inv.policies == {}
    [problem] = inv.problems
    assert problem.level is ProblemLevel.WARNING
    assert "AccessDeniedException" in problem.message
    assert "unknown" in problem.message


def test_describe_mount_target_security_groups(
    load: Load, aws_fixtures: Path, ids: dict[str, str]
) -> None:
    inv = _only(
        load,
        aws_fixtures,
        ["efs-describe-mount-target-security-groups.json", "efs-describe-mount-targets.json"],
    )
    assert inv.mount_target_groups == {ids["mt_a"]: (ids["efs_sg"],)}
    assert inv.security_groups_of_mount_target(inv.mount_targets[ids["mt_a"]]) == (ids["efs_sg"],)
    assert inv.security_groups_of_mount_target(inv.mount_targets[ids["mt_b"]]) is None


def test_mount_target_security_groups_without_mount_target_id_are_reported(
    load: Load, write: Callable[[str, str], Path]
) -> None:
    """The raw CLI answer has no mount target id; efs-doctor snapshot adds MountTargetId."""
    path = write("mtsg.json", json.dumps({"SecurityGroups": ["sg-0123456789abcdef0"]}))
    inv = load(path)
    assert inv.mount_target_groups == {}
    [problem] = inv.problems
    assert "MountTargetId" in problem.message
    assert str(problem.location) == f"{path}:1:1"


def test_describe_security_groups(load: Load, aws_fixtures: Path, ids: dict[str, str]) -> None:
    inv = _only(load, aws_fixtures, "ec2-describe-security-groups.json")
    assert set(inv.security_groups) == {ids["nodes_sg"], ids["efs_sg"], ids["default_sg"]}
    efs_sg = inv.security_groups[ids["efs_sg"]]
    assert efs_sg.name == "efs-mount-targets"
    assert efs_sg.vpc_id == ids["vpc"]
    # one IpPermission with a group pair and a CIDR range (the CLI groups them by port)
    assert efs_sg.ingress == (
        SecurityGroupRule(
            protocol="tcp",
            from_port=2049,
            to_port=2049,
            cidrs=("10.20.0.0/16",),
            group_ids=(ids["nodes_sg"],),
        ),
    )
    assert efs_sg.ingress[0].covers_tcp_port(2049)
    assert not efs_sg.ingress[0].covers_tcp_port(2048)
    # the default egress rule: all protocols to anywhere
    [egress] = efs_sg.egress
    assert (egress.protocol, egress.from_port, egress.cidrs) == ("-1", None, ("0.0.0.0/0",))
    assert egress.covers_tcp_port(2049)
    assert inv.security_groups[ids["nodes_sg"]].ingress == ()


def test_describe_network_interfaces_gives_mount_target_groups(
    load: Load, aws_fixtures: Path, ids: dict[str, str]
) -> None:
    """A mount target's security groups are those of its network interface."""
    inv = _only(
        load,
        aws_fixtures,
        ["ec2-describe-network-interfaces.json", "efs-describe-mount-targets.json"],
    )
    for mt_key in ("mt_a", "mt_b"):
        mt = inv.mount_targets[ids[mt_key]]
        assert inv.security_groups_of_mount_target(mt) == (ids["efs_sg"],)
        eni = inv.network_interfaces[mt.network_interface_id or ""]
        assert eni.private_ip == mt.ip_address
        assert eni.availability_zone == mt.availability_zone_name
        assert eni.instance_id is None
    nodes = [eni for eni in inv.network_interfaces.values() if eni.instance_id]
    assert len(nodes) == 2
    assert {eni.group_ids for eni in nodes} == {(ids["nodes_sg"],)}


def test_describe_subnets(load: Load, aws_fixtures: Path, ids: dict[str, str]) -> None:
    inv = _only(load, aws_fixtures, "ec2-describe-subnets.json")
    assert {
        (s.availability_zone, s.availability_zone_id, s.cidr) for s in inv.subnets.values()
    } == {
        ("us-east-1a", "use1-az6", "10.20.1.0/24"),
        ("us-east-1b", "use1-az1", "10.20.2.0/24"),
    }
    assert {s.vpc_id for s in inv.subnets.values()} == {ids["vpc"]}


def test_describe_vpcs(load: Load, aws_fixtures: Path, ids: dict[str, str]) -> None:
    inv = _only(load, aws_fixtures, "ec2-describe-vpcs.json")
    vpc = inv.vpcs[ids["vpc"]]
    assert vpc.cidr == "10.20.0.0/16"
    assert vpc.dhcp_options_id == "default"


def test_describe_vpc_attribute_both_attributes(
    load: Load, aws_fixtures: Path, ids: dict[str, str]
) -> None:
    """enableDnsSupport and enableDnsHostnames decide whether the mount target DNS name
    resolves (efs-semantics.md §2.7); each comes from its own describe-vpc-attribute call."""
    inv = _only(
        load,
        aws_fixtures,
        [
            "ec2-describe-vpc-attribute-dns-support.json",
            "ec2-describe-vpc-attribute-dns-hostnames.json",
        ],
    )
    assert inv.vpc_dns_value(ids["vpc"], "enableDnsSupport") is True
    assert inv.vpc_dns_value(ids["vpc"], "enableDnsHostnames") is False
    assert inv.vpc_dns_value("vpc-00000000", "enableDnsSupport") is None


def test_describe_vpc_attribute_one_answer_leaves_the_other_unknown(
    load: Load, aws_fixtures: Path, ids: dict[str, str]
) -> None:
    inv = _only(load, aws_fixtures, "ec2-describe-vpc-attribute-dns-hostnames.json")
    assert inv.vpc_dns_value(ids["vpc"], "enableDnsHostnames") is False
    assert inv.vpc_dns_value(ids["vpc"], "enableDnsSupport") is None


def test_describe_instances(load: Load, aws_fixtures: Path, ids: dict[str, str]) -> None:
    inv = _only(load, aws_fixtures, "ec2-describe-instances.json")
    by_az = {i.availability_zone: i for i in inv.instances.values()}
    assert set(by_az) == {"us-east-1a", "us-east-1b"}
    node = by_az["us-east-1a"]
    assert node.id.startswith("i-")
    assert node.subnet_id == ids["subnet_a"]
    assert node.security_group_ids == (ids["nodes_sg"],)
    assert node.instance_profile_arn == (
        "arn:aws:iam::123456789012:instance-profile/eks-node-profile"
    )
    assert node.private_dns_name == "ip-10-20-1-4.ec2.internal"
    # IMDS settings decide whether credentials reach efs-utils (efs-semantics.md §2.8)
    assert (node.http_tokens, node.http_put_response_hop_limit, node.http_endpoint) == (
        "required",
        1,
        "enabled",
    )
    assert by_az["us-east-1b"].http_put_response_hop_limit == 2


def test_describe_network_acls(load: Load, aws_fixtures: Path, ids: dict[str, str]) -> None:
    inv = _only(load, aws_fixtures, "ec2-describe-network-acls.json")
    [acl] = inv.network_acls.values()
    assert acl.is_default
    assert acl.vpc_id == ids["vpc"]
    assert ids["subnet_a"] in acl.subnet_ids
    assert len(acl.subnet_ids) == 2
    inbound = [e for e in acl.entries if not e.egress]
    # evaluated in rule-number order: allow-all at 100 before the catch-all deny
    assert [(e.rule_number, e.allow) for e in inbound] == [(100, True), (32767, False)]
    assert all(e.covers_tcp_port(2049) for e in inbound)


def test_get_account_authorization_details(load: Load, aws_fixtures: Path) -> None:
    inv = _only(load, aws_fixtures, "iam-get-account-authorization-details.json")
    assert set(inv.roles) == {
        "arn:aws:iam::123456789012:role/eks-node-role",
        "arn:aws:iam::123456789012:role/eks-cluster-role",
    }
    role = inv.roles["arn:aws:iam::123456789012:role/eks-node-role"]
    assert role.name == "eks-node-role"
    assert role.account == "123456789012"
    assert role.trust_policy is not None
    assert role.trust_policy["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert set(role.inline_policies) == {"efs-client"}
    assert role.inline_policies["efs-client"]["Statement"][0]["Action"] == [
        "elasticfilesystem:ClientMount"
    ]
    assert role.attached_policy_arns == ("arn:aws:iam::123456789012:policy/efs-describe",)
    managed = inv.managed_policies["arn:aws:iam::123456789012:policy/efs-describe"]
    assert managed.name == "efs-describe"  # moto omits PolicyName; taken from the ARN
    assert managed.document is not None
    assert managed.document["Statement"][0]["Action"] == ["elasticfilesystem:DescribeMountTargets"]
    profile_arn = "arn:aws:iam::123456789012:instance-profile/eks-node-profile"
    assert role.instance_profile_arns == (profile_arn,)
    assert inv.instance_profiles[profile_arn].role_arns == (role.arn,)
    assert inv.instance_profiles[profile_arn].name == "eks-node-profile"


def test_instance_profile_leads_to_the_node_role(load: Load, aws_fixtures: Path) -> None:
    """Node -> instance -> instance profile -> role: who EFS sees for an ``iam`` mount without
    IRSA or Pod Identity (efs-semantics.md §3.5)."""
    inv = _only(
        load,
        aws_fixtures,
        ["ec2-describe-instances.json", "iam-get-account-authorization-details.json"],
    )
    for instance in inv.instances.values():
        assert instance.instance_profile_arn is not None
        role = inv.role_of_instance_profile(instance.instance_profile_arn)
        assert role is not None
        assert role.name == "eks-node-role"


def test_get_role(load: Load, aws_fixtures: Path) -> None:
    inv = _only(load, aws_fixtures, "iam-get-role.json")
    [role] = inv.roles.values()
    assert role.arn == "arn:aws:iam::123456789012:role/eks-node-role"
    assert role.trust_policy is not None
    assert role.inline_policies == {}
    assert inv.role_by_name_or_arn("eks-node-role") is role
    assert inv.has(aws_snapshot.IAM)


@pytest.mark.parametrize("get_role_first", [False, True])
def test_get_role_does_not_erase_what_authorization_details_told(
    load: Load, aws_fixtures: Path, tmp_path: Path, get_role_first: bool
) -> None:
    """get-role carries no policies or instance profiles; reading it after (or before)
    get-account-authorization-details must keep them, whatever the file order."""
    names = ["iam-get-role.json", "iam-get-account-authorization-details.json"]
    for index, name in enumerate(names if get_role_first else reversed(names)):
        shutil.copy(aws_fixtures / name, tmp_path / f"{index}-{name}")
    inv = load(tmp_path)
    role = inv.roles["arn:aws:iam::123456789012:role/eks-node-role"]
    assert set(role.inline_policies) == {"efs-client"}
    assert role.attached_policy_arns == ("arn:aws:iam::123456789012:policy/efs-describe",)
    assert role.instance_profile_arns == (
        "arn:aws:iam::123456789012:instance-profile/eks-node-profile",
    )
    assert role.source.path is not None
    assert role.source.path.endswith("iam-get-account-authorization-details.json")


def test_policy_documents_may_be_url_encoded(load: Load, write: Callable[[str, str], Path]) -> None:
    """The IAM query API returns policy documents URL-encoded; saved raw answers keep that."""
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}
    from urllib.parse import quote

    path = write(
        "role.json",
        json.dumps(
            {
                "Role": {
                    "RoleName": "r",
                    "Arn": "arn:aws:iam::123456789012:role/r",
                    "AssumeRolePolicyDocument": quote(json.dumps(document)),
                }
            }
        ),
    )
    inv = load(path)
    assert inv.roles["arn:aws:iam::123456789012:role/r"].trust_policy == document


def test_eks_describe_cluster(load: Load, aws_fixtures: Path) -> None:
    inv = _only(load, aws_fixtures, "eks-describe-cluster.json")
    cluster = inv.clusters["demo"]
    assert cluster.arn == "arn:aws:eks:us-east-1:123456789012:cluster/demo"
    assert cluster.region == "us-east-1"
    assert cluster.version == "1.31"
    assert cluster.oidc_issuer is not None
    assert cluster.oidc_issuer.startswith("https://oidc.eks.us-east-1.amazonaws.com/id/")
    # moto leaves these out (dependencies.md §1.1); absent stays None
    assert cluster.vpc_id is None
    assert cluster.cluster_security_group_id is None


def test_eks_describe_pod_identity_association(load: Load, aws_fixtures: Path) -> None:
    inv = _only(load, aws_fixtures, "eks-describe-pod-identity-association.json")
    [association] = inv.pod_identity_associations
    assert (association.cluster_name, association.namespace, association.service_account) == (
        "demo",
        "kube-system",
        "efs-csi-node-sa",
    )
    assert association.association_id == "a-0123456789abcdef0"
    assert (
        inv.pod_identity_role("kube-system", "efs-csi-node-sa")
        == "arn:aws:iam::123456789012:role/eks-node-role"
    )
    assert inv.pod_identity_role("kube-system", "efs-csi-controller-sa") is None


def test_list_pod_identity_associations(load: Load, write: Callable[[str, str], Path]) -> None:
    """``aws eks list-pod-identity-associations`` answers with summaries under
    ``associations`` (https://docs.aws.amazon.com/eks/latest/APIReference/API_ListPodIdentityAssociations.html)."""
    path = write(
        "list.json",
        json.dumps(
            {
                "associations": [
                    {
                        "clusterName": "demo",
                        "namespace": "kube-system",
                        "serviceAccount": "efs-csi-controller-sa",
                        "associationArn": "arn:aws:eks:us-east-1:123456789012:"
                        "podidentityassociation/demo/a-1",
                        "associationId": "a-1",
                    }
                ]
            }
        ),
    )
    inv = load(path)
    [association] = inv.pod_identity_associations
    assert association.service_account == "efs-csi-controller-sa"
    assert association.role_arn == ""  # summaries carry no role; unknown, not a match


def test_sts_get_caller_identity(load: Load, aws_fixtures: Path) -> None:
    inv = _only(load, aws_fixtures, "sts-get-caller-identity.json")
    assert inv.caller is not None
    assert inv.caller.account == "123456789012"
    assert inv.caller.arn == "arn:aws:sts::123456789012:user/moto"


def test_recognised_by_content_not_file_name(
    aws_fixtures: Path, tmp_path: Path, load: Load
) -> None:
    """Renamed (and given a .yaml suffix) the answers load the same."""
    for index, path in enumerate(sorted(aws_fixtures.glob("*.json"))):
        shutil.copy(path, tmp_path / f"answer-{index}.yaml")
    renamed = load(tmp_path)
    original = load(sorted(aws_fixtures.glob("*.json")))
    assert renamed.problems == original.problems == []
    assert renamed.summary() == original.summary()


def test_every_fixture_is_recognised_and_nothing_is_left_over(
    aws_fixtures: Path, load: Load
) -> None:
    paths = sorted(aws_fixtures.glob("*.json"))
    assert len(paths) == 19
    for path in paths:
        data = _json(path)
        assert aws_snapshot.recognise(data) is not None, path.name
    inv = load(aws_fixtures)
    assert inv.problems == []
    assert dict(inv.summary()) == {
        "FileSystem": 2,
        "FileSystemPolicy": 2,
        "MountTarget": 2,
        "AccessPoint": 1,
        "SecurityGroup": 3,
        "NetworkInterface": 4,
        "Subnet": 2,
        "Vpc": 1,
        "VpcAttribute": 2,
        "NetworkAcl": 1,
        "Instance": 2,
        "Role": 2,
        "ManagedPolicy": 1,
        "InstanceProfile": 1,
        "EksCluster": 1,
        "PodIdentityAssociation": 1,
        "CallerIdentity": 1,
    }
    assert inv.caller is not None


def test_a_pv_on_the_fixture_file_system_chains_to_mount_targets_and_groups(
    aws_fixtures: Path, load: Load, write: Callable[[str, str], Path], ids: dict[str, str]
) -> None:
    """PV -> file system -> mount targets -> security groups (from the ENIs) -> rules."""
    pv = write(
        "pv.yaml",
        "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: data\nspec:\n"
        "  accessModes: [ReadWriteMany]\n  csi:\n    driver: efs.csi.aws.com\n"
        f"    volumeHandle: efs:{ids['fs']}::fsap-87b406d4\n",
    )
    inv = load(aws_fixtures, pv)
    from efs_doctor.api import mount_chains

    [chain] = mount_chains(inv)
    assert chain.file_system is inv.file_systems[ids["fs"]]
    assert chain.policy is inv.policies[ids["fs"]]
    assert {mt.id for mt in chain.mount_targets} == {ids["mt_a"], ids["mt_b"]}
    assert dict(chain.mount_target_groups) == {
        ids["mt_a"]: (ids["efs_sg"],),
        ids["mt_b"]: (ids["efs_sg"],),
    }
    ap = inv.access_points.get("fsap-87b406d4")
    assert chain.access_point is ap
