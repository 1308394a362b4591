"""Fill ``<fs>``, ``<pv>``, ``<region>``... in check commands from the facts that are known."""

from __future__ import annotations

import re

from efs_doctor.engine.explain.model import Facts
from efs_doctor.engine.iam.principals import principal_from_arn

_REAL_FS = re.compile(r"^fs-[0-9a-f]{8,40}$")
_REAL_AP = re.compile(r"^fsap-[0-9a-f]{8,40}$")


def _role_name(facts: Facts) -> str | None:
    """The role behind the text's credentials source or denied principal (a session ARN
    names its role), as the IAM engine reads the ARN."""
    cred = facts.credentials_source
    for arn in (cred.role_arn if cred else None, facts.principal):
        if arn:
            try:
                name = principal_from_arn(arn).role_name
            except ValueError:
                continue
            if name:
                return name
    return None


def values(facts: Facts) -> dict[str, str]:
    """Placeholder -> value for every placeholder the facts can fill."""
    known: dict[str, str] = {}
    if facts.file_system_id and _REAL_FS.match(facts.file_system_id):
        known["fs"] = facts.file_system_id
    if facts.access_point_id and _REAL_AP.match(facts.access_point_id):
        known["ap"] = facts.access_point_id
    for name, value in (
        ("pv", facts.pv),
        ("pvc", facts.pvc),
        ("node", facts.node),
        ("sc", facts.storage_class),
        ("region", facts.region),
        ("role", _role_name(facts)),
    ):
        if value:
            known[name] = value
    if facts.pod:
        namespace, _, name = facts.pod.partition("/")
        known["pod"] = name or namespace
        if name:
            known["namespace"] = namespace
    return known


def fill(command: str, facts: Facts) -> str:
    known = values(facts)
    if "region" not in known:
        # Without a known region the AWS CLI's configured default is the better guess.
        command = command.replace(" --region <region>", "")
    return re.sub(r"<([a-z]+)>", lambda m: known.get(m.group(1), m.group(0)), command)
