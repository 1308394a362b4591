"""List the rules `efs-doctor scan` applies: code, slug, default severity and confidence,
area and summary, in registry order. `efs-doctor rule CODE` prints one rule's documentation.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    import sys

    from efs_doctor.findings import docs_command
    from efs_doctor.rules import REGISTRY

    if args.format == "json":
        import json

        rows = [
            {
                "code": r.code,
                "slug": r.slug,
                "area": r.area,
                "severity": r.meta.severity.value,
                "confidence": r.meta.confidence.value,
                "summary": r.meta.summary,
                "needs": list(r.meta.needs),
                "docs": docs_command(r.code),
            }
            for r in REGISTRY
        ]
        json.dump({"schema_version": 1, "rules": rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max(len(r.slug) for r in REGISTRY)
    area = None
    for rule in REGISTRY:
        if rule.area != area:
            area = rule.area
            sys.stdout.write(f"{'' if rule is REGISTRY[0] else chr(10)}{area}\n")
        sys.stdout.write(
            f"  {rule.code:<7} {rule.slug:<{width}}  {rule.meta.severity.value:<8} "
            f"{rule.meta.summary}\n"
        )
    return 0
