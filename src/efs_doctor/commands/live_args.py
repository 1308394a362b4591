"""Options shared by the commands that read a live cluster and AWS account.

Not a command itself: ``snapshot``, ``diagnose`` and ``scan --live`` call
:func:`add_live_arguments` in ``configure`` and :func:`collect_live` in ``run``. The top
level stays import-light (argparse only); boto3 and lightkube load when collecting.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from efs_doctor.findings import Inconclusive as FindingInconclusive
    from efs_doctor.model.inventory import Inventory
    from efs_doctor.sources.live import LiveOptions
    from efs_doctor.sources.live_records import Collection


def add_live_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("live cluster and AWS account (read-only)")
    group.add_argument(
        "--kubeconfig", metavar="FILE", help="kubeconfig file (default: KUBECONFIG, ~/.kube/config)"
    )
    group.add_argument("--context", metavar="NAME", help="kubeconfig context (default: current)")
    group.add_argument("--profile", metavar="NAME", help="AWS profile (default credential chain)")
    group.add_argument("--region", metavar="REGION", help="AWS region (default: from AWS config)")
    group.add_argument(
        "--cluster",
        metavar="NAME",
        help="EKS cluster name (default: from the kubeconfig or the nodes' instance tags)",
    )
    group.add_argument(
        "--no-aws", action="store_true", help="read only Kubernetes; AWS state stays unknown"
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="per-request timeout (default: 30)",
    )


def require_live_extra(no_aws: bool) -> None:
    """Before anything starts: a usage error (exit 2) naming the install command if the
    ``live`` extra's modules are missing (with --no-aws, only the Kubernetes client's)."""
    from efs_doctor.extras import require

    require("live", ("lightkube", "httpx2"), needed_for="live mode")
    if not no_aws:
        require(
            "live",
            ("boto3",),
            needed_for="reading the AWS account",
            otherwise="or pass --no-aws to read only Kubernetes",
        )


def live_options(args: argparse.Namespace) -> LiveOptions:
    from efs_doctor.errors import UsageError

    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    require_live_extra(args.no_aws)

    from efs_doctor.sources.aws_live import AwsOptions
    from efs_doctor.sources.k8s_live import KubeOptions
    from efs_doctor.sources.live import LiveOptions

    return LiveOptions(
        kube=KubeOptions(kubeconfig=args.kubeconfig, context=args.context, timeout=args.timeout),
        aws=AwsOptions(
            profile=args.profile,
            region=args.region,
            cluster=args.cluster,
            read_timeout=args.timeout,
        ),
        use_aws=not args.no_aws,
    )


def collect_live(args: argparse.Namespace) -> Collection:
    """Collect with the command line's options, showing progress on a terminal."""
    from efs_doctor.sources.live import collect
    from efs_doctor.sources.live_progress import Progress

    return collect(live_options(args), Progress())


def collect_inventory_live(args: argparse.Namespace) -> tuple[Collection, Inventory]:
    """Collect and build the inventory (``diagnose``, ``scan --live``)."""
    from efs_doctor.sources.live import collect_inventory
    from efs_doctor.sources.live_progress import Progress

    return collect_inventory(live_options(args), Progress())


def report_collection(collection: Collection, verbose: int) -> None:
    """What could not be read (always) and how many requests were made (with -v), on stderr."""
    import sys

    for item in collection.inconclusive:
        print(f"efs-doctor: not checked: {item}", file=sys.stderr)
    if verbose:
        print(
            f"efs-doctor: {collection.calls.count('kubernetes')} Kubernetes lists, "
            f"{collection.calls.count('aws')} AWS requests",
            file=sys.stderr,
        )


def scan_live_inventory(
    args: argparse.Namespace,
) -> tuple[Inventory, tuple[FindingInconclusive, ...]]:
    """``scan --live``: the live inventory plus any PATHs, and what could not be read as
    scan Inconclusive entries (code ``live``)."""
    from efs_doctor.findings import Inconclusive
    from efs_doctor.sources.loader import load_paths

    collection, inventory = collect_inventory_live(args)
    if args.paths:
        load_paths(args.paths, inventory)
    inconclusive = tuple(
        Inconclusive(
            "live",
            item.what,
            item.reason
            + (f" (needs {item.missing_permission})" if item.missing_permission else ""),
        )
        for item in collection.inconclusive
    )
    return inventory, inconclusive
