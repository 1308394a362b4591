"""The loader's entry to IaC inputs: recognise a Terraform plan/state or a CloudFormation
template by content and hand it to its reader. The readers are imported only when an input
is one of these, so loading Kubernetes and AWS CLI files costs nothing more."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import InputProblem
from efs_doctor.sources.documents import Document


def parse_iac_text(path: str, text: str, problems: list[InputProblem]) -> Iterator[Document] | None:
    """Documents of a YAML CloudFormation template (short-form intrinsics such as ``!Ref``
    parse only here); None for every other text, which takes the normal path."""
    from efs_doctor.sources.iac.cfn_yaml import looks_like_yaml_template, parse_template_yaml

    if not looks_like_yaml_template(text):
        return None
    return parse_template_yaml(path, text, problems)


# The top-level keys add_iac_document looks at: a mapping with none of them is no IaC input.
IAC_KEYS = frozenset({"kind", "format_version", "artifacts", "Resources"})


def add_iac_document(document: Document, inventory: Inventory) -> bool:
    """Add a Terraform plan/state, a CloudFormation template or an eksctl ClusterConfig;
    False for anything else."""
    data: Any = document.data
    if not isinstance(data, Mapping) or IAC_KEYS.isdisjoint(data):
        return False
    if data.get("kind") == "ClusterConfig":
        from efs_doctor.sources.eksctl import add_eksctl_document, is_eksctl_config

        if is_eksctl_config(data):
            add_eksctl_document(document, inventory)
            return True
    if "format_version" in data:
        from efs_doctor.sources.terraform import add_terraform_document, is_terraform

        if is_terraform(data):
            add_terraform_document(document, inventory)
            return True
    if isinstance(data.get("artifacts"), Mapping) and "version" in data:
        from efs_doctor.model.problems import ProblemLevel

        inventory.problems.append(
            InputProblem(
                document.source.location(),
                "CDK cloud assembly manifest: read for its stacks' account and region",
                ProblemLevel.DEBUG,
            )
        )
        return True
    if "Resources" in data:
        from efs_doctor.sources.cloudformation import add_template_document, is_template

        if is_template(data):
            add_template_document(document, inventory)
            return True
    return False
