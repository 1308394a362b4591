"""Which file systems a policy names, what a file system ARN looks like, and how the ARNs of a
file system and of its access points are built (the one place that builds them).

A file system ARN is ``arn:<partition>:elasticfilesystem:<region>:<account>:file-system/<id>``
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticfilesystem.html#amazonelasticfilesystem-resources-for-iam-policies).
A policy *names* a file system when a ``Resource`` element lists its ARN without wildcards; a
pattern covers file systems but names none.

Before a template is deployed or a plan applied, a file system's region and account may be
unknown. Its own policy is evaluated against a *symbolic* "this file system" ARN
(:func:`this_file_system_arn`): the policy is attached to it, so a Resource pattern of the
policy that covers ``file-system/<id>`` describes it, and a literal region or account there is
the file system's own; a statement without Resource needs no ARN at all; an anonymous client
needs no account (efs-semantics.md §4.4, §4.5).
"""

from __future__ import annotations

from dataclasses import dataclass

from efs_doctor.engine.iam import values as v
from efs_doctor.engine.iam.model import Policy
from efs_doctor.engine.iam.wildcard import glob_match, has_wildcard

# Stand-ins for a part nobody knows: they match only a wildcard in a policy's Resource.
UNKNOWN_REGION = "unknown-region-0"
UNKNOWN_ACCOUNT = "000000000000"


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


@dataclass(frozen=True, slots=True)
class SymbolicArn:
    """The ARN a file system's own policy is evaluated against, and what had to be assumed."""

    arn: str
    assumed: tuple[str, ...]


def _covers_this(pattern: str, fs_id: str) -> tuple[str, str] | None:
    """(region, account) of a Resource pattern that covers file system ``fs_id``."""
    parts = v.split_arn(pattern)
    if parts is None or not glob_match(parts[2], "elasticfilesystem", ignore_case=True):
        return None
    if not glob_match(parts[5], f"file-system/{fs_id}"):
        return None
    return parts[3], parts[4]


def this_file_system_arn(
    fs_id: str,
    policy: Policy | None,
    *,
    region: str | None,
    account: str | None,
    principal_account: str | None = None,
) -> SymbolicArn:
    """The ARN of file system ``fs_id`` for evaluating its own ``policy`` when the file system's
    ARN is not known: ``region`` and ``account`` as the inputs tell them, else the literal ones
    of the policy's Resource patterns that cover this file system (one answer only), else the
    principal's account (a same-account mount is the common case, and said so), else stand-ins
    that only a wildcard matches."""
    regions: set[str] = set()
    accounts: set[str] = set()
    for statement in policy.statements if policy is not None else ():
        if statement.not_resource:
            continue
        for resource in statement.resources:
            found = _covers_this(resource, fs_id)
            if found is None:
                continue
            if not has_wildcard(found[0]) and found[0]:
                regions.add(found[0])
            if not has_wildcard(found[1]) and found[1]:
                accounts.add(found[1])
    assumed: list[str] = []
    if not region and len(regions) == 1:
        region = regions.pop()
        assumed.append(f"region {region} as the policy names it for this file system")
    if not account and len(accounts) == 1:
        account = accounts.pop()
        assumed.append(f"account {account} as the policy names it for this file system")
    if not account and principal_account:
        account = principal_account
        assumed.append("the file system's account is not known: taken to be the principal's")
    return SymbolicArn(
        file_system_arn(fs_id, region or UNKNOWN_REGION, account or UNKNOWN_ACCOUNT),
        tuple(assumed),
    )
