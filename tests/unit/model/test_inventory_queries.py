"""The questions engines ask the inventory: node -> instance, default class, roles, sections."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from efs_doctor.model.inventory import Inventory
from efs_doctor.sources import aws_snapshot

Load = Callable[..., Inventory]
Write = Callable[[str, str], Path]


def _node(name: str, provider: str | None = None) -> str:
    spec = f"spec: {{providerID: '{provider}'}}\n" if provider else ""
    return f"apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\n{spec}"


def test_instance_of_node_by_provider_id_then_by_dns_name(
    load: Load, write: Write, aws_fixtures: Path
) -> None:
    inventory = load(aws_fixtures / "ec2-describe-instances.json")
    by_az = {i.availability_zone: i for i in inventory.instances.values()}
    a, b = by_az["us-east-1a"], by_az["us-east-1b"]
    nodes = write(
        "nodes.yaml",
        "---\n".join(
            [
                _node("node-a", f"aws:///us-east-1a/{a.id}"),
                _node(b.private_dns_name or ""),  # no providerID: matched by DNS name
                _node("stranger", "aws:///us-east-1c/i-0000000000000000f"),
            ]
        ),
    )
    inventory = load(aws_fixtures / "ec2-describe-instances.json", nodes)
    assert inventory.instance_of_node(inventory.nodes["node-a"]) is inventory.instances[a.id]
    by_dns = inventory.nodes[b.private_dns_name or ""]
    assert inventory.instance_of_node(by_dns) is inventory.instances[b.id]
    assert inventory.instance_of_node(inventory.nodes["stranger"]) is None


def test_default_storage_class_must_be_unique(load: Load, write: Write) -> None:
    def storage_class(name: str, beta: bool = False) -> str:
        prefix = "storageclass.beta.kubernetes.io" if beta else "storageclass.kubernetes.io"
        return (
            f"apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: {name}\n"
            f'  annotations: {{{prefix}/is-default-class: "true"}}\n'
            "provisioner: efs.csi.aws.com\n"
        )

    one = load(write("one.yaml", storage_class("efs", beta=True)))
    default = one.default_storage_class()
    assert default is not None
    assert default.name == "efs"
    two = load(write("two.yaml", storage_class("a") + "---\n" + storage_class("b")))
    assert two.default_storage_class() is None


def test_sections_tell_none_from_not_provided(load: Load, aws_fixtures: Path) -> None:
    """An empty describe answer says "there are none"; a missing one says nothing."""
    inventory = load(aws_fixtures / "efs-describe-mount-targets.json")
    assert inventory.has(aws_snapshot.MOUNT_TARGETS)
    assert not inventory.has(aws_snapshot.SECURITY_GROUPS)
    assert not inventory.has(aws_snapshot.NETWORK_INTERFACES)


def test_an_empty_answer_still_counts_as_provided(load: Load, write: Write) -> None:
    inventory = load(write("none.json", '{"MountTargets": []}'))
    assert inventory.has(aws_snapshot.MOUNT_TARGETS)
    assert inventory.mount_targets == {}
    assert inventory.problems == []


def test_role_by_name_or_arn(load: Load, aws_fixtures: Path) -> None:
    inventory = load(aws_fixtures / "iam-get-account-authorization-details.json")
    arn = "arn:aws:iam::123456789012:role/eks-node-role"
    assert inventory.role_by_name_or_arn(arn) is inventory.roles[arn]
    assert inventory.role_by_name_or_arn("eks-node-role") is inventory.roles[arn]
    # an assumed-role session names the role last
    session = "arn:aws:sts::123456789012:assumed-role/eks-node-role"
    assert inventory.role_by_name_or_arn(session) is inventory.roles[arn]
    assert inventory.role_by_name_or_arn("nobody") is None


def test_counts_and_summary(load: Load, aws_fixtures: Path, kubernetes_fixtures: Path) -> None:
    inventory = load(aws_fixtures / "sts-get-caller-identity.json")
    assert inventory.object_count == 1  # the caller identity alone is usable input
    assert not inventory.is_empty
    assert inventory.summary() == {"CallerIdentity": 1}  # counted and listed alike
    k8s = load(kubernetes_fixtures / "workloads.yaml")
    assert k8s.summary() == {
        "PersistentVolume": 1,
        "PersistentVolumeClaim": 2,
        "StorageClass": 2,
        "Workload": 6,
    }
    assert k8s.object_count == 11
