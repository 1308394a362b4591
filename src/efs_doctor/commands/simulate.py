"""Simulate the mount of each EFS volume: will it mount, with what access, and if not why.

For every mount chain (pod -> PVC -> PV -> file system) efs-doctor replays what the EFS CSI
driver, the efs-utils mount helper and EFS do, in their order: the mount options, the mount
target and DNS name, the credentials, TCP 2049 through security
groups and network ACLs, the access point, the file system policy. Each mount is shown as a
diagram of its path with the failing layer marked, the evidence under it, and the exact error
kubelet would report. Missing inputs make a step indeterminate, never silently fine.

--pod takes NAMESPACE/NAME (or NAME in the default namespace) of a pod, or of a workload
(NAMESPACE/KIND/NAME for one kind). A pod that is not among the inputs is matched to the
Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob whose controller gives pods
that name (web-7c9d8b6f5d-x2k4q, db-0), and that workload's mounts are simulated.

exit status: 0 every mount succeeds (or the inputs have no EFS mount); 1 a mount fails or
cannot be decided; 2 usage error (including --pod/--pv naming nothing in the inputs) or no
usable input (a bad file beside usable ones is only a line on stderr); 3 internal error (a
bug in efs-doctor).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from efs_doctor.commands.render_args import add_render_arguments

if TYPE_CHECKING:
    from efs_doctor.model.inventory import Inventory


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or directories; - is stdin")
    parser.add_argument(
        "--pod",
        metavar="NS/NAME",
        help="only the mounts of this pod (a pod not among the inputs: of its workload)",
    )
    parser.add_argument("--pv", metavar="NAME", help="only the mounts of this PersistentVolume")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--csi-driver-version",
        metavar="V",
        help="aws-efs-csi-driver version (default: the efs-csi-node image tag, else 3.4.1)",
    )
    parser.add_argument(
        "--efs-utils-version",
        metavar="V",
        help="efs-utils version (default: the one bundled with the driver, 3.2.0 for 3.4.1)",
    )
    add_render_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from efs_doctor.api import load_inventory, mount_chains
    from efs_doctor.commands.render_args import render_options
    from efs_doctor.engine.mount import MountOutcome, SimulationOptions, simulate_all
    from efs_doctor.engine.mount.versions import Version
    from efs_doctor.errors import UsageError, exit_status, internal_step
    from efs_doctor.report.problems import print_problems
    from efs_doctor.report.simulate import simulate_json, simulate_text

    for option in ("csi_driver_version", "efs_utils_version"):
        value = getattr(args, option)
        if value is not None:
            try:
                Version.parse(value)
            except ValueError as error:
                raise UsageError(f"--{option.replace('_', '-')}: {error}") from None
    inventory = load_inventory(args.paths, render=render_options(args))
    print_problems(inventory.problems, verbose=args.verbose)
    if inventory.is_empty:
        print("efs-doctor: no usable input", file=sys.stderr)
        return exit_status(usable=False, found=0)
    options = SimulationOptions(args.csi_driver_version, args.efs_utils_version)
    outcomes: list[MountOutcome] = []
    contexts: list[str | None] = []
    for view in inventory.views():  # chains never cross contexts
        chains = mount_chains(view)
        if args.pod:
            pods = _selected_workloads(view, args.pod)
            chains = [c for c in chains if c.pod_key in pods]
        if args.pv:
            chains = [c for c in chains if c.volume_name == args.pv]
        simulated = simulate_all(view, chains, options)
        outcomes.extend(simulated)
        contexts.extend([view.context or None] * len(simulated))
    if not outcomes:
        if args.pod or args.pv:
            asked = " ".join(f"--{o} {v}" for o, v in (("pod", args.pod), ("pv", args.pv)) if v)
            raise UsageError(f"no EFS mount chain in the inputs matches {asked}")
        print("efs-doctor simulate: no EFS mount chain in the inputs", file=sys.stderr)
        return exit_status(usable=True, found=0)
    with internal_step(f"the {args.format} renderer"):
        if args.format == "json":
            text = json.dumps(simulate_json(outcomes, contexts), indent=2) + "\n"
        else:
            text = simulate_text(outcomes, contexts)
    sys.stdout.write(text)
    return exit_status(usable=True, found=sum(o.outcome != "mounted" for o in outcomes))


def _selected_workloads(inventory: Inventory, wanted: str) -> set[str]:
    """The workloads ``--pod`` names; a pod not among the inputs is its controller's
    workload, said on stderr."""
    import sys

    from efs_doctor.api.pod_names import named_workloads, owners_of_pod

    named = named_workloads(inventory.workloads, wanted, "default")
    if named:
        return set(named)
    owners = owners_of_pod(inventory.workloads, wanted, "default")
    if owners:
        print(
            f"efs-doctor simulate: pod {wanted} is not among the inputs; simulating the "
            f"mounts of {' and '.join(owners)}, whose controller names its pods so",
            file=sys.stderr,
        )
    return set(owners)
