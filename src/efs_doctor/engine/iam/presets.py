"""Recognising the EFS console "Policy options" presets in a policy (efs-semantics.md §4.6).

Every preset starts from one Allow for ``{"AWS": "*"}`` with the three Client actions under
``Bool elasticfilesystem:AccessedViaMountTarget = true``; an option either removes one action
from it or adds ``Deny * when aws:SecureTransport = false``.
"""

from __future__ import annotations

from dataclasses import dataclass

from efs_doctor.engine.iam import facts
from efs_doctor.engine.iam.model import Policy, Statement


@dataclass(frozen=True, slots=True)
class PresetMatch:
    options: tuple[str, ...]  # option ids from data/efs_console_presets.json, in console order
    titles: tuple[str, ...]
    effects: tuple[str, ...]


def _only_condition(statement: Statement, operator: str, key: str, value: str) -> bool:
    if len(statement.conditions) != 1:
        return False
    condition = statement.conditions[0]
    return (
        condition.operator == operator
        and condition.key_lower == key
        and condition.values == (value,)
    )


def _is_base_allow(statement: Statement) -> bool:
    principal = statement.principal
    return (
        statement.effect == "Allow"
        and principal is not None
        and principal.anyone
        and not statement.not_action
        and not statement.not_resource
        and bool(statement.actions)
        and {a.lower() for a in statement.actions} <= {a.lower() for a in facts.CLIENT_ACTIONS}
        and _only_condition(statement, "Bool", facts.VIA_MOUNT_TARGET, "true")
    )


def _is_tls_deny(statement: Statement) -> bool:
    principal = statement.principal
    return (
        statement.effect == "Deny"
        and principal is not None
        and principal.anyone
        and not statement.not_action
        and statement.actions == ("*",)
        and _only_condition(statement, "Bool", facts.SECURE_TRANSPORT, "false")
    )


def recognise_preset(policy: Policy) -> PresetMatch | None:
    statements = policy.statements
    allows = [s for s in statements if _is_base_allow(s)]
    denies = [s for s in statements if _is_tls_deny(s)]
    if len(allows) != 1 or len(denies) > 1 or len(allows) + len(denies) != len(statements):
        return None
    granted = {a.lower() for a in allows[0].actions}
    data = facts.console_presets()["options"]
    options: list[str] = []
    for option_id, option in data.items():
        removed = option.get("removes")
        if removed is not None and removed.lower() not in granted:
            options.append(option_id)
        if option.get("adds_deny") is not None and denies:
            options.append(option_id)
    return PresetMatch(
        options=tuple(options),
        titles=tuple(data[o]["title"] for o in options),
        effects=tuple(data[o]["effect"] for o in options),
    )
