"""Command-line entry point: argument parsing, exit codes and wiring only.

Every subcommand lives in ``efs_doctor.commands.<name>`` and exposes ``configure(parser)``
and ``run(args) -> int``. Command modules keep their top level import-light (argparse and
typing only) so that ``--help`` and ``--version`` stay fast; each imports what it needs in
``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol, cast

from efs_doctor import __version__
from efs_doctor.errors import EXIT_INTERNAL, EXIT_USAGE, InternalError, UsageError

# (name, module, one-line help). Order is the order shown in --help.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    (
        "inventory",
        "efs_doctor.commands.inventory",
        "show what was loaded and the resolved mount chains",
    ),
    (
        "explain",
        "efs_doctor.commands.explain",
        "explain an error message: ranked root causes and the checks that tell them apart",
    ),
    (
        "simulate",
        "efs_doctor.commands.simulate",
        "simulate the mount of each EFS volume: will it mount, with what access, and if not why",
    ),
    ("policy", "efs_doctor.commands.policy", "lint and simulate EFS file system policies"),
    ("scan", "efs_doctor.commands.scan", "find what stops EFS volumes mounting, with fixes"),
    ("rules", "efs_doctor.commands.rules", "list the rules scan applies"),
    ("rule", "efs_doctor.commands.rule", "print one rule's documentation"),
    (
        "snapshot",
        "efs_doctor.commands.snapshot",
        "save the live cluster's and AWS account's EFS state as files (read-only)",
    ),
    (
        "permissions",
        "efs_doctor.commands.permissions",
        "print the read-only IAM policy and ClusterRole live mode needs",
    ),
    (
        "diagnose",
        "efs_doctor.commands.diagnose",
        "diagnose EFS mounts in the live cluster: verdict, mount path, cause and fix",
    ),
    (
        "export",
        "efs_doctor.commands.export",
        "export admission policies that refuse EFS volumes their file system policy refuses",
    ),
)

DESCRIPTION = """\
efs-doctor tells whether an Amazon EFS volume will mount in your Kubernetes pods,
with what access (read-only or read-write, root or squashed, as which principal),
and if not, exactly why and how to fix it.

Inputs are any mix of files and directories: Kubernetes manifests (YAML/JSON,
multi-document, `kubectl get -o yaml|json` lists, Helm output on stdin as `-`),
saved AWS CLI `--output json` results and IAM policy documents.
"""

EPILOG = """\
exit codes: 0 nothing to report at or above the threshold; 1 something found (findings
            or an undecided check, a failed or indeterminate mount, ranked causes, a
            denied or undecided mount, lint findings); 2 usage error or no usable input
            (a bad file beside usable ones is only a line on stderr); 3 internal error
            (a bug in efs-doctor: one line on stderr; -v shows the traceback).

examples:
  efs-doctor inventory examples/seed-incident
  kubectl get pv,pvc,sc,pods -A -o yaml | efs-doctor inventory -
"""


class _Command(Protocol):
    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser(prog: str = "efs-doctor", only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or with ``only`` of that command alone: the others are
    listed by name and help (all the top-level ``--help`` and its errors show of them), and
    their modules are not imported (a tenth of the start-up of a 500-file scan: issue 22)."""
    parser = _Parser(
        prog=prog,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"efs-doctor {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more detail on stderr (repeatable)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module_name, help_text in COMMANDS:
        if only is not None and name != only:
            sub.add_parser(name, help=help_text)
            continue
        module = cast(_Command, importlib.import_module(module_name))
        command_parser = sub.add_parser(
            name,
            help=help_text,
            description=(module.__doc__ or help_text).strip(),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.configure(command_parser)
        command_parser.set_defaults(_command=module)
    return parser


def kubectl_main() -> int:
    """The ``kubectl-efs_doctor`` console script: kubectl runs it for ``kubectl efs-doctor``
    (a dash typed after ``kubectl`` is an underscore in the plugin's file name:
    https://kubernetes.io/docs/tasks/extend-kubectl/kubectl-plugins/), passing the rest of the
    command line and the environment unchanged. Usage lines then read ``kubectl efs-doctor``."""
    return main(prog="kubectl efs-doctor")


def main(argv: Sequence[str] | None = None, prog: str = "efs-doctor") -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--version"]:
        # Fast path: no subcommand modules imported.
        print(f"efs-doctor {__version__}")
        return 0
    parser = build_parser(prog, only=_command_named(arguments))
    args = parser.parse_args(arguments)
    command = getattr(args, "_command", None)
    if command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from efs_doctor.report.terminal import guard_output

    with guard_output():  # names from inputs never reach the terminal raw
        try:
            return int(command.run(args))
        except UsageError as exc:
            print(f"{prog} {args.command}: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            return 0
        except Exception as exc:  # a bug of ours: one line, exit 3, never a success
            return _internal_error(exc, args)


def _command_named(arguments: Sequence[str]) -> str | None:
    """The command ``arguments`` name: the first one that is not an option (the top-level
    options take no value), or None (no command: the top-level help)."""
    return next((argument for argument in arguments if not argument.startswith("-")), None)


def _internal_error(exc: Exception, args: argparse.Namespace) -> int:
    """Report a bug as contracts.md asks: ``internal error in <where>: <what>``, one line
    (after the traceback with -v). An exception no step named is the command's own."""
    error = (
        exc if isinstance(exc, InternalError) else InternalError(f"efs-doctor {args.command}", exc)
    )
    if args.verbose:
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    print(error, file=sys.stderr)
    return EXIT_INTERNAL
