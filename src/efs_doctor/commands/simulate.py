"""Simulate the mount of each EFS volume: will it mount, with what access, and if not why.

For every mount chain (pod -> PVC -> PV -> file system) efs-doctor replays what the EFS CSI
driver, the efs-utils mount helper and EFS do, in their order: the mount options, the mount
target and DNS name, the credentials, TCP 2049 through security
groups and network ACLs, the access point, the file system policy. Each mount is shown as a
diagram of its path with the failing layer marked, the evidence under it, and the exact error
kubelet would report. Missing inputs make a step indeterminate, never silently fine.

exit status: 0 every mount succeeds (or the inputs have no EFS mount); 1 a mount fails or
cannot be decided; 2 usage error (including --pod/--pv naming nothing in the inputs) or no
usable input (a bad file beside usable ones is only a line on stderr); 3 internal error (a
bug in efs-doctor).
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or directories; - is stdin")
    parser.add_argument("--pod", metavar="NS/NAME", help="only the mounts of this pod or workload")
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


def _matches_pod(wanted: str, key: str | None) -> bool:
    if key is None:
        return False
    if wanted == key:
        return True
    parts = key.split("/")
    # "ns/name" also selects a workload template "ns/kind/name"; "name" the default namespace
    if len(parts) == 3 and wanted == f"{parts[0]}/{parts[2]}":
        return True
    return "/" not in wanted and key == f"default/{wanted}"


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from efs_doctor.api import load_inventory, mount_chains
    from efs_doctor.engine.mount import SimulationOptions, simulate_all
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
    inventory = load_inventory(args.paths)
    print_problems(inventory.problems, verbose=args.verbose)
    if inventory.is_empty:
        print("efs-doctor: no usable input", file=sys.stderr)
        return exit_status(usable=False, found=0)
    chains = mount_chains(inventory)
    if args.pod:
        chains = [c for c in chains if _matches_pod(args.pod, c.pod_key)]
    if args.pv:
        chains = [c for c in chains if c.volume_name == args.pv]
    if not chains:
        if args.pod or args.pv:
            asked = " ".join(f"--{o} {v}" for o, v in (("pod", args.pod), ("pv", args.pv)) if v)
            raise UsageError(f"no EFS mount chain in the inputs matches {asked}")
        print("efs-doctor simulate: no EFS mount chain in the inputs", file=sys.stderr)
        return exit_status(usable=True, found=0)
    options = SimulationOptions(args.csi_driver_version, args.efs_utils_version)
    outcomes = simulate_all(inventory, chains, options)
    with internal_step(f"the {args.format} renderer"):
        if args.format == "json":
            text = json.dumps(simulate_json(outcomes), indent=2) + "\n"
        else:
            text = simulate_text(outcomes)
    sys.stdout.write(text)
    return exit_status(usable=True, found=sum(o.outcome != "mounted" for o in outcomes))
