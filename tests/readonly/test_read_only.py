"""Live mode only reads (issue 9, item 6).

Full live runs (``diagnose``, ``scan --live``, ``snapshot``; once with every permission and
once with ``iam:GetAccountAuthorizationDetails`` denied, which switches to the per-role IAM
calls) are recorded: every AWS API call the clients make (a botocore hook of this test's own,
pages included) and every Kubernetes request the fake API receives. Every AWS operation
must be on the fixed allow-list below (written out here, independent of the code's own
list) and start with Describe, List or Get; every Kubernetes request must be a GET of a
list, never a watch. The published least-privilege policy (``efs-doctor permissions``,
``src/efs_doctor/data/permissions/``, docs/permissions.md) must grant exactly the operations
used, and the ClusterRole exactly the lists used. Finally, a write cannot be sent even by
mistake: the caller's guard refuses it before it leaves the client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import live_seed as seed
import pytest
import yaml
from fake_kube import FakeKube
from faults import AwsFault, error
from faults_kit import faulty_clients, run_cli
from live_helpers import POD_IDENTITY_ROLE

pytestmark = pytest.mark.live
REPO = Path(__file__).resolve().parents[2]
PERMISSIONS = REPO / "src" / "efs_doctor" / "data" / "permissions"
DOC = REPO / "docs" / "permissions.md"

# The allow-list: every AWS operation live mode may send. Written out by hand, reviewed
# against the AWS API references; a new call needs a new line here and in the policy.
ALLOWED: frozenset[str] = frozenset(
    {
        "sts:GetCallerIdentity",
        "elasticfilesystem:DescribeFileSystems",
        "elasticfilesystem:DescribeMountTargets",
        "elasticfilesystem:DescribeAccessPoints",
        "elasticfilesystem:DescribeFileSystemPolicy",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcAttribute",
        "ec2:DescribeNetworkAcls",
        "iam:GetAccountAuthorizationDetails",
        "iam:GetInstanceProfile",
        "iam:GetRole",
        "iam:ListRolePolicies",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "eks:DescribeCluster",
        "eks:ListPodIdentityAssociations",
        "eks:DescribePodIdentityAssociation",
    }
)
# sts:GetCallerIdentity needs no permission: it cannot be denied (STS API reference,
# https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)
NEEDS_NO_PERMISSION = frozenset({"sts:GetCallerIdentity"})
IAM_PREFIX = {"efs": "elasticfilesystem", "ec2": "ec2", "iam": "iam", "eks": "eks", "sts": "sts"}


def _record_sends(monkeypatch: pytest.MonkeyPatch, sent: list[str]) -> None:
    """Wrap the client factory the CLI uses so that every API call is recorded."""
    from efs_doctor.sources import aws_live

    real = aws_live.make_clients

    def make(options: Any, region_hint: str | None) -> tuple[dict[str, Any], str]:
        clients, region = real(options, region_hint)
        for service, client in clients.items():

            def on_call(model: Any, service: str = service, **_: Any) -> None:
                sent.append(f"{IAM_PREFIX[service]}:{model.name}")

            # before-parameter-build: every API call (each page too), including the ones a
            # test's Stubber answers (moto lacks Pod Identity), which never reach the wire
            client.meta.events.register_first("before-parameter-build", on_call)
        return clients, region

    monkeypatch.setattr(aws_live, "make_clients", make)


def _policy_actions(policy: dict[str, Any]) -> set[str]:
    actions: set[str] = set()
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] == "*"
        listed = statement["Action"]
        actions |= {listed} if isinstance(listed, str) else set(listed)
    return actions


def _doc_blocks(language: str) -> Iterator[str]:
    text = DOC.read_text()
    yield from re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def _list_requests(kube: FakeKube) -> set[tuple[str, str, str]]:
    """(api group, resource, verb) of every request the fake API received."""
    seen = set()
    for request in kube.requests:
        assert request.method == "GET", request
        assert request.query.get("watch") in (None, "false", "0"), request
        parts = [p for p in request.path.split("/") if p]
        group = "" if parts[0] == "api" else parts[1]
        rest = parts[2:] if parts[0] == "api" else parts[3:]
        if rest[:1] == ["namespaces"] and len(rest) >= 3:
            rest = rest[2:]
        assert len(rest) == 1, f"not a list request: {request.path}"
        seen.add((group, rest[0], "list"))
    return seen


@pytest.fixture
def cluster(aws: str) -> seed.AwsSeed:
    built = seed.build_aws(aws)
    seed.clients(aws)["iam"].create_role(
        RoleName=POD_IDENTITY_ROLE, AssumeRolePolicyDocument=seed._trust("pods.eks.amazonaws.com")
    )
    return built


def _full_runs(kube_env: Path, tmp_path: Path, tag: str) -> None:
    for args in (
        ["diagnose", "--all-namespaces", "--format", "json"],
        ["diagnose"],
        ["scan", "--live", "--format", "json"],
        ["snapshot", "-o", str(tmp_path / f"snapshot-{tag}")],
    ):
        code, _out, err = run_cli(*args, "--kubeconfig", str(kube_env))
        assert code in (0, 1), (args, err[-2000:])


def test_every_request_of_full_live_runs_is_a_listed_read_and_the_policy_is_exactly_them(
    cluster: seed.AwsSeed, kube_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []
    _record_sends(monkeypatch, sent)
    with FakeKube(seed.kube_objects(cluster)) as kube:
        kube.kubeconfig(kube_env)
        with faulty_clients(monkeypatch, []):  # Pod Identity answered (moto lacks it)
            _full_runs(kube_env, tmp_path, "full")
        denied = AwsFault("GetAccountAuthorizationDetails", error(403, "AccessDenied"))
        with faulty_clients(monkeypatch, [denied]):  # the per-role IAM calls
            _full_runs(kube_env, tmp_path, "per-role")
        lists = _list_requests(kube)

    used = set(sent)
    assert used, "no AWS request recorded"
    for operation in sorted(used):
        assert operation in ALLOWED, f"{operation} is not on the allow-list"
        assert operation.split(":")[1].startswith(("Describe", "List", "Get")), operation
    # the runs exercised the whole allow-list: the list is not wider than what is used
    assert used == ALLOWED

    needed = used - NEEDS_NO_PERMISSION
    published = _policy_actions(json.loads((PERMISSIONS / "iam-policy.json").read_text()))
    assert published == needed
    [doc_policy] = [b for b in _doc_blocks("json") if '"Statement"' in b]
    assert _policy_actions(json.loads(doc_policy)) == needed
    code, printed, _err = run_cli("permissions", "iam")
    assert code == 0
    assert _policy_actions(json.loads(printed)) == needed

    role = yaml.safe_load((PERMISSIONS / "clusterrole.yaml").read_text())
    granted = {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
    assert {verb for _g, _r, verb in granted} == {"list"}
    assert granted == lists
    [doc_role] = [b for b in _doc_blocks("yaml") if re.search(r"^kind: ClusterRole$", b, re.M)]
    assert yaml.safe_load(doc_role)["rules"] == role["rules"]


def test_a_write_cannot_be_sent_even_by_mistake(aws: str) -> None:
    """The guard in front of every client refuses an operation that is not a listed read,
    before the request is built; the account is unchanged."""
    from efs_doctor.sources.aws_calls import AwsCaller, ReadOnlyViolation
    from efs_doctor.sources.aws_live import AwsOptions, make_clients
    from efs_doctor.sources.live_records import Collection

    clients, _region = make_clients(AwsOptions(), None)
    AwsCaller(clients, Collection())  # installs the guard on each client
    writes = {
        "efs": ("create_file_system", {"CreationToken": "x"}),
        "ec2": ("create_security_group", {"GroupName": "x", "Description": "x"}),
        "iam": ("create_role", {"RoleName": "x", "AssumeRolePolicyDocument": "{}"}),
        "eks": ("delete_cluster", {"name": "prod"}),
    }
    for service, (method, params) in writes.items():
        with pytest.raises(ReadOnlyViolation):
            getattr(clients[service], method)(**params)
    assert seed.clients(aws)["efs"].describe_file_systems()["FileSystems"] == []
    groups = seed.clients(aws)["ec2"].describe_security_groups()["SecurityGroups"]
    assert [g["GroupName"] for g in groups] == ["default"]
