"""Check Kubernetes manifests and saved AWS state for everything that stops an Amazon EFS
volume from mounting, or mounts it with the wrong access, and say how to fix it.

Every finding names the file and line at fault, the error the mount will show, related
locations (the policy statement that denies, the security group that blocks) and, where
one is known, a fix. `--diff` prints the fixes as unified diffs; `--fix` applies the safe
ones (`--unsafe-fixes` also those that may widen access) and scans again.

Exit status: 0 no finding at or above the threshold and every check decided; 1 findings, or
a check that could not decide (an inconclusive of a rule at or above the threshold; with
--live, something that could not be read); 2 usage error or no usable input (a bad file
beside usable ones is only a line on stderr); 3 internal error (a bug in efs-doctor).
Suppress a finding with the annotation `efs-doctor.io/ignore: "<code-or-slug>: <reason>"`
on the Kubernetes object; suppressions are counted in the summary.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from efs_doctor.commands.live_args import add_live_arguments
from efs_doctor.commands.render_args import add_render_arguments
from efs_doctor.commands.scan_settings import add_settings_arguments, apply_settings

if TYPE_CHECKING:
    from efs_doctor.config import Config
    from efs_doctor.findings import Report

FORMATS = ("text", "json", "sarif", "markdown")
# Kubernetes policy report objects for `kubectl apply -f -` (report/policy_reports.py).
POLICY_REPORT_FORMATS = ("openreports", "policyreport")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; - is stdin")
    parser.add_argument(
        "--live",
        action="store_true",
        help="also read the live cluster and AWS account, read-only (efs-doctor permissions)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS + POLICY_REPORT_FORMATS,
        default="text",
        help="output format (openreports, policyreport: Kubernetes report objects as YAML)",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="only these rules: codes, code prefixes (AUTH) or slugs, comma-separated",
    )
    parser.add_argument(
        "--ignore", action="append", metavar="CODES", help="skip these rules (same forms)"
    )
    parser.add_argument(
        "--min-severity",
        default="low",
        choices=("critical", "high", "medium", "low", "info"),
        help="report findings of this severity or worse (default: low)",
    )
    parser.add_argument(
        "--min-confidence",
        default="low",
        choices=("high", "medium", "low"),
        help="report findings of this confidence or better (default: low)",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--fix", action="store_true", help="apply the fixes, then scan again")
    group.add_argument("--diff", action="store_true", help="print the fixes as unified diffs")
    parser.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix/--diff, include fixes that may widen access",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour text output (auto: on a terminal, unless NO_COLOR is set)",
    )
    add_render_arguments(parser)
    add_live_arguments(parser)
    add_settings_arguments(parser)  # last: it reads the flags above


def run(args: argparse.Namespace) -> int:
    import sys

    from efs_doctor import fixes
    from efs_doctor.api import analyze, load_inventory
    from efs_doctor.commands.render_args import render_options
    from efs_doctor.config import Config, split_selectors
    from efs_doctor.errors import UsageError, exit_status, internal_step
    from efs_doctor.findings import Confidence, Report, Severity
    from efs_doctor.report.problems import print_problems

    effective = apply_settings(args)  # the configuration file, under the flags
    if args.show_config:
        sys.stdout.write(effective.text())
        return 0
    config = Config(
        select=split_selectors(args.select),
        ignore=split_selectors(args.ignore),
        min_severity=Severity(args.min_severity),
        min_confidence=Confidence(args.min_confidence),
    )
    if config.select or config.ignore:  # the registry is imported later, while files load
        from efs_doctor.rules import REGISTRY

        unknown = config.unknown_selectors(REGISTRY)
        if unknown:
            raise UsageError(f"no rule matches {', '.join(unknown)} (see `efs-doctor rules`)")
    if args.unsafe_fixes and not (args.fix or args.diff):
        raise UsageError("--unsafe-fixes needs --fix or --diff")
    if not args.paths and not args.live:
        raise UsageError("give PATH... to scan files, or --live to scan the cluster")
    if args.live and args.fix:
        raise UsageError("--fix edits files; with --live use --diff")
    if args.fix and "-" in args.paths:
        raise UsageError(
            "--fix writes fixes back to the input files, and stdin (-) cannot be written "
            "back; use --diff to print them"
        )

    rendering = render_options(args)

    def scan() -> tuple[Report, bool]:
        if args.live:
            from efs_doctor.commands.live_args import scan_live_inventory

            inventory, live_inconclusive = scan_live_inventory(args)
        else:
            inventory = load_inventory(args.paths, for_analysis=True, render=rendering)
            live_inconclusive = ()
        print_problems(inventory.problems, verbose=args.verbose)
        if inventory.is_empty:
            return Report((), live_inconclusive, (), (), 0, 0), False
        report = analyze(inventory, config)
        if live_inconclusive:
            from dataclasses import replace

            report = replace(report, inconclusive=(*live_inconclusive, *report.inconclusive))
        return fixes.render_patches(report), True

    report, usable = scan()
    if not usable:
        print("efs-doctor: no usable input", file=sys.stderr)
        return exit_status(usable=False, found=0)
    if args.diff or args.fix:
        plan = fixes.plan(fixes.selected_fixes(report, unsafe=args.unsafe_fixes))
        for problem in plan.problems:
            print(f"efs-doctor: {problem}", file=sys.stderr)
        if args.diff:
            sys.stdout.write(plan.diff())
            return exit_status(usable=usable, found=_found(report, config))
        written = fixes.write(plan)
        for path in written:
            print(f"efs-doctor: wrote {path}", file=sys.stderr)
        print(
            f"efs-doctor: applied fixes for {len(plan.fixed)} finding(s); scanning again",
            file=sys.stderr,
        )
        skipped = [f for f in report.findings if f.fix and f.fix.safety.value == "unsafe"]
        if skipped and not args.unsafe_fixes:
            print(
                f"efs-doctor: {len(skipped)} unsafe fix(es) not applied (--unsafe-fixes)",
                file=sys.stderr,
            )
        report, usable = scan()
    with internal_step(f"the {args.format} renderer"):
        text = _render(report, args)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return exit_status(usable=usable, found=_found(report, config))


def _found(report: Report, config: Config) -> int:
    """What fails the scan: the findings shown, and the checks that could not decide, from
    rules at or above the severity threshold and every read live mode could not make (the
    scan is then incomplete, not clean: issue 9). A check that could not decide whether
    something below the threshold is wrong does not fail it."""
    from efs_doctor.rules import find_rule

    undecided = 0
    for item in report.inconclusive:
        rule = find_rule(item.code)
        if rule is None or rule.meta.severity.at_least(config.min_severity):
            undecided += 1
    return len(report.findings) + undecided


def _render(report: Report, args: argparse.Namespace) -> str:
    import os
    import sys

    if args.format in POLICY_REPORT_FORMATS:
        return _render_policy_reports(report, args.format)
    if args.format == "json":
        from efs_doctor.report import json as json_report

        return json_report.render(report)
    if args.format == "sarif":
        from efs_doctor.report import sarif
        from efs_doctor.rules import REGISTRY
        from efs_doctor.sources.repository import source_root

        return sarif.render(report, REGISTRY, source_root())
    if args.format == "markdown":
        from efs_doctor.report import markdown

        return markdown.render(report)
    from efs_doctor.report import text

    if args.color == "always":
        color = True
    elif args.color == "never" or args.output:
        color = False
    else:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return text.render(report, color=color)


def _render_policy_reports(report: Report, format_name: str) -> str:
    import time

    from efs_doctor.report import policy_reports
    from efs_doctor.report.policy_results import scan_results
    from efs_doctor.rules import REGISTRY

    results = scan_results(report, REGISTRY)
    return policy_reports.render(results, format_name, timestamp=int(time.time()))
