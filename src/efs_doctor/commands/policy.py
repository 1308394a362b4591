"""Lint and simulate Amazon EFS file system policies the way EFS evaluates them for NFS clients.

  check FILE...       EFS-specific problems (exit 1): condition keys EFS does not enforce,
                      private aws:SourceIp ranges, Allow statements without ClientMount,
                      Deny-only and public policies, unknown actions and keys, console
                      presets, size over 20,000 characters. A file that cannot be read or
                      breaks the policy grammar is reported on stderr (file:line:col); exit 2
                      when every file is.
  simulate FILE       the decision for ClientMount, ClientWrite and ClientRootAccess with the
                      statements behind it, and the effective access. Exit 0 when ClientMount
                      is allowed, 1 when it is denied or cannot be decided, 2 on bad input.
                      Without --identity-policy, a decision that depends on the principal's
                      identity policies (same account, not named by the file system policy)
                      is indeterminate.

FILE is a policy document, or what `aws efs describe-file-system-policy` saved (including the
PolicyNotFound error, which means the EFS default policy applies).

examples:
  efs-doctor policy check examples/seed-incident/aws/file-system-policy.json
  efs-doctor policy simulate examples/seed-incident/aws/file-system-policy.json \\
      --principal anonymous
  efs-doctor policy simulate policy.json --principal arn:aws:iam::111122223333:role/app \\
      --identity-policy role-policy.json --format json
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(
        dest="policy_command", metavar="SUBCOMMAND", required=True, parser_class=type(parser)
    )
    check = sub.add_parser(
        "check",
        help="lint file system policies",
        description="Lint EFS file system policies: EFS-specific problems, each with its "
        "file:line:col and a fix (exit 1); exit 0 when clean. A file that cannot be read or "
        "breaks the policy grammar is reported on stderr (file:line:col); exit 2 when every "
        "file is.",
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="policy files; - is stdin")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument(
        "--identity",
        action="store_true",
        help="the files are identity policies, not file system policies",
    )

    simulate = sub.add_parser(
        "simulate",
        help="decide ClientMount/ClientWrite/ClientRootAccess for one client",
        description="Decide ClientMount, ClientWrite and ClientRootAccess for one NFS client as "
        "EFS does, with the statements behind each decision and the effective access. Exit 0 "
        "when ClientMount is allowed, 1 when denied or indeterminate, 2 on bad input.",
    )
    simulate.add_argument("file", metavar="FILE", help="the file system policy; - is stdin")
    simulate.add_argument(
        "--principal",
        required=True,
        metavar="ARN|anonymous",
        help="anonymous (mount without the iam option) or the IAM role/user/session ARN",
    )
    simulate.add_argument(
        "--session-arn", metavar="ARN", help="the role session EFS sees (assumed-role ARN)"
    )
    simulate.add_argument(
        "--tls",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="mount with TLS (default: yes, as the CSI driver does)",
    )
    simulate.add_argument("--access-point", metavar="ARN", help="access point ARN (needs TLS)")
    simulate.add_argument(
        "--identity-policy",
        action="append",
        default=[],
        metavar="FILE",
        help="an identity policy of the principal (repeatable); those given are taken as all "
        "of its policies, and without any a decision that depends on them is indeterminate",
    )
    simulate.add_argument(
        "--account",
        metavar="ID",
        help="account that owns the file system (default: from the file system ARN)",
    )
    simulate.add_argument(
        "--file-system",
        metavar="ARN|ID",
        help="file system ARN, or ID with --account and --region (default: from the policy)",
    )
    simulate.add_argument("--region", metavar="REGION", help="region of the file system")
    simulate.add_argument("--source-ip", metavar="IP", help="client address as EFS sees it")
    simulate.add_argument(
        "--not-via-mount-target",
        action="store_true",
        help="the client does not come through a mount target",
    )
    simulate.add_argument(
        "--action",
        action="append",
        default=[],
        metavar="ACTION",
        help="also decide this elasticfilesystem action (repeatable)",
    )
    simulate.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    if args.policy_command == "check":
        return _check(args)
    return _simulate(args)


def _print_errors(lines: Sequence[str]) -> None:
    import sys

    for line in lines:
        print(line, file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    import json
    import sys

    from efs_doctor.api.policy import check_policies
    from efs_doctor.errors import exit_status
    from efs_doctor.report.policy import check_json, finding_line

    checked = check_policies(args.files, identity=args.identity)
    _print_errors(checked.error_lines)
    if args.format == "json":
        results = [(p.path, p.findings, p.errors, p.note) for p in checked.files]
        json.dump(check_json(results), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for policy in checked.files:
            if policy.note is not None:
                print(f"{policy.path}: {policy.note}")
            for finding in policy.findings:
                print(finding_line(finding, policy.path))
        files = len(checked.files)
        print(
            f"{checked.counted} finding(s) in {files} file(s)"
            if checked.counted
            else f"no findings in {files} file(s)"
        )
    return exit_status(usable=checked.usable, found=checked.counted)


def _simulate(args: argparse.Namespace) -> int:
    import json
    import sys

    from efs_doctor.api.policy import PolicyInputError, SimulationRequest, simulate_policy
    from efs_doctor.errors import exit_status
    from efs_doctor.report.policy import simulation_json, simulation_text

    request = SimulationRequest(
        policy_file=args.file,
        principal=args.principal,
        session_arn=args.session_arn,
        tls=args.tls,
        access_point=args.access_point,
        identity_policy_files=tuple(args.identity_policy),
        account=args.account,
        file_system=args.file_system,
        region=args.region,
        source_ip=args.source_ip,
        via_mount_target=not args.not_via_mount_target,
        actions=tuple(args.action),
    )
    try:
        simulation = simulate_policy(request)
    except PolicyInputError as error:
        _print_errors(error.lines)
        return exit_status(usable=False, found=0)
    evaluation, file_system = simulation.evaluation, simulation.file_system
    source = simulation.policy_source
    if args.format == "json":
        document = simulation_json(evaluation, file_system=file_system, policy_source=source)
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(simulation_text(evaluation, file_system=file_system, policy_source=source))
    # ClientMount denied, or undecided (None): the mount is not known to succeed
    return exit_status(usable=True, found=simulation.evaluation.access.mount is not True)
