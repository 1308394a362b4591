"""EFS facts vendored in ``efs_doctor/data`` (each file names its source and date), read once."""

from __future__ import annotations

import json
import os
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
    # Through the data package's own loader, as importlib.resources and pkgutil.get_data
    # do underneath, without importing them (about 10 ms of every start-up, issue 8).
    from efs_doctor import data as package

    spec: Any = package.__spec__
    raw: bytes = spec.loader.get_data(os.path.join(os.path.dirname(spec.origin), name))
    loaded: dict[str, Any] = json.loads(raw.decode("utf-8"))
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
