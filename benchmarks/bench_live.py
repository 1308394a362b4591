"""Live mode against moto's server and the fake Kubernetes API: calls and wall time.

The account: one VPC with six zones, 50 node instances, 10 file systems with a mount target
in each zone (60), each with a policy. The cluster: 50 nodes, 1,000 static PVs with their
claims and pods spread over the 10 file systems, the EFS CSI driver, 20 FailedMount events.
Issue 7 target: at most 40 AWS calls and under 3 s wall for the live diagnosis.

Timed: (1) in process, live collection, the inventory and the diagnosis of every pod with
a FailedMount event (simulation and explanation), best of ``--repeat`` with fresh clients;
(2) the CLI as a user runs it, a subprocess (interpreter start and imports included):
``diagnose --all-namespaces`` when that command exists, else ``snapshot``. Building the
moto account is not timed.

    .venv/bin/python benchmarks/bench_live.py [--pvs N] [--nodes N] [--file-systems N]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "live"))
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

ZONES = [f"us-east-1{z}" for z in "abcdef"]
MAX_CALLS = 40
MAX_SECONDS = 3.0


def build_account(url: str, nodes: int, file_systems: int) -> Any:
    import live_seed as seed

    c = seed.clients(url)
    built = seed.AwsSeed()
    seed.build_iam(c)
    ec2 = c["ec2"]
    built.vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):
        ec2.modify_vpc_attribute(VpcId=built.vpc_id, **{attribute: {"Value": True}})
    subnets = [
        ec2.create_subnet(VpcId=built.vpc_id, CidrBlock=f"10.0.{i * 16}.0/20", AvailabilityZone=z)[
            "Subnet"
        ]["SubnetId"]
        for i, z in enumerate(ZONES)
    ]
    built.node_sg = ec2.create_security_group(
        GroupName="nodes", Description="nodes", VpcId=built.vpc_id
    )["GroupId"]
    built.mount_target_sg = ec2.create_security_group(
        GroupName="efs", Description="efs", VpcId=built.vpc_id
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=built.mount_target_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 2049,
                "ToPort": 2049,
                "UserIdGroupPairs": [{"GroupId": built.node_sg}],
            }
        ],
    )
    profile = f"arn:aws:iam::{seed.ACCOUNT}:instance-profile/eks-node-group-profile"
    tags = [{"ResourceType": "instance", "Tags": [{"Key": "eks:cluster-name", "Value": "prod"}]}]
    for index, (zone, subnet) in enumerate(zip(ZONES, subnets, strict=True)):
        count = nodes // len(ZONES) + (1 if index < nodes % len(ZONES) else 0)
        if not count:
            continue
        answer = ec2.run_instances(
            ImageId="ami-0123456789abcdef0",
            MinCount=count,
            MaxCount=count,
            SubnetId=subnet,
            SecurityGroupIds=[built.node_sg],
            IamInstanceProfile={"Arn": profile},
            TagSpecifications=tags,
        )
        for instance in answer["Instances"]:
            built.instances.append(
                {
                    "InstanceId": instance["InstanceId"],
                    "PrivateDnsName": instance["PrivateDnsName"],
                    "PrivateIpAddress": instance["PrivateIpAddress"],
                    "zone": zone,
                }
            )
    for index in range(file_systems):
        seed.build_file_system(c, built, subnets, token=f"fs-{index}")
    return built


def kube_objects(built: Any, pvs: int) -> list[dict[str, Any]]:
    import live_seed as seed

    objects = [*seed.node_objects(built), *seed.driver_objects(), seed.storage_class()]
    for index in range(pvs):
        fs_id = built.file_system_ids[index % len(built.file_system_ids)]
        node = built.instances[index % len(built.instances)]["PrivateDnsName"]
        objects += seed.volume_objects(fs_id, f"pv-{index}", f"claim-{index}")
        objects.append(seed.pod_object(node, f"claim-{index}", f"pod-{index}"))
        if index < 20:
            objects.append(seed.event_object(fs_id, f"pod-{index}"))
    return objects


def in_process(kubeconfig: Path, repeat: int) -> tuple[float, int, int, str]:
    """Collect, build the inventory and diagnose every pod with a FailedMount event."""
    from efs_doctor.api.diagnose import chains_of, diagnose, pods_with_failed_events
    from efs_doctor.sources.k8s_live import KubeOptions
    from efs_doctor.sources.live import LiveOptions, collect_inventory

    best, calls, lists, verdict = float("inf"), 0, 0, ""
    for _ in range(repeat):
        start = time.perf_counter()
        options = LiveOptions(kube=KubeOptions(kubeconfig=str(kubeconfig)))
        collection, inventory = collect_inventory(options)
        pods = pods_with_failed_events(inventory)
        diagnosis = diagnose(inventory, chains_of(inventory, pods), pods)
        best = min(best, time.perf_counter() - start)
        calls, lists = collection.calls.count("aws"), collection.calls.count("kubernetes")
        causes = {c.id for c in diagnosis.causes if c.status == "confirmed"}
        verdict = f"{len(diagnosis.outcomes)} mounts diagnosed, confirmed: {sorted(causes)}"
    return best, calls, lists, verdict


def cli(kubeconfig: Path, url: str) -> tuple[str, float, int]:
    from efs_doctor.cli import COMMANDS

    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
    env.update({"KUBECONFIG": str(kubeconfig), "AWS_ENDPOINT_URL": url})
    with tempfile.TemporaryDirectory() as tmp:
        if any(name == "diagnose" for name, _, _ in COMMANDS):
            args = ["diagnose", "--all-namespaces", "--format", "json"]
        else:
            args = ["snapshot", "-o", str(Path(tmp) / "snap")]
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "efs_doctor", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
    return args[0], elapsed, done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pvs", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--file-systems", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from fake_kube import FakeKube
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        }
    )
    try:
        setup = time.perf_counter()
        built = build_account(url, args.nodes, args.file_systems)
        objects = kube_objects(built, args.pvs)
        setup = time.perf_counter() - setup
        with tempfile.TemporaryDirectory() as tmp, FakeKube(objects) as kube:
            kubeconfig = kube.kubeconfig(Path(tmp) / "kubeconfig.json")
            seconds, calls, lists, verdict = in_process(kubeconfig, args.repeat)
            command, cli_seconds, status = cli(kubeconfig, url)
    finally:
        server.stop()
    result = {
        "pvs": args.pvs,
        "nodes": args.nodes,
        "file_systems": args.file_systems,
        "mount_targets": len(built.mount_target_ids),
        "aws_calls": calls,
        "kubernetes_lists": lists,
        "collect_seconds": round(seconds, 3),
        f"cli_{command}_seconds": round(cli_seconds, 3),
        "cli_exit": status,
        "setup_seconds": round(setup, 1),
        "verdict": verdict,
    }
    print(json.dumps(result, indent=2))
    within = calls <= MAX_CALLS and seconds < MAX_SECONDS and cli_seconds < MAX_SECONDS
    print(
        f"{calls} AWS calls (target <= {MAX_CALLS}), {lists} Kubernetes lists, "
        f"{seconds:.2f} s in process, {cli_seconds:.2f} s for `efs-doctor {command}` "
        f"(target < {MAX_SECONDS:.0f} s): {'OK' if within else 'OVER TARGET'}"
    )
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
