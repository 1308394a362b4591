"""Property tests (hypothesis): Deny always wins, adding an Allow never removes access, and
nothing raises on any parseable policy."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efs_doctor.engine.iam import (
    CLIENT_ACTIONS,
    NfsRequest,
    PolicyTextError,
    evaluate_client_access,
    lint_policy,
    parse_policy,
    parse_policy_text,
)
from efs_doctor.engine.iam.evaluate import EXPLICIT_DENY, Request, authorize
from efs_doctor.engine.iam.principals import ANONYMOUS, principal_from_arn

ACCOUNT = "111122223333"
FS_ARN = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-0123456789abcdef0"
AP_ARN = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:access-point/fsap-0123456789abcdef0"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/efs-mount-helper"
X_SESSION = "arn:aws:sts::444455556666:assumed-role/app/efs-mount-helper"

PRINCIPALS = st.sampled_from(["anonymous", SESSION, ROLE, X_SESSION])
KEYS = st.sampled_from(
    [
        "aws:SecureTransport",
        "aws:SourceIp",
        "elasticfilesystem:AccessPointArn",
        "elasticfilesystem:AccessedViaMountTarget",
        "aws:PrincipalArn",
        "aws:PrincipalOrgID",
        "aws:username",
        "aws:TagKeys",
    ]
)
OPERATORS = st.sampled_from(
    [
        "StringEquals",
        "StringNotEquals",
        "StringLike",
        "StringNotLikeIfExists",
        "Bool",
        "BoolIfExists",
        "ArnLike",
        "ArnNotEquals",
        "IpAddress",
        "NotIpAddress",
        "NumericLessThan",
        "DateGreaterThan",
        "Null",
        "ForAnyValue:StringEquals",
        "ForAllValues:StringLike",
    ]
)
VALUES = st.sampled_from(
    [
        "true",
        "false",
        ROLE,
        "arn:aws:iam::*:role/*",
        AP_ARN,
        "10.0.0.0/8",
        "203.0.113.0/24",
        "alice",
        "${aws:username}",
        "a*",
        "30",
        "2026-01-01T00:00:00Z",
        "o-exampleorgid",
    ]
)
ACTIONS = st.sampled_from(
    [
        "*",
        "elasticfilesystem:*",
        "elasticfilesystem:Client*",
        *CLIENT_ACTIONS,
        "elasticfilesystem:client?ount",
    ]
)
RESOURCES = st.sampled_from(
    [
        "*",
        FS_ARN,
        f"arn:aws:elasticfilesystem:*:{ACCOUNT}:file-system/*",
        f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-other",
    ]
)
AWS_PRINCIPALS = st.sampled_from(
    ["*", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", ROLE, SESSION, "arn:aws:iam::444455556666:root"]
)


def one_or_many(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, st.lists(strategy, min_size=1, max_size=3))


conditions = st.dictionaries(
    OPERATORS, st.dictionaries(KEYS, one_or_many(VALUES), min_size=1, max_size=2), max_size=2
)


@st.composite
def statements(draw: st.DrawFn, resource_policy: bool = True, effect: str | None = None) -> Any:
    statement: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    if resource_policy:
        statement["Principal"] = draw(
            st.one_of(st.just("*"), st.fixed_dictionaries({"AWS": one_or_many(AWS_PRINCIPALS)}))
        )
    statement[draw(st.sampled_from(["Action", "NotAction"]))] = draw(one_or_many(ACTIONS))
    statement["Resource"] = draw(one_or_many(RESOURCES))
    block = draw(conditions)
    if block:
        statement["Condition"] = block
    return statement


def policies(resource_policy: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda s: {"Version": "2012-10-17", "Statement": s},
        st.lists(statements(resource_policy), min_size=1, max_size=4),
    )


requests = st.builds(
    lambda principal, tls, ap, ip: NfsRequest(
        FS_ARN,
        principal=principal,
        secure_transport=tls,
        access_point_arn=AP_ARN if ap else None,
        source_ip=ip,
    ),
    PRINCIPALS,
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, "10.0.3.4", "203.0.113.9"]),
)

contexts = st.dictionaries(
    KEYS.map(str.lower), st.one_of(VALUES, st.lists(VALUES, max_size=2).map(tuple)), max_size=4
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _core(
    policy: dict[str, Any],
    identity: list[dict[str, Any]],
    principal: str,
    context: Any,
    action: str,
) -> Any:
    who = ANONYMOUS if principal == "anonymous" else principal_from_arn(principal)
    return authorize(
        Request(action, FS_ARN, who, context, ACCOUNT),
        parse_policy(policy).compiled,
        [parse_policy(p, kind="identity").compiled for p in identity],
    )


DENY_ALL = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}


@SETTINGS
@given(
    policies(),
    st.lists(policies(False), max_size=2),
    PRINCIPALS,
    contexts,
    st.sampled_from(CLIENT_ACTIONS),
)
def test_an_applicable_deny_always_wins(
    policy: Any, identity: Any, principal: str, context: Any, action: str
) -> None:
    # Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    denied = {**policy, "Statement": [*policy["Statement"], DENY_ALL]}
    result = _core(denied, identity, principal, context, action)
    assert (result.decision, result.reason) == ("deny", EXPLICIT_DENY)
    # ... and an applicable Deny anywhere in the original policy decides it too.
    original = _core(policy, identity, principal, context, action)
    if any(t.applies and t.effect == "Deny" for t in original.statements):
        assert original.reason == EXPLICIT_DENY


@SETTINGS
@given(policies(), requests)
def test_deny_wins_for_nfs_clients(policy: Any, request: NfsRequest) -> None:
    denied = {**policy, "Statement": [*policy["Statement"], DENY_ALL]}
    evaluation = evaluate_client_access(parse_policy(denied), True, [], request)
    assert all(d.decision == "deny" for d in evaluation.decisions.values())
    assert evaluation.access.to_json() == {"mount": False, "write": False, "root": False}


@SETTINGS
@given(
    policies(),
    statements(effect="Allow"),
    st.lists(policies(False), max_size=2),
    st.tuples(PRINCIPALS, contexts, st.sampled_from(CLIENT_ACTIONS)),
)
def test_adding_an_allow_never_removes_access(
    policy: Any, extra: Any, identity: Any, scenario: tuple[str, Any, str]
) -> None:
    principal, context, action = scenario
    before = _core(policy, identity, principal, context, action)
    widened = {**policy, "Statement": [*policy["Statement"], extra]}
    after = _core(widened, identity, principal, context, action)
    if before.decision == "allow":
        assert after.decision == "allow"


@SETTINGS
@given(policies(), statements(effect="Allow"), requests)
def test_adding_an_allow_never_removes_nfs_access(
    policy: Any, extra: Any, request: NfsRequest
) -> None:
    before = evaluate_client_access(parse_policy(policy), True, [], request)
    widened = {**policy, "Statement": [*policy["Statement"], extra]}
    after = evaluate_client_access(parse_policy(widened), True, [], request)
    for action, decision in before.decisions.items():
        if decision.decision == "allow":
            assert after.decisions[action].decision == "allow", after.decisions[action].summary


@SETTINGS
@given(policies(), requests)
def test_statement_order_does_not_matter(policy: Any, request: NfsRequest) -> None:
    forward = evaluate_client_access(parse_policy(policy), True, [], request)
    reverse = {**policy, "Statement": list(reversed(policy["Statement"]))}
    backward = evaluate_client_access(parse_policy(reverse), True, [], request)
    assert forward.access == backward.access
    for action, decision in forward.decisions.items():
        assert decision.decision == backward.decisions[action].decision


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12)
)
json_values = st.recursive(
    st.one_of(json_scalars, KEYS, ACTIONS, RESOURCES, OPERATORS),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(
                    [
                        "Version",
                        "Statement",
                        "Effect",
                        "Principal",
                        "NotPrincipal",
                        "AWS",
                        "Action",
                        "NotAction",
                        "Resource",
                        "NotResource",
                        "Condition",
                        "Sid",
                    ]
                ),
                OPERATORS,
                KEYS,
                st.text(max_size=8),
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(json_values, requests)
def test_nothing_raises_on_any_document(document: Any, request: NfsRequest) -> None:
    for kind in ("resource", "identity"):
        parsed = parse_policy(document, kind=kind)  # type: ignore[arg-type]
        lint_policy(parsed)
        evaluate_client_access(parsed, True, [parsed] if kind == "identity" else [], request)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        parsed = parse_policy_text(text)
    except PolicyTextError as error:
        position = (error.line, error.column)
    else:
        lint_policy(parsed)
        return
    assert min(position) >= 1
