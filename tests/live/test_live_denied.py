"""Partial permissions: each AWS call denied in turn, and each Kubernetes list forbidden.

The run must complete, name the missing IAM action or RBAC rule in an Inconclusive, and
still collect everything else. A denied ``GetAccountAuthorizationDetails`` is not a gap:
the same roles are read with per-role calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import live_seed as seed
import pytest
from fake_kube import FakeKube
from live_helpers import POD_IDENTITY_ROLE, deny, live_clients, record_calls, stub_eks

from efs_doctor.sources.aws_calls import CALLS, AwsCall
from efs_doctor.sources.k8s_live import LISTS, KubeOptions
from efs_doctor.sources.live import LiveOptions, collect, inventory_from
from efs_doctor.sources.live_records import Collection

pytestmark = pytest.mark.live
GAAD = "GetAccountAuthorizationDetails"
PER_ROLE = {"GetInstanceProfile", "GetRole", "ListRolePolicies", "GetRolePolicy"} | {
    "ListAttachedRolePolicies",
    "GetPolicy",
    "GetPolicyVersion",
}


def _build(aws: str) -> seed.AwsSeed:
    built = seed.build_aws(aws)
    seed.clients(aws)["iam"].create_role(
        RoleName=POD_IDENTITY_ROLE, AssumeRolePolicyDocument=seed._trust("pods.eks.amazonaws.com")
    )
    return built


def _run(built: seed.AwsSeed, kube_env: Path, clients: dict[str, Any]) -> Collection:
    with FakeKube(seed.kube_objects(built)) as kube:
        options = LiveOptions(kube=KubeOptions(kubeconfig=str(kube.kubeconfig(kube_env))))
        return collect(options, aws_clients=clients)


def test_all_calls_are_made_with_every_permission(aws: str, kube_env: Path) -> None:
    """With Pod Identity stubbed and authorization details denied, the run uses every call
    of the published list: the list is exactly what the collectors do."""
    built = _build(aws)
    clients = live_clients()
    seen = record_calls(clients)
    stub_eks(clients["eks"])
    full = _run(built, kube_env, clients)
    assert full.inconclusive == []
    clients = live_clients()
    seen_fallback = record_calls(clients)
    stub_eks(clients["eks"])
    deny(clients["iam"], GAAD)
    _run(built, kube_env, clients)
    used = {c.split(":")[1] for c in seen + seen_fallback}
    assert used == {c.operation for c in CALLS}


@pytest.mark.parametrize(
    "call", [c for c in CALLS if c.needs_permission], ids=lambda c: c.iam_action
)
def test_access_denied_on_each_call(call: AwsCall, aws: str, kube_env: Path) -> None:
    built = _build(aws)
    clients = live_clients()
    stub_eks(clients["eks"], deny_operation=call.operation if call.service == "eks" else None)
    if call.service != "eks":
        deny(clients[call.service], call.operation)
    if call.operation in PER_ROLE:
        deny(clients["iam"], GAAD)
    collection = _run(built, kube_env, clients)
    inventory = inventory_from(collection.documents)
    missing = [i.missing_permission for i in collection.inconclusive]
    if call.operation == GAAD:
        assert missing == []
        assert "per-role" in collection.context["iam"]
        assert {r.name for r in inventory.roles.values()} == {
            seed.NODE_ROLE,
            seed.CONTROLLER_ROLE,
            POD_IDENTITY_ROLE,
        }
    else:
        assert set(missing) - {None} == {call.iam_action}
        consequences = [i.what for i in collection.inconclusive if not i.missing_permission]
        # without the instances, their eks:cluster-name tag is unknown too
        assert consequences == (["aws eks"] if call.operation == "DescribeInstances" else [])
        denied = [i for i in collection.inconclusive if i.missing_permission]
        assert all("access denied" in i.reason for i in denied)
    # the rest of the run went on
    assert inventory.persistent_volumes
    assert inventory.nodes
    if call.operation != "DescribeFileSystems":
        assert inventory.file_systems
    if call.service != "ec2":
        assert inventory.security_groups
        assert inventory.subnets


@pytest.mark.parametrize("forbidden", sorted({item.plural for item in LISTS}))
def test_forbidden_kubernetes_list(forbidden: str, aws: str, kube_env: Path) -> None:
    built = _build(aws)
    with FakeKube(seed.kube_objects(built), forbidden={forbidden}) as kube:
        options = LiveOptions(kube=KubeOptions(kubeconfig=str(kube.kubeconfig(kube_env))))
        clients = live_clients()
        stub_eks(clients["eks"])
        collection = collect(options, aws_clients=clients)
    expected = {item.rbac for item in LISTS if item.plural == forbidden}
    denied = [i for i in collection.inconclusive if i.missing_permission]
    assert {i.missing_permission for i in denied} == expected
    assert all("forbidden" in i.reason for i in denied)
    consequences = [i.what for i in collection.inconclusive if not i.missing_permission]
    # without nodes there are no instances, so no eks:cluster-name tag either
    assert consequences == (["aws eks"] if forbidden == "nodes" else [])
    files = {d.path for d in collection.documents}
    assert all(item.file not in files for item in LISTS if item.plural == forbidden)
    assert any(path.startswith("kubernetes/") for path in files)
