"""AWS managed policies known offline (``data/aws_managed_policies/``, each with its source and
date), for roles that attach them by ARN in an input that does not carry their text.

A vendored policy whose current text could not be verified is returned with an unknown
document (``None``): the engines then say "unknown" instead of trusting an old copy.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import cache
from typing import Any

from efs_doctor.model.aws import ManagedPolicy
from efs_doctor.model.source import SourceMap

_PACKAGE = "efs_doctor.data"
_FOLDER = "aws_managed_policies"


@cache
def _vendored() -> dict[str, dict[str, Any]]:
    """Vendored policies keyed by their name (the last part of the ARN)."""
    found: dict[str, dict[str, Any]] = {}
    for name, text in _files():
        if not name.endswith(".json"):
            continue
        data = json.loads(text)
        if isinstance(data, dict) and isinstance(data.get("PolicyName"), str):
            found[data["PolicyName"]] = data
    return found


def _files() -> Iterator[tuple[str, str]]:
    """(name, text) of the vendored files: straight from the package folder, or through
    importlib.resources when the package is not a folder (a zip); importing that costs every
    scan that meets an AWS managed policy about 4 ms (issue 8)."""
    from efs_doctor import data as package

    folder = os.path.join(os.path.dirname(package.__file__ or ""), _FOLDER)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        from importlib import resources

        for entry in resources.files(_PACKAGE).joinpath(_FOLDER).iterdir():
            yield entry.name, entry.read_text(encoding="utf-8")
        return
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            yield name, handle.read()


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
