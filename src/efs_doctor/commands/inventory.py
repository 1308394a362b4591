"""Show what was loaded from the inputs and the resolved EFS mount chains.

Each chain is Pod (or workload template) -> PVC -> PV -> StorageClass -> file system /
access point -> mount targets -> security groups, with the file:line each object came from.
Use it to check that efs-doctor sees your manifests and AWS state the way you expect.
"""

from __future__ import annotations

import argparse

from efs_doctor.commands.render_args import add_render_arguments


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or directories; - is stdin")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_render_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import sys

    from efs_doctor.api import load_inventory, mount_chains
    from efs_doctor.commands.render_args import render_options
    from efs_doctor.errors import exit_status, internal_step
    from efs_doctor.model.chain import MountChain
    from efs_doctor.report.inventory import inventory_json, inventory_text
    from efs_doctor.report.problems import print_problems

    inventory = load_inventory(args.paths, render=render_options(args))
    print_problems(inventory.problems, verbose=args.verbose)
    if inventory.is_empty:
        print("efs-doctor: no usable input", file=sys.stderr)
        return exit_status(usable=False, found=0)
    chains: list[MountChain] = []
    contexts: list[str | None] = []
    for view in inventory.views():  # chains never cross contexts
        found = mount_chains(view)
        chains.extend(found)
        contexts.extend([view.context or None] * len(found))
    with internal_step(f"the {args.format} renderer"):
        if args.format == "json":
            import json

            text = json.dumps(inventory_json(inventory, chains, contexts), indent=2) + "\n"
        else:
            text = inventory_text(inventory, chains, contexts)
    sys.stdout.write(text)
    # inventory reports what it loaded, nothing it found: inputs that failed are lines on
    # stderr and the rest is shown, so a partly bad input set exits 0
    return exit_status(usable=True, found=0)
