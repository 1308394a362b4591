"""A role's identity policies and permissions boundary decided by the IAM engine
(engine/iam/permissions.py): explicit Deny first, then an identity Allow that the boundary
allows too (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html); what is not
among the inputs is unknown."""

from __future__ import annotations

from typing import Any

import pytest

from efs_doctor.engine.iam.permissions import parse_role_policies, permission

ROLE = "arn:aws:iam::111122223333:role/efs-csi-controller"
CREATE = "elasticfilesystem:CreateAccessPoint"
TAG = "aws:requesttag/efs.csi.aws.com/cluster"


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action: Any = CREATE, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": "*", **extra}


def _decide(documents: list[dict[str, Any]], **kw: Any) -> Any:
    policies = parse_role_policies(
        [(f"identity policy p{i}", d) for i, d in enumerate(documents)],
        missing=kw.pop("missing", ()),
        boundary=kw.pop("boundary", None),
    )
    kw.setdefault("resource", None)
    return permission(policies, ROLE, kw.pop("action", CREATE), **kw)


@pytest.mark.parametrize(
    ("pattern", "verdict"),
    [
        ("elasticfilesystem:Create*", "allow"),
        ("ELASTICFILESYSTEM:createaccesspoint", "allow"),  # actions ignore case
        ("elasticfilesystem:Create?ccessPoint", "allow"),
        ("elasticfilesystem:[C]reateAccessPoint", "deny"),  # no character classes in IAM
        ("elasticfilesystem:[A-Z]*", "deny"),
    ],
)
def test_action_patterns_use_iam_wildcards(pattern: str, verdict: str) -> None:
    assert _decide([_policy(_allow(pattern))]).verdict == verdict


def test_explicit_deny_overrides_an_allow() -> None:
    deny = {"Sid": "No", "Effect": "Deny", "Action": "elasticfilesystem:*", "Resource": "*"}
    found = _decide([_policy(_allow()), _policy(deny)])
    assert found.verdict == "deny"
    assert found.summary == 'explicitly denied by identity policy p1 statement #0 "No"'


def test_request_tags_the_caller_gives() -> None:
    tagged = _allow(Condition={"Null": {"aws:RequestTag/efs.csi.aws.com/cluster": "false"}})
    with_tag = _decide([_policy(tagged)], context={TAG: "true"})
    assert with_tag.verdict == "allow"
    without = _decide([_policy(tagged)], context={}, absent=lambda k: k.startswith("aws:req"))
    assert without.verdict == "deny"
    assert "with request value absent: does not hold" in without.summary


def test_key_the_caller_cannot_give_is_unknown() -> None:
    found = _decide([_policy(_allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))])
    assert found.verdict == "unknown"
    assert found.unknown_keys == ("aws:sourceip",)


def test_specific_resource_with_unknown_arn_is_unknown() -> None:
    arn = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0"
    scoped = {"Effect": "Allow", "Action": CREATE, "Resource": arn}
    assert _decide([_policy(scoped)]).verdict == "unknown"
    assert _decide([_policy(scoped)], resource=arn).verdict == "allow"


def test_missing_policy_may_grant_it() -> None:
    found = _decide([], missing=["arn:aws:iam::111122223333:policy/efs"])
    assert found.verdict == "unknown"
    assert "arn:aws:iam::111122223333:policy/efs (not among the inputs) may" in found.summary
    assert _decide([_policy(_allow())], missing=["x"]).verdict == "allow"
    assert _decide([]).verdict == "deny"


def test_boundary_must_allow_too() -> None:
    narrow = _policy(_allow("elasticfilesystem:Describe*"))
    found = _decide([_policy(_allow())], boundary=("arn:aws:iam::1:policy/b", narrow))
    assert found.verdict == "deny"
    assert found.summary.startswith("the permissions boundary does not allow it")
    wide = _policy(_allow("elasticfilesystem:*"))
    assert _decide([_policy(_allow())], boundary=("b", wide)).verdict == "allow"
    # The boundary alone grants nothing.
    assert _decide([], boundary=("b", wide)).verdict == "deny"


def test_boundary_not_among_the_inputs_is_unknown() -> None:
    found = _decide([_policy(_allow())], boundary=("arn:aws:iam::1:policy/b", None))
    assert found.verdict == "unknown"
    assert "the permissions boundary arn:aws:iam::1:policy/b is not among the inputs" in (
        found.summary
    )
    # ... unless the identity policies already deny.
    assert _decide([], boundary=("arn:aws:iam::1:policy/b", None)).verdict == "deny"


def test_bad_principal_is_unknown() -> None:
    policies = parse_role_policies([("p", _policy(_allow()))])
    assert permission(policies, "not-an-arn", CREATE, resource=None).verdict == "unknown"
