"""Export what efs-doctor knows as configuration for other tools.

  admission-policy PATH...   Kubernetes admission policies that stop an EFS volume which
                             will not mount under its file system's policy before it exists:
                             a PersistentVolume (every volumeHandle form) or an access point
                             StorageClass of a file system whose policy admits only IAM
                             principals, without `iam` in mountOptions (AUTH001), or of one
                             whose policy denies clients without TLS, with TLS turned off
                             (AUTH004). Native ValidatingAdmissionPolicy + binding (Kubernetes
                             1.30+) by default, Kyverno ValidatingPolicy with --format kyverno.
                             The bindings warn and audit; --deny refuses the object.

The file systems are read from the file system policies among PATHs (and the live account
with --live); regenerate the policy when one changes. Exit 0 when the policy was written; 2
on a usage error or when nothing could be loaded.

examples:
  efs-doctor export admission-policy examples/seed-incident | kubectl apply -f -
  efs-doctor export admission-policy --live --deny --format kyverno
"""

from __future__ import annotations

import argparse

from efs_doctor.commands.live_args import add_live_arguments


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(
        dest="export_command", metavar="WHAT", required=True, parser_class=type(parser)
    )
    admission = sub.add_parser(
        "admission-policy",
        help="admission policies that refuse EFS volumes their file system policy refuses",
        description="Write admission policies (YAML) that warn about and audit, or with --deny "
        "refuse, PersistentVolumes and access point StorageClasses whose mount the file "
        "system policy refuses: without iam where it admits only IAM principals, without TLS "
        "where it denies clients without TLS.",
    )
    admission.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories; - is stdin"
    )
    admission.add_argument(
        "--live",
        action="store_true",
        help="also read the live account's file system policies, read-only",
    )
    admission.add_argument(
        "--format",
        choices=("vap", "kyverno"),
        default="vap",
        help="vap: ValidatingAdmissionPolicy + ValidatingAdmissionPolicyBinding (default); "
        "kyverno: Kyverno ValidatingPolicy (policies.kyverno.io/v1)",
    )
    admission.add_argument(
        "--deny",
        action="store_true",
        help="refuse the object (validationActions Deny, Audit) instead of warning",
    )
    admission.add_argument("--output", "-o", metavar="FILE", help="write the policy to FILE")
    add_live_arguments(admission)


def run(args: argparse.Namespace) -> int:
    import sys

    from efs_doctor import __version__
    from efs_doctor.api import load_inventory
    from efs_doctor.api.admission import admission_facts
    from efs_doctor.errors import EXIT_OK, UsageError, exit_status, internal_step
    from efs_doctor.report import admission_policy
    from efs_doctor.report.problems import print_problems

    if not args.paths and not args.live:
        raise UsageError("give PATH... with the file system policies, or --live")
    if args.live:
        from efs_doctor.commands.live_args import collect_inventory_live, report_collection
        from efs_doctor.sources.loader import load_paths

        collection, inventory = collect_inventory_live(args)
        report_collection(collection, args.verbose)
        if args.paths:
            load_paths(args.paths, inventory)
        inputs = ["--live", *args.paths]
    else:
        inventory = load_inventory(args.paths)
        inputs = list(args.paths)
    print_problems(inventory.problems, verbose=args.verbose)
    if inventory.is_empty:
        print("efs-doctor: no usable input", file=sys.stderr)
        return exit_status(usable=False, found=0)
    with internal_step("the admission policy export"):
        facts = admission_facts(inventory)
        text = admission_policy.render(
            facts, inputs, __version__, kyverno=args.format == "kyverno", deny=args.deny
        )
    for requirement in facts.undecided:
        print(
            f"efs-doctor export: {requirement.file_system_id} not guarded: "
            f"{requirement.policy_source}",
            file=sys.stderr,
        )
    if not facts.iam_file_systems and not facts.tls_file_systems:
        print(
            "efs-doctor export: no file system policy among the inputs needs iam or TLS; "
            "the policies written check nothing",
            file=sys.stderr,
        )
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return EXIT_OK
