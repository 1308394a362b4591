"""Which ids are real and which a user masked; fill ``<fs>``, ``<pv>``, ``<region>``... in
check commands from the facts that are known."""

from __future__ import annotations

import re

from efs_doctor.engine.explain.model import Facts
from efs_doctor.engine.iam.principals import principal_from_arn

_REAL_FS = re.compile(r"^fs-[0-9a-f]{8,40}$")
_REAL_AP = re.compile(r"^fsap-[0-9a-f]{8,40}$")
# How people mask an id before posting it: a run of one character that is not lower-case hex
# (fs-xxxxxxxx, fs-XXXX, fs-0123abcd****), an ellipsis, or a template placeholder
# (<fs-id>, fs-<id>, ${EFS_ID}, {{ .Values.fileSystemId }}).
_MASK_RUN = re.compile(r"([^0-9a-f])\1{2,}")
_PLACEHOLDER = re.compile(r"<[^<>]*>|\$\{[^}]*\}|\{\{.*\}\}|\.\.\.|…")
_ID_PREFIX = re.compile(r"^(?:fs|fsap)-", re.IGNORECASE)


def masked_id(value: str) -> bool:
    """Whether ``value``, in the place of a file system or access point id, is one a user
    masked rather than a real (or a mistyped) id. The driver rejects such a handle
    (``volume-handle-format``), but a volume that failed later than the handle check (access
    denied, a timeout) was not mounted with it: it was masked for posting."""
    value = value.strip()
    if _REAL_FS.match(value) or _REAL_AP.match(value):
        return False
    if _PLACEHOLDER.search(value):
        return True
    body = _ID_PREFIX.sub("", value)
    return body != value and _MASK_RUN.search(body) is not None


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
