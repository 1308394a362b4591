"""The facade the mount simulator calls: NfsRequest validation, decisions, hypotheses, notes."""

from __future__ import annotations

import pytest

from efs_doctor.engine.iam import (
    CLIENT_MOUNT,
    NfsRequest,
    evaluate_client_access,
    parse_policy,
)

FS = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0"
SESSION = "arn:aws:sts::111122223333:assumed-role/app/efs-mount-helper"


def test_file_system_id_needs_region_and_account() -> None:
    with pytest.raises(ValueError, match="region and account"):
        NfsRequest("fs-0123456789abcdef0")
    request = NfsRequest("fs-0123456789abcdef0", region="us-east-1", account="111122223333")
    assert request.file_system_arn == FS
    assert request.file_system_account == "111122223333"


@pytest.mark.parametrize(
    "principal",
    [
        "app",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::1:role/x",
        "arn:aws:sts::111122223333:assumed-role/x",
    ],
)
def test_malformed_principals_are_refused(principal: str) -> None:
    with pytest.raises(ValueError, match=r"(?i)arn"):
        NfsRequest(FS, principal=principal)


def test_session_principal_reports_role_and_session() -> None:
    evaluation = evaluate_client_access(None, True, [], NfsRequest(FS, principal=SESSION))
    assert evaluation.principal == "arn:aws:iam::111122223333:role/app"
    assert evaluation.principal_session == SESSION
    assert evaluation.policy_source == "default-policy"


def test_explicit_deny_summary_names_the_statement() -> None:
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
                {
                    "Sid": "DenyPlaintext",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )
    evaluation = evaluate_client_access(policy, True, [], NfsRequest(FS, secure_transport=False))
    decision = evaluation.decision(CLIENT_MOUNT)
    assert (
        decision.summary == 'explicitly denied by file-system-policy statement #1 "DenyPlaintext"'
    )
    assert [t.number for t in decision.deciding] == [1]


def test_indeterminate_lists_both_hypotheses() -> None:
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "elasticfilesystem:Client*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorgid"}},
                }
            ],
        }
    )
    evaluation = evaluate_client_access(policy, True, [], NfsRequest(FS, principal=SESSION))
    decision = evaluation.decision(CLIENT_MOUNT)
    assert decision.decision == "indeterminate"
    assert [(h.name, h.decision) for h in decision.hypotheses] == [
        ("unenforced keys absent", "deny"),
        ("unenforced keys ignored", "allow"),
    ]
    assert evaluation.unenforced_keys == ("aws:PrincipalOrgID",)
    assert "aws:PrincipalOrgID" in decision.summary


def test_grammar_errors_are_noted() -> None:
    policy = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]})
    evaluation = evaluate_client_access(policy, True, [], NfsRequest(FS))
    assert evaluation.notes
    assert "grammar error" in evaluation.notes[0]
    assert evaluation.access.mount is False


def test_other_elasticfilesystem_actions_can_be_asked() -> None:
    evaluation = evaluate_client_access(
        None,
        True,
        [],
        NfsRequest(FS),
        actions=(CLIENT_MOUNT, "elasticfilesystem:DescribeMountTargets"),
    )
    assert evaluation.decision("elasticfilesystem:DescribeMountTargets").decision == "deny"
    assert evaluation.access.mount is True
    assert evaluation.access.write is None
