"""The options of commands that read files for Kustomize and Helm rendering (issue 15)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from efs_doctor.sources.render import RenderOptions

RENDERING = """\
A directory holding kustomization.yaml (or .yml, or Kustomization) is rendered with the real
kustomize (kubectl kustomize, or kustomize build), each root overlay a context of its own;
a directory holding Chart.yaml is rendered with helm template (or the Helm library). Patches
and templates are never read as objects. Install the renderers with
pip install 'efs-doctor[render]'; without one, each unit is one line and the scan is
incomplete (exit 1)."""


def add_render_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("rendering Kustomize and Helm", RENDERING)
    group.add_argument(
        "--no-render",
        action="store_true",
        help="read Kustomize and Helm directories as plain files (run no renderer)",
    )
    group.add_argument(
        "--allow-network",
        action="store_true",
        help="let kustomize fetch remote bases (URLs, git); refused by default",
    )
    group.add_argument(
        "--values",
        action="append",
        default=[],
        metavar="FILE",
        help="Helm values file for every chart, after the chart's own (repeatable)",
    )
    group.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="set_values",
        help="Helm value override, as helm template --set (repeatable)",
    )


def render_options(args: argparse.Namespace) -> RenderOptions:
    from efs_doctor.errors import UsageError
    from efs_doctor.sources.render import RenderOptions

    for value in args.set_values:
        if "=" not in value:
            raise UsageError(f"--set {value}: expected KEY=VALUE")
    for path in args.values:
        import os

        if not os.path.isfile(path):
            raise UsageError(f"--values {path}: no such file")
    return RenderOptions(
        enabled=not args.no_render,
        allow_network=args.allow_network,
        helm_values=tuple(args.values),
        helm_set=tuple(args.set_values),
    )
