"""Explain an EFS mount error: the ranked root causes and the checks that tell them apart.

Give the text as --error, --error-file, or on stdin ('-' or a pipe): a whole `kubectl describe
pod` output, one FailedMount event, an efs-utils mount.log excerpt or a CSI driver log. Every
distinct error in it is explained. Optional PATHs (manifests, file system policies, saved AWS
CLI output: the same inputs as `scan`) add context that confirms or rules out causes.

examples:
  efs-doctor explain --error "$(kubectl describe pod web-0)"
  kubectl describe pod web-0 | efs-doctor explain
  efs-doctor explain --error-file event.txt examples/seed-incident --format json

exit status: 0 no known cause matches the text; 1 causes ranked; 2 usage error (no error
text); 3 internal error (a bug in efs-doctor). PATHs that cannot be read are lines on
stderr: the text is still explained, with what could be read as context.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="context: manifests, policies, saved AWS state; '-' reads the error text from stdin",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--error", metavar="TEXT", help="the error text")
    source.add_argument("--error-file", metavar="FILE", help="read the error text from FILE")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _read_text(args: argparse.Namespace) -> str:
    import sys

    from efs_doctor.errors import UsageError

    from_stdin = "-" in args.paths
    if from_stdin and (args.error is not None or args.error_file is not None):
        raise UsageError("give the error text once: --error, --error-file or '-'")
    if args.error is not None:
        return str(args.error)
    if args.error_file is not None:
        try:
            with open(args.error_file, encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError as exc:
            raise UsageError(f"cannot read {args.error_file}: {exc.strerror}") from exc
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.read()
    raise UsageError("no error text: use --error TEXT, --error-file FILE, or pipe it in ('-')")


def run(args: argparse.Namespace) -> int:
    import sys

    from efs_doctor.api.explain import explain_error
    from efs_doctor.errors import UsageError, exit_status
    from efs_doctor.report.explain import context_line, render_text

    text = _read_text(args)
    if not text.strip():
        raise UsageError("the error text is empty")
    context_paths = [path for path in args.paths if path != "-"]
    inventory = None
    if context_paths:
        from efs_doctor.api import load_inventory
        from efs_doctor.report.problems import print_problems

        # the files a user gives to explain one error describe one set-up
        inventory = load_inventory(context_paths, one_context=True)
        print_problems(inventory.problems, verbose=args.verbose)
        if inventory.is_empty:
            print("efs-doctor explain: no usable context in PATH; text only", file=sys.stderr)
            inventory = None
    explanation, context = explain_error(text, inventory)
    if args.format == "json":
        import json

        json.dump(explanation.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        line = context_line(context_paths, context) if context is not None else None
        sys.stdout.write(render_text(explanation, line))
    return exit_status(usable=True, found=len(explanation.causes))
