"""Print the least-privilege permissions live mode needs: an IAM policy and a ClusterRole.

`snapshot`, `diagnose` and `scan --live` only read: Describe/List/Get calls on EFS, EC2,
IAM and EKS, and `list` on a few Kubernetes resources. The policy and the role printed here
are exactly the calls they make (a test keeps them equal). Without some of them the run
still completes and says what it could not check and which permission was missing.
See docs/permissions.md.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "what",
        nargs="?",
        choices=("all", "iam", "kubernetes"),
        default="all",
        help="iam: the IAM policy JSON; kubernetes: the ClusterRole YAML; all: both (default)",
    )


def run(args: argparse.Namespace) -> int:
    import sys

    from efs_doctor.errors import EXIT_OK
    from efs_doctor.sources.live_permissions import (
        CLUSTER_ROLE_FILE,
        IAM_POLICY_FILE,
        read_data,
    )

    if args.what == "iam":
        sys.stdout.write(read_data(IAM_POLICY_FILE))
    elif args.what == "kubernetes":
        sys.stdout.write(read_data(CLUSTER_ROLE_FILE))
    else:
        sys.stdout.write("# IAM policy (attach to the identity that runs efs-doctor)\n")
        sys.stdout.write(read_data(IAM_POLICY_FILE))
        sys.stdout.write("\n# Kubernetes ClusterRole (bind it to the user that runs efs-doctor)\n")
        sys.stdout.write(read_data(CLUSTER_ROLE_FILE))
    return EXIT_OK
