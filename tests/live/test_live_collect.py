"""Live collection against moto's server and the fake Kubernetes API, in process.

Every AWS request is recorded with a botocore ``before-parameter-build`` hook of the test's
own (pages included): none may be mutating, all must be in the published list, and their number must
depend on resource types (file systems, VPCs), not on how many PVs or pods there are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import live_seed as seed
import pytest
from fake_kube import FakeKube
from live_helpers import live_clients, record_calls

from efs_doctor.sources.aws_calls import BY_OPERATION
from efs_doctor.sources.k8s_live import KubeOptions
from efs_doctor.sources.live import LiveOptions, collect, inventory_from
from efs_doctor.sources.live_records import Collection

pytestmark = pytest.mark.live
READ_PREFIXES = ("Describe", "List", "Get")


def run(kubeconfig: Path, clients: dict[str, Any] | None = None) -> Collection:
    options = LiveOptions(kube=KubeOptions(kubeconfig=str(kubeconfig)))
    return collect(options, aws_clients=clients or live_clients())


def test_seed_is_collected_into_the_same_model_as_files(aws: str, kube_env: Path) -> None:
    built = seed.build_aws(aws)
    with FakeKube(seed.kube_objects(built)) as kube:
        collection = run(kube.kubeconfig(kube_env))
    inventory = inventory_from(collection.documents)
    fs_id = built.file_system_ids[0]
    assert set(inventory.file_systems) == {fs_id}
    assert inventory.policies[fs_id].document is not None
    assert {mt.file_system_id for mt in inventory.mount_targets.values()} == {fs_id}
    assert len(inventory.mount_targets) == 3
    # security groups of the mount targets come from their network interfaces
    for mt in inventory.mount_targets.values():
        assert inventory.security_groups_of_mount_target(mt) == (built.mount_target_sg,)
    assert set(inventory.security_groups) == {built.node_sg, built.mount_target_sg}
    assert {n.instance_id for n in inventory.nodes.values()} == set(inventory.instances)
    assert inventory.vpc_dns_value(built.vpc_id, "enableDnsHostnames") is True
    roles = {r.name for r in inventory.roles.values()}
    # the node instance profile role and the controller's IRSA role; not the unrelated one
    assert roles == {seed.NODE_ROLE, seed.CONTROLLER_ROLE}
    assert inventory.instance_profiles
    assert "prod" in inventory.clusters
    assert [w.name for w in inventory.workloads if w.kind == "Deployment"] == ["efs-csi-controller"]
    assert [e.reason for e in inventory.events] == ["FailedMount"]
    assert collection.context["cluster"] == "prod"  # from the instances' eks:cluster-name tag
    assert not [p for p in inventory.problems if p.level.value == "error"]
    # moto has no Pod Identity API: that, and only that, is inconclusive
    assert [i.what for i in collection.inconclusive] == [
        "aws eks ListPodIdentityAssociations (prod)"
    ]


def test_every_call_is_read_only_and_listed(aws: str, kube_env: Path) -> None:
    built = seed.build_aws(aws)
    clients = live_clients()
    seen = record_calls(clients)
    with FakeKube(seed.kube_objects(built)) as kube:
        collection = run(kube.kubeconfig(kube_env), clients)
        writes = [r for r in kube.requests if r.method != "GET"]
    assert seen, "no AWS call recorded"
    for call in seen:
        service, operation = call.split(":")
        assert operation.startswith(READ_PREFIXES), call
        assert (service, operation) in BY_OPERATION, call
    assert sorted(seen) == sorted(c.operation for c in collection.calls.calls if c.api == "aws")
    assert writes == []


def _bulk_kube(built: seed.AwsSeed, pvs: int) -> list[dict[str, Any]]:
    objects = [*seed.node_objects(built), *seed.driver_objects(), seed.storage_class()]
    for index in range(pvs):
        fs_id = built.file_system_ids[index % len(built.file_system_ids)]
        objects += seed.volume_objects(fs_id, f"pv-{index}", f"claim-{index}")
        objects.append(
            seed.pod_object(built.instances[0]["PrivateDnsName"], f"claim-{index}", f"pod-{index}")
        )
    return objects


@pytest.mark.slow
def test_call_count_depends_on_types_not_objects(aws: str, kube_env: Path) -> None:
    """1,000 PVs (and pods) on 3 file systems cost the same calls as 3 PVs."""
    c = seed.clients(aws)
    built = seed.AwsSeed()
    seed.build_iam(c)
    subnets = seed.build_network(c, built, node_count=6)
    for token in ("a", "b", "c"):
        seed.build_file_system(c, built, subnets, token=token)
    counts = {}
    for pvs in (3, 1000):
        clients = live_clients()
        seen = record_calls(clients)
        with FakeKube(_bulk_kube(built, pvs)) as kube:
            run(kube.kubeconfig(kube_env), clients)
            lists = [r for r in kube.requests if r.path.endswith("persistentvolumes")]
        counts[pvs] = len(seen)
        if pvs == 1000:
            assert len(lists) == 2  # 500 per page, with a continue token
    assert counts[3] == counts[1000]
    # per type: sts, fs, ap, instances, gaad, eks x2, eni, subnets, vpcs, nacls, sgs = 12;
    # per file system: mount targets + policy; per VPC: two DNS attributes
    assert counts[1000] <= 12 + 2 * 3 + 2 * 1


def test_incremental_inventory_equals_the_documents_read_at_once(aws: str, kube_env: Path) -> None:
    from live_helpers import canonical

    from efs_doctor.sources.live import collect_inventory

    built = seed.build_aws(aws)
    with FakeKube(seed.kube_objects(built)) as kube:
        options = LiveOptions(kube=KubeOptions(kubeconfig=str(kube.kubeconfig(kube_env))))
        collection, inventory = collect_inventory(options, aws_clients=live_clients())
    assert canonical(inventory) == canonical(inventory_from(collection.documents))
    assert inventory.workloads  # pods were added after the part that chose the AWS targets
