"""The corrected file system policy that policy fixes write next to the original.

Only corrections that cannot grant anything the policy does not already express are made
(findings.FixSafety.SAFE):

- in an Allow statement for everyone (``"*"``/``{"AWS": "*"}``), a positive
  ``aws:PrincipalArn``/``aws:PrincipalAccount`` condition without wildcards becomes the
  ``Principal`` (EFS evaluates ``Principal`` for NFS clients; it does not enforce those keys,
  efs-semantics.md §4.5, §8 point 4);
- an Allow statement that grants ``ClientWrite``/``ClientRootAccess`` but not
  ``ClientMount`` gains ``ClientMount`` (read-only access, less than what it grants, §4.3).

The same content is attached to every finding it fixes, so applying several of them writes
one file.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Fix, FixSafety, NewFile

# The corrected policy's name is also what makes a re-scan use it instead of the original.
from efs_doctor.sources.file_system_policies import corrected_path

MOUNT = "elasticfilesystem:ClientMount"
GRANTS = ("elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess")
POSITIVE = {"arnlike", "arnequals", "stringequals", "stringlike"}


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return (
        isinstance(principal, Mapping)
        and set(principal) == {"AWS"}
        and (_listify(principal["AWS"]) == ["*"])
    )


def _principal_values(key: str, values: list[Any]) -> list[str] | None:
    if not values or not all(isinstance(v, str) for v in values):
        return None
    if any("*" in v or "?" in v or "${" in v for v in values):
        return None
    if key == "aws:principalarn":
        return list(values)
    if key == "aws:principalaccount":
        return [f"arn:aws:iam::{v}:root" for v in values]
    return None


def _principal_from_conditions(statement: dict[str, Any]) -> bool:
    conditions = statement.get("Condition")
    if not isinstance(conditions, dict) or not _anyone(statement.get("Principal")):
        return False
    for operator, block in list(conditions.items()):
        if operator.lower() not in POSITIVE or not isinstance(block, dict):
            continue
        for key in list(block):
            principals = _principal_values(key.lower(), _listify(block[key]))
            if principals is None:
                continue
            statement["Principal"] = {"AWS": principals[0] if len(principals) == 1 else principals}
            del block[key]
            if not block:
                del conditions[operator]
            if not conditions:
                del statement["Condition"]
            return True
    return False


def _add_client_mount(statement: dict[str, Any]) -> bool:
    if "Action" not in statement:
        return False
    actions = _listify(statement["Action"])
    lowered = {str(a).lower() for a in actions}
    if any("*" in a for a in lowered) or MOUNT.lower() in lowered:
        return False
    if not lowered & {g.lower() for g in GRANTS}:
        return False
    statement["Action"] = [MOUNT, *actions]
    return True


def corrected_document(document: Mapping[str, Any]) -> dict[str, Any] | None:
    """The policy with every safe correction made; None when there is nothing to correct."""
    corrected = copy.deepcopy(dict(document))
    statements = corrected.get("Statement")
    items = statements if isinstance(statements, list) else [statements]
    changed = False
    for statement in items:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        changed = _principal_from_conditions(statement) or changed
        changed = _add_client_mount(statement) or changed
    return corrected if changed else None


def policy_fix(context: Context, fs_id: str, title: str) -> Fix | None:
    """A fix writing the corrected policy of ``fs_id`` next to the original."""
    policy = context.inventory.policies.get(fs_id)
    if policy is None or policy.document is None:
        return None
    source = policy.text_source or policy.source
    corrected = corrected_document(policy.document)
    if corrected is None:
        return None
    from efs_doctor.sources.iac.source_map import iac_source

    if iac_source(policy) is not None:
        # Read from Terraform/CloudFormation: say it in the IaC's terms, write nothing.
        from efs_doctor.sources.iac import fixes as iac

        found = iac.policy_fix(context.inventory, fs_id, corrected)
        if found is None:
            return None
        return Fix(f"{title} ({found.title})", FixSafety.SAFE, (), found.patch or found.snippet)
    if source.path is None or source.path == "<stdin>":
        return None
    target = corrected_path(source.path)
    content = json.dumps(corrected, indent=4) + "\n"
    return Fix(
        f"{title}: writes the corrected policy to {target} (then apply it with `aws efs "
        f"put-file-system-policy --file-system-id {fs_id} --policy file://{target}`)",
        FixSafety.SAFE,
        (NewFile(target, content),),
    )
