"""EFS facts vendored in ``efs_doctor/data`` (each file names its source and date), read once."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

CLIENT_MOUNT = "elasticfilesystem:ClientMount"
CLIENT_WRITE = "elasticfilesystem:ClientWrite"
CLIENT_ROOT = "elasticfilesystem:ClientRootAccess"
CLIENT_ACTIONS = (CLIENT_MOUNT, CLIENT_WRITE, CLIENT_ROOT)

SECURE_TRANSPORT = "aws:securetransport"
SOURCE_IP = "aws:sourceip"
ACCESS_POINT_ARN = "elasticfilesystem:accesspointarn"
VIA_MOUNT_TARGET = "elasticfilesystem:accessedviamounttarget"


@cache
def _load(name: str) -> dict[str, Any]:
    from efs_doctor import data

    loaded: dict[str, Any] = json.loads(data.read_text(name))
    return loaded


@cache
def enforced_keys() -> dict[str, str]:
    """Lower-cased key -> documented spelling, for the keys EFS evaluates for NFS clients."""
    keys = _load("efs_nfs_condition_keys.json")["enforced_keys"]
    return {key.lower(): key for key in keys}


def console_presets() -> dict[str, Any]:
    return _load("efs_console_presets.json")


@cache
def global_condition_keys() -> tuple[str, ...]:
    return tuple(_load("aws_global_condition_keys.json")["keys"])
