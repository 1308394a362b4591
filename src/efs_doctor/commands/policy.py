"""Lint and simulate Amazon EFS file system policies the way EFS evaluates them for NFS clients.

  check FILE...       grammar errors (exit 2) and EFS-specific problems (exit 1): condition
                      keys EFS does not enforce, private aws:SourceIp ranges, Allow statements
                      without ClientMount, Deny-only and public policies, unknown actions and
                      keys, console presets, size over 20,000 characters.
  simulate FILE       the decision for ClientMount, ClientWrite and ClientRootAccess with the
                      statements behind it, and the effective access. Exit 0 when ClientMount
                      is allowed, 1 when it is denied or cannot be decided, 2 on bad input.

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
from typing import Any


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(
        dest="policy_command", metavar="SUBCOMMAND", required=True, parser_class=type(parser)
    )
    check = sub.add_parser(
        "check",
        help="lint file system policies",
        description="Lint EFS file system policies: grammar errors (exit 2) and EFS-specific "
        "problems, each with its file:line:col and a fix (exit 1); exit 0 when clean.",
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
        help="an identity policy of the principal (repeatable)",
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


class _BadInput(Exception):
    """One ``file:line:col: problem`` line; the command exits 2."""


def _read(path: str) -> tuple[str, str]:
    from efs_doctor.model.problems import InputProblem
    from efs_doctor.sources.files import read_input

    problems: list[InputProblem] = []
    found = read_input(path, problems)
    if found is None:
        raise _BadInput(str(problems[0]) if problems else f"{path}: cannot read")
    return found.path, found.text


def _load(path: str, kind: str) -> tuple[str, Any]:
    """(display path, PolicyInput); raises _BadInput on unreadable or non-JSON input."""
    from efs_doctor.engine.iam.documents import read_policy_input
    from efs_doctor.engine.iam.parsed import PolicyTextError

    display, text = _read(path)
    try:
        return display, read_policy_input(text, kind=kind, path=display)  # type: ignore[arg-type]
    except PolicyTextError as bad:
        raise _BadInput(f"{display}:{bad.line}:{bad.column}: {bad.message}") from None


def _print_errors(lines: list[str]) -> None:
    import sys

    for line in lines:
        print(line, file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    import json
    import sys

    from efs_doctor.engine.iam import lint_policy
    from efs_doctor.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK
    from efs_doctor.report.policy import check_json, finding_line

    kind = "identity" if args.identity else "resource"
    bad = False
    counted = 0
    results: list[Any] = []
    out: list[str] = []
    for path in args.files:
        try:
            display, loaded = _load(path, kind)
        except _BadInput as error:
            _print_errors([str(error)])
            bad = True
            continue
        if loaded.parsed is None:
            note = "the file system has no policy (PolicyNotFound): the EFS default policy applies"
            results.append((display, [], [], note))
            out.append(f"{display}: {note}")
            continue
        parsed = loaded.parsed
        if parsed.errors:
            _print_errors([problem.format(display) for problem in parsed.errors])
            bad = True
        findings = lint_policy(parsed)
        counted += sum(1 for f in findings if f.severity != "info")
        results.append((display, findings, parsed.errors, None))
        out.extend(finding_line(f, display) for f in findings)
    if args.format == "json":
        json.dump(check_json(results), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for line in out:
            print(line)
        files = len(results)
        print(
            f"{counted} finding(s) in {files} file(s)"
            if counted
            else f"no findings in {files} file(s)"
        )
    if bad:
        return EXIT_INPUT
    return EXIT_FINDINGS if counted else EXIT_OK


def _file_system_arn(args: argparse.Namespace, loaded: Any) -> str:
    """--file-system, else the one file system ARN the policy names, else a placeholder."""
    from efs_doctor.engine.iam.wildcard import has_wildcard
    from efs_doctor.errors import UsageError

    region = args.region
    if args.file_system:
        if args.file_system.startswith("arn:"):
            return str(args.file_system)
        if not (region and args.account):
            raise UsageError("--file-system with an ID needs --region and --account")
        return f"arn:aws:elasticfilesystem:{region}:{args.account}:file-system/{args.file_system}"
    parsed = loaded.parsed
    found: list[str] = []
    if parsed is not None:
        for statement in parsed.policy.statements:
            for resource in statement.resources:
                parts = resource.split(":", 5)
                if (
                    len(parts) == 6
                    and parts[2] == "elasticfilesystem"
                    and parts[5].startswith("file-system/")
                    and not has_wildcard(resource)
                    and resource not in found
                ):
                    found.append(resource)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise UsageError(
            "the policy names several file systems; choose one with --file-system: "
            + ", ".join(found)
        )
    account = args.account or _principal_account(args.principal) or "111122223333"
    fs_id = loaded.file_system_id or "fs-00000000000000000"
    return f"arn:aws:elasticfilesystem:{region or 'us-east-1'}:{account}:file-system/{fs_id}"


def _principal_account(principal: str) -> str | None:
    parts = principal.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else None


def _simulate(args: argparse.Namespace) -> int:
    import json
    import sys

    from efs_doctor.engine.iam import CLIENT_ACTIONS, NfsRequest, evaluate_client_access
    from efs_doctor.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, UsageError
    from efs_doctor.report.policy import simulation_json, simulation_text

    try:
        display, loaded = _load(args.file, "resource")
        identities = [_load(path, "identity") for path in args.identity_policy]
    except _BadInput as error:
        _print_errors([str(error)])
        return EXIT_INPUT
    errors = []
    if loaded.parsed is not None:
        errors += [p.format(display) for p in loaded.parsed.errors]
    for shown, identity in identities:
        if identity.parsed is None:
            errors.append(f"{shown}: not an identity policy")
        else:
            errors += [p.format(shown) for p in identity.parsed.errors]
    if errors:
        _print_errors(errors)
        return EXIT_INPUT
    file_system = _file_system_arn(args, loaded)
    if args.account and file_system.split(":")[4] != args.account:
        raise UsageError(f"--account {args.account} contradicts the file system ARN {file_system}")
    actions = list(CLIENT_ACTIONS) + [a for a in args.action if a not in CLIENT_ACTIONS]
    try:
        request = NfsRequest(
            file_system,
            principal=args.principal,
            session_arn=args.session_arn,
            secure_transport=args.tls,
            access_point_arn=args.access_point,
            accessed_via_mount_target=not args.not_via_mount_target,
            source_ip=args.source_ip,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    evaluation = evaluate_client_access(
        loaded.parsed, True, [identity.parsed for _, identity in identities], request, actions
    )
    source = display if loaded.parsed is not None else None
    if args.format == "json":
        document = simulation_json(evaluation, file_system=file_system, policy_source=source)
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(simulation_text(evaluation, file_system=file_system, policy_source=source))
    return EXIT_OK if evaluation.access.mount else EXIT_FINDINGS
