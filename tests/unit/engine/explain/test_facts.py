"""Facts extracted from the text."""

from __future__ import annotations

import pytest

from efs_doctor.engine.explain import extract_facts, normalise
from efs_doctor.engine.explain.facts import parse_mount_arguments
from efs_doctor.engine.explain.placeholders import values


def facts_of(text: str):  # type: ignore[no-untyped-def]
    return extract_facts(normalise(text))


def test_mount_arguments() -> None:
    args = parse_mount_arguments(
        "-t efs -o accesspoint=fsap-0f1e2d3c4b5a69788,tls fs-0a1b2c3d4e5f60718:/data /var/lib/x"
    )
    assert args.fs_type == "efs"
    assert args.options == ("accesspoint=fsap-0f1e2d3c4b5a69788", "tls")
    assert args.option_names == {"accesspoint", "tls"}
    assert args.source == "fs-0a1b2c3d4e5f60718:/data"
    assert args.path == "/data"
    assert args.target == "/var/lib/x"


def test_mount_arguments_without_options() -> None:
    args = parse_mount_arguments("-t efs fs-0a1b2c3d4e5f60718 /mnt")
    assert args.options == ()
    assert args.path == "/"


def test_ids_region_exit_pv() -> None:
    facts = facts_of(
        'MountVolume.SetUp failed for volume "efs-pv" : ... mount failed: exit status 32\n'
        "Mounting arguments: -t efs -o tls,accesspoint=fsap-0f1e2d3c4b5a69788 "
        "fs-0a1b2c3d4e5f60718:/ /var/lib/kubelet/pods/u/volumes/kubernetes.io~csi/efs-pv/mount\n"
        'Output: Failed to resolve "fs-0a1b2c3d4e5f60718.efs.eu-west-1.amazonaws.com"'
    )
    assert facts.file_system_id == "fs-0a1b2c3d4e5f60718"
    assert facts.access_point_id == "fsap-0f1e2d3c4b5a69788"
    assert facts.mount_options == ["tls", "accesspoint=fsap-0f1e2d3c4b5a69788"]
    assert facts.region == "eu-west-1"
    assert facts.exit_status == 32
    assert facts.pv == "efs-pv"


def test_fsap_is_not_a_file_system() -> None:
    facts = facts_of("fsap-0f1e2d3c4b5a69788 efs-plugin")
    assert facts.file_system_id is None
    assert facts.access_point_id == "fsap-0f1e2d3c4b5a69788"


def test_credentials_source_line() -> None:
    facts = facts_of(
        "AWS credentials source used for IAM authentication: "
        "webidentity:arn:aws:iam::111122223333:role/efs-node,/var/run/secrets/token"
    )
    assert facts.credentials_source is not None
    assert facts.credentials_source.kind == "webidentity"
    assert facts.credentials_source.role_arn == "arn:aws:iam::111122223333:role/efs-node"


def test_principal_and_denied_action() -> None:
    facts = facts_of(
        "User: arn:aws:sts::111122223333:assumed-role/nodes/i-0abc is not authorized to "
        "perform: elasticfilesystem:DescribeMountTargets on the specified resource"
    )
    assert facts.principal == "arn:aws:sts::111122223333:assumed-role/nodes/i-0abc"
    assert facts.denied_action == "elasticfilesystem:DescribeMountTargets"


def test_zone_gives_region() -> None:
    facts = facts_of("No matching mount target in the az ap-southeast-2c. Please create one")
    assert facts.availability_zone == "ap-southeast-2c"
    assert facts.region == "ap-southeast-2"


def test_versions_and_flags() -> None:
    facts = facts_of(
        "image: public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v1.7.0\n"
        "amazon-efs-utils 1.34.4\nencryptInTransit: false\non Fargate\n"
    )
    assert facts.driver_version == "1.7.0"
    assert facts.efs_utils_version == "1.34.4"
    assert facts.encrypt_in_transit is False
    assert facts.fargate


def test_redacted_ids() -> None:
    masked_tail = ("fs-0123abcd****", "fs-0123abcd##")  # the rest hidden: not fs-0123abcd
    for text in ("fs-xxxx", "fs-XXXXXXXX", "fs-0123...", "fs-<id>", "fs-***", *masked_tail):
        facts = facts_of(f'Failed to resolve "{text}.efs.us-east-1.amazonaws.com"')
        assert facts.file_system_id == text, text
        assert facts.file_system_ids == []
    # a real id at the end of a sentence stays real
    facts = facts_of("mount of fs-0123456789abcdef0. failed")
    assert facts.file_system_ids == ["fs-0123456789abcdef0"]


@pytest.mark.parametrize(
    ("value", "expected"),
    # The driver reads encryptInTransit with Go's strconv.ParseBool (efs-semantics.md §3.3).
    [('"false"', False), ("'0'", False), ("F", False), ("TRUE", True), ('"fAlse"', None)],
)
def test_encrypt_in_transit_reads_like_the_driver(value: str, expected: bool | None) -> None:
    assert facts_of(f"volumeAttributes:\n  encryptInTransit: {value}\n").encrypt_in_transit is (
        expected
    )


@pytest.mark.parametrize(
    ("text", "role"),
    [
        (
            "User: arn:aws:sts::111122223333:assumed-role/eks-node-group-role/i-0abc is not "
            "authorized to perform: elasticfilesystem:DescribeMountTargets",
            "eks-node-group-role",
        ),
        (
            "AWS credentials source used for IAM authentication: "
            "webidentity:arn:aws:iam::111122223333:role/teams/efs-csi-node,/var/run/token",
            "efs-csi-node",
        ),
        (
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
            "elasticfilesystem:DescribeMountTargets",
            None,
        ),
    ],
)
def test_role_placeholder_from_the_texts_principal(text: str, role: str | None) -> None:
    assert values(facts_of(text)).get("role") == role
