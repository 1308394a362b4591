"""AWS managed policies known offline (``data/aws_managed_policies/``, each with its source and
date), for roles that attach them by ARN in an input that does not carry their text.

A vendored policy whose current text could not be verified is returned with an unknown
document (``None``): the engines then say "unknown" instead of trusting an old copy.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from efs_doctor.model.aws import ManagedPolicy
from efs_doctor.model.source import SourceMap

_FOLDER = "aws_managed_policies"


@cache
def _vendored() -> dict[str, dict[str, Any]]:
    """Vendored policies keyed by their name (the last part of the ARN)."""
    found: dict[str, dict[str, Any]] = {}
    from efs_doctor import data

    for name, text in data.folder_texts(_FOLDER):
        if not name.endswith(".json"):
            continue
        data = json.loads(text)
        if isinstance(data, dict) and isinstance(data.get("PolicyName"), str):
            found[data["PolicyName"]] = data
    return found


def vendored_names() -> tuple[str, ...]:
    return tuple(sorted(_vendored()))


def aws_managed_policy(arn: str) -> ManagedPolicy | None:
    """The vendored copy of the AWS managed policy ``arn`` (any partition), or None.

    AWS managed policies have ARNs ``arn:<partition>:iam::aws:policy/[<path>/]<name>``
    (IAM User Guide, "AWS managed policies")."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or parts[4] != "aws":
        return None
    name = parts[5].rsplit("/", 1)[-1]
    data = _vendored().get(name)
    if data is None:
        return None
    document = data.get("Document") if data.get("Verified") is True else None
    source = SourceMap(path=None)
    return ManagedPolicy(arn, name, document if isinstance(document, dict) else None, source)
