"""Which file systems a policy names, what a file system ARN looks like, and how the ARNs of a
file system and of its access points are built (the one place that builds them).

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


def file_system_arn(fs_id: str, region: str, account: str, partition: str = "aws") -> str:
    return f"arn:{partition}:elasticfilesystem:{region}:{account}:file-system/{fs_id}"


def access_point_arn(ap_id: str, region: str, account: str, partition: str = "aws") -> str:
    return f"arn:{partition}:elasticfilesystem:{region}:{account}:access-point/{ap_id}"


def access_point_arn_beside(fs_arn: str, ap_id: str) -> str | None:
    """The ARN of access point ``ap_id`` in the file system ``fs_arn``'s partition, region and
    account; None when ``fs_arn`` is not a file system ARN."""
    if not is_file_system_arn(fs_arn):
        return None
    partition, _, region, account = fs_arn.split(":", 5)[1:5]
    return access_point_arn(ap_id, region, account, partition)
