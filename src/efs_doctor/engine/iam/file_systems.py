"""Which file systems a policy names, and what a file system ARN looks like.

A file system ARN is ``arn:<partition>:elasticfilesystem:<region>:<account>:file-system/<id>``
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticfilesystem.html#amazonelasticfilesystem-resources-for-iam-policies).
A policy *names* a file system when a ``Resource`` element lists its ARN without wildcards; a
pattern covers file systems but names none.
"""

from __future__ import annotations

from efs_doctor.engine.iam.model import Policy
from efs_doctor.engine.iam.wildcard import has_wildcard


def is_file_system_arn(arn: str) -> bool:
    parts = arn.split(":", 5)
    return (
        len(parts) == 6
        and parts[0] == "arn"
        and parts[2] == "elasticfilesystem"
        and parts[5].startswith("file-system/")
        and len(parts[5]) > len("file-system/")
    )


def file_systems_named(policy: Policy) -> tuple[str, ...]:
    """The file system ARNs the policy's Resource elements list literally, in order, once."""
    found: list[str] = []
    for statement in policy.statements:
        if statement.not_resource:
            continue
        for resource in statement.resources:
            literal = is_file_system_arn(resource) and not has_wildcard(resource)
            if literal and resource not in found:
                found.append(resource)
    return tuple(found)
