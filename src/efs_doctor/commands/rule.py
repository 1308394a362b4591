"""Print a rule's documentation (what it checks, why it breaks mounts, an example, what to
use instead, its limits, fix safety and references). CODE is a code such as AUTH001 or a
slug such as mount-anonymous-under-restrictive-policy.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", metavar="CODE", help="rule code or slug")


def run(args: argparse.Namespace) -> int:
    import sys

    from efs_doctor.errors import UsageError
    from efs_doctor.rules import find_rule
    from efs_doctor.rules.docs import rule_markdown

    rule = find_rule(args.code)
    if rule is None:
        raise UsageError(f"no rule {args.code!r} (see `efs-doctor rules`)")
    sys.stdout.write(rule_markdown(rule))
    return 0
