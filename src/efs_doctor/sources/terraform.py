"""Terraform inputs: ``terraform show -json`` of a plan or of state, recognised by content.

Resources become the same AWS-CLI-shaped and Kubernetes documents the other loaders read
(``sources/iac/tf_aws.py``, ``tf_kubernetes.py``), so every engine and rule works on them.
Values known only after apply are linked through the plan's configuration references
(``sources/iac/tf_context.py``); what cannot be linked is a problem naming the resource
address. Locations name the address and point at the ``.tf`` line when the configuration is
beside the plan, else at the plan's own line. Format reference:
https://developer.hashicorp.com/terraform/internals/json-format
"""

from __future__ import annotations

import os
from typing import Any

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.sources.documents import Document
from efs_doctor.sources.iac.common import InventoryBuilder
from efs_doctor.sources.iac.hcl import TerraformSources
from efs_doctor.sources.iac.tf_aws import MAPPERS as AWS_MAPPERS
from efs_doctor.sources.iac.tf_context import ID_PREFIXES, TfContext, Unlinked
from efs_doctor.sources.iac.tf_iam import MAPPERS as IAM_MAPPERS
from efs_doctor.sources.iac.tf_kubernetes import MAPPERS as KUBERNETES_MAPPERS
from efs_doctor.sources.iac.tf_read import TerraformFormatError, is_terraform_json, read_document

MAPPERS = {**AWS_MAPPERS, **IAM_MAPPERS, **KUBERNETES_MAPPERS}


def is_terraform(data: Any) -> bool:
    return is_terraform_json(data)


def add_terraform_document(document: Document, inventory: Inventory) -> None:
    """Add every mapped resource of a plan or state. Never raises for bad input."""
    source = document.source
    try:
        plan = read_document(document.data)
    except TerraformFormatError as error:
        inventory.problems.append(InputProblem(source.location("format_version"), str(error)))
        return
    builder = InventoryBuilder(inventory)
    root = _configuration_root(source.path)
    context = TfContext(plan, source, builder, TerraformSources(root) if root else None)
    mapped = 0
    for resource in plan.resources:
        mapper = MAPPERS.get((resource.mode, resource.type))
        if mapper is None:
            continue
        try:
            mapper(context, resource)
        except Unlinked as unlinked:
            context.problem(
                resource,
                f"{unlinked} is known only after apply and not linked by the plan's "
                "configuration; not checked",
            )
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
            context.problem(
                resource, f"could not be read ({type(error).__name__}: {error})", ProblemLevel.ERROR
            )
        else:
            mapped += 1
            if resource.type in ID_PREFIXES and resource.is_unknown(("id",)):
                context.problem(
                    resource,
                    f"id known after apply; linked references use {context.id_of(resource)}",
                    ProblemLevel.DEBUG,
                )
    _new_file_systems_without_policy(context)
    builder.finish()
    inventory.problems.append(
        InputProblem(
            source.location(),
            f"Terraform {plan.kind} (format {plan.format_version}"
            f"{', Terraform ' + plan.terraform_version if plan.terraform_version else ''}): "
            f"{mapped} of {len(plan.resources)} resources mapped",
            ProblemLevel.DEBUG,
        )
    )


def _configuration_root(path: str | None) -> str | None:
    """The root module's directory: the plan file's, when ``.tf`` files sit beside it."""
    if not path or path in ("-", "<stdin>"):
        return None
    directory = os.path.dirname(path) or "."
    try:
        has_tf = any(name.endswith(".tf") for name in os.listdir(directory))
    except OSError:
        return None
    return directory if has_tf else None


def _new_file_systems_without_policy(context: TfContext) -> None:
    """A file system the plan creates starts without a policy, so EFS's default policy
    applies to it (efs-semantics.md §4.2) unless the plan attaches one. Said only when every
    ``aws_efs_file_system_policy`` of the plan was linked to its file system."""
    plan, builder = context.document, context.builder
    policies = [r for r in plan.resources if r.type == "aws_efs_file_system_policy"]
    if builder.policies_added != len(policies):
        return
    for resource in plan.resources:
        if resource.type != "aws_efs_file_system" or "create" not in resource.actions:
            continue
        fs_id = context.id_of(resource)
        if fs_id in builder.inventory.file_systems and fs_id not in builder.inventory.policies:
            source = context.source_for(resource)
            builder.policy(fs_id, None, None, source)
            context.problem(
                resource,
                "created without a file system policy in this plan: EFS's default policy applies",
                ProblemLevel.DEBUG,
            )
