"""A healthy cluster in moto and the fake API, and ways to run live mode on it with faults.

Healthy: the live seed's network, IAM and cluster, a file system *without* a policy (the
default policy admits any client that reaches a mount target), and no failure events. With
every answer in, ``diagnose`` says every mount succeeds and exits 0; a fault must turn that
into an Inconclusive and a non-zero exit, never into a confident "mounted".
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import live_seed as seed
import pytest
from faults import AwsFault
from live_helpers import POD_IDENTITY_ROLE, stub_eks

from efs_doctor.model.inventory import Inventory
from efs_doctor.sources.aws_live import AwsOptions
from efs_doctor.sources.k8s_live import KubeOptions
from efs_doctor.sources.live import LiveOptions, collect_inventory
from efs_doctor.sources.live_records import Collection

# boto3 service name of each operation a fault may target
SERVICE = {
    "DescribeFileSystems": "efs",
    "DescribeMountTargets": "efs",
    "DescribeAccessPoints": "efs",
    "DescribeFileSystemPolicy": "efs",
    "DescribeInstances": "ec2",
    "DescribeNetworkInterfaces": "ec2",
    "DescribeSecurityGroups": "ec2",
    "DescribeSubnets": "ec2",
    "DescribeVpcs": "ec2",
    "DescribeVpcAttribute": "ec2",
    "DescribeNetworkAcls": "ec2",
    "GetAccountAuthorizationDetails": "iam",
    "GetCallerIdentity": "sts",
}
FAST = AwsOptions(connect_timeout=2, read_timeout=3, max_attempts=3)


def build_healthy(aws: str) -> seed.AwsSeed:
    c = seed.clients(aws)
    built = seed.AwsSeed()
    seed.build_iam(c)
    subnets = seed.build_network(c, built, node_count=3)
    seed.build_file_system(c, built, subnets, policy=False)
    c["iam"].create_role(
        RoleName=POD_IDENTITY_ROLE, AssumeRolePolicyDocument=seed._trust("pods.eks.amazonaws.com")
    )
    return built


def healthy_objects(built: seed.AwsSeed) -> list[dict[str, Any]]:
    return [o for o in seed.kube_objects(built) if o["kind"] != "Event"]


def clients_with(faults: Sequence[AwsFault], options: AwsOptions = FAST) -> dict[str, Any]:
    """The clients live mode makes (pointed at moto), Pod Identity stubbed, faults installed."""
    from efs_doctor.sources.aws_live import make_clients

    clients, _region = make_clients(options, None)
    stub_eks(clients["eks"])
    for fault in faults:
        fault.install(clients[SERVICE[fault.operation]])
    return clients


def collect_with(
    kubeconfig: Path, faults: Sequence[AwsFault] = (), timeout: float = 5.0
) -> tuple[Collection, Inventory]:
    options = LiveOptions(kube=KubeOptions(kubeconfig=str(kubeconfig), timeout=timeout))
    return collect_inventory(options, aws_clients=clients_with(faults))


@contextlib.contextmanager
def faulty_clients(
    monkeypatch: pytest.MonkeyPatch, faults: Sequence[AwsFault], options: AwsOptions = FAST
) -> Iterator[None]:
    """Make the CLI's own client factory return clients with ``faults`` installed."""
    from efs_doctor.sources import aws_live

    real = aws_live.make_clients

    def make(given: AwsOptions, region_hint: str | None) -> tuple[dict[str, Any], str]:
        clients, region = real(
            AwsOptions(
                profile=given.profile,
                region=given.region,
                cluster=given.cluster,
                connect_timeout=options.connect_timeout,
                read_timeout=options.read_timeout,
                max_attempts=options.max_attempts,
            ),
            region_hint,
        )
        stub_eks(clients["eks"])
        for fault in faults:
            fault.install(clients[SERVICE[fault.operation]])
        return clients, region

    with monkeypatch.context() as patched:
        patched.setattr(aws_live, "make_clients", make)
        yield


def run_cli(*args: str) -> tuple[int, str, str]:
    """``efs-doctor ARGS`` in this process; (exit code, stdout, stderr)."""
    from efs_doctor.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def whats(collection: Collection) -> list[str]:
    return [i.what for i in collection.inconclusive]


def reasons(collection: Collection) -> Mapping[str, str]:
    return {i.what: i.reason for i in collection.inconclusive}
