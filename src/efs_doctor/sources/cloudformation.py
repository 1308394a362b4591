"""CloudFormation and CDK templates (JSON, or YAML with short-form intrinsics), recognised by
content: a ``Resources`` mapping whose entries have a ``Type`` such as ``AWS::EFS::FileSystem``.

Resources become the AWS-CLI-shaped and Kubernetes documents the other loaders read
(``sources/iac/cfn_mapping.py``); ``Ref`` and ``Fn::GetAtt`` link them by logical id
(``sources/iac/cfn_resolve.py``). Locations name the logical id and point at its line in the
template. A ``cdk synth`` stack's account and region come from the cloud assembly's
``manifest.json`` beside the template.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.sources.documents import Document
from efs_doctor.sources.iac.cfn_mapping import MAPPERS, Template, kubernetes_resource
from efs_doctor.sources.iac.cfn_resolve import BadIntrinsic, Resolver
from efs_doctor.sources.iac.common import InventoryBuilder


def is_template(data: Any) -> bool:
    if not isinstance(data, Mapping):
        return False
    resources = data.get("Resources")
    if not isinstance(resources, Mapping) or not resources:
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    return any(
        isinstance(r, Mapping)
        and isinstance(r.get("Type"), str)
        and r["Type"].startswith(("AWS::", "Custom::"))
        for r in resources.values()
    )


def stack_environment(path: str | None) -> tuple[str | None, str | None]:
    """Account and region of a ``cdk synth`` stack: ``manifest.json`` of the cloud assembly
    beside the template names each stack's environment ``aws://<account>/<region>``
    (``unknown-account``/``unknown-region`` for environment-agnostic stacks)."""
    if not path or path in ("-", "<stdin>"):
        return None, None
    manifest = os.path.join(os.path.dirname(path), "manifest.json")
    try:
        with open(manifest, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None, None
    artifacts = data.get("artifacts") if isinstance(data, Mapping) else None
    for artifact in artifacts.values() if isinstance(artifacts, Mapping) else ():
        properties = artifact.get("properties") if isinstance(artifact, Mapping) else None
        template = properties.get("templateFile") if isinstance(properties, Mapping) else None
        environment = artifact.get("environment") if isinstance(artifact, Mapping) else None
        if template == os.path.basename(path) and isinstance(environment, str):
            account, _, region = environment.removeprefix("aws://").partition("/")
            return (
                account if account.isdigit() else None,
                region if region and not region.startswith("unknown") else None,
            )
    return None, None


def add_template_document(document: Document, inventory: Inventory) -> None:
    """Add every mapped resource of a template. Never raises for bad input."""
    data = document.data
    resources = data["Resources"]
    parameters = data.get("Parameters") if isinstance(data.get("Parameters"), Mapping) else {}
    mappings = data.get("Mappings") if isinstance(data.get("Mappings"), Mapping) else {}
    account, region = stack_environment(document.source.path)
    resolver = Resolver(
        document.source.path or "<stdin>", resources, parameters, mappings, account, region
    )
    builder = InventoryBuilder(inventory)
    template = Template(document, resolver, builder)
    mapped = 0
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping) or not isinstance(resource.get("Type"), str):
            template.problem(
                str(logical_id), "resource without a Type; skipped", ProblemLevel.WARNING
            )
            continue
        if not isinstance(resource.get("Properties", {}), Mapping):
            template.problem(
                str(logical_id), "Properties must be a mapping; skipped", ProblemLevel.WARNING
            )
            continue
        mapper = MAPPERS.get(resource["Type"])
        if resource["Type"].startswith("Custom::") and "Manifest" in resource.get("Properties", {}):
            mapper = kubernetes_resource
        if mapper is None:
            continue
        try:
            mapper(template, str(logical_id))
        except BadIntrinsic as error:
            template.problem(str(logical_id), f"{error}; resource skipped", ProblemLevel.ERROR)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
            template.problem(
                str(logical_id),
                f"could not be read ({type(error).__name__}: {error})",
                ProblemLevel.ERROR,
            )
        else:
            mapped += 1
    builder.finish()
    inventory.problems.append(
        InputProblem(
            document.source.location(),
            f"CloudFormation template: {mapped} of {len(resources)} resources mapped",
            ProblemLevel.DEBUG,
        )
    )
