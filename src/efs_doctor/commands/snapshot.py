"""Save the live cluster's and AWS account's EFS-related state as files, read-only.

Writes Kubernetes Lists (as `kubectl get -o json`) and AWS answers (as `aws ... --output
json`) under DIR, in the formats the offline commands read: `efs-doctor scan DIR` on any
machine then sees what live mode saw. Only what the cluster's EFS volumes use is fetched
(its file systems, their mount targets and security groups, the nodes' instances, the
roles that can mount). No secrets: credentials are never written, container environment
values and secret-looking arguments are redacted. DIR/SNAPSHOT.md lists what could not be read.

Exit status: 0 written (what could not be read is listed in SNAPSHOT.md), 2 usage error or
nothing could be collected, 3 internal error (a bug in efs-doctor).
"""

from __future__ import annotations

import argparse

from efs_doctor.commands.live_args import add_live_arguments


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", required=True, metavar="DIR", help="new or empty directory to write"
    )
    add_live_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from efs_doctor.commands.live_args import collect_live, report_collection
    from efs_doctor.errors import UsageError, exit_status
    from efs_doctor.sources.live import write_snapshot

    directory = Path(args.output)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} exists and is not an empty directory")
    collection = collect_live(args)
    report_collection(collection, args.verbose)
    if not collection.documents:
        print("efs-doctor: nothing could be collected; no snapshot written", file=sys.stderr)
        return exit_status(usable=False, found=0)
    written = write_snapshot(collection, directory)
    skipped = "AWS not read (--no-aws), " if args.no_aws else ""
    print(
        f"efs-doctor: wrote {len(written)} files to {directory} "
        f"({skipped}{len(collection.inconclusive)} not checked, see SNAPSHOT.md)",
        file=sys.stderr,
    )
    return exit_status(usable=True, found=0)
