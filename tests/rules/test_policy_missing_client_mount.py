"""AUTH003 decides on the whole policy and the principal that mounts (issue 18, item 2): a
high finding with the cause id only when the mount engine denies that principal ClientMount
while allowing it write or root access, or when no statement grants ClientMount at all and no
mounting principal is known; a statement without ClientMount is otherwise a low note without
a cause (IAM permissions of all statements add up:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from casefile import all_cases, run_case

from efs_doctor.findings import Severity

CASES = {c.name: c for c in all_cases() if c.rule == "AUTH003"}


@pytest.mark.parametrize(
    ("name", "severity", "cause"),
    [
        ("Write and RootAccess without ClientMount for the mounting role", Severity.HIGH, True),
        ("Another statement grants ClientMount to the mounting role", Severity.LOW, False),
        ("ClientMount granted only to a role that does not mount", Severity.HIGH, True),
        ("A policy without any ClientMount and no volume that mounts it", Severity.HIGH, True),
    ],
)
def test_severity_and_cause(name: str, severity: Severity, cause: bool, tmp_path: Path) -> None:
    report = run_case(CASES[name], tmp_path)
    (finding,) = report.findings
    assert finding.severity == severity
    assert finding.cause == ("policy-missing-clientmount" if cause else None)


def test_an_identity_policy_granting_client_mount_leaves_only_a_note(tmp_path: Path) -> None:
    """No statement of the file system policy grants ClientMount, but the node role's own
    identity policy (same account) does: EFS allows the mount (efs-semantics.md §4.4)."""
    case = CASES["Write and RootAccess without ClientMount for the mounting role"]
    path = Path(__file__).parents[2] / "examples/healthy/aws"
    details = json.loads((path / "iam-get-account-authorization-details.json").read_text())
    (node,) = [r for r in details["RoleDetailList"] if r["RoleName"] == "eks-node-group-role"]
    node["RolePolicyList"] = [
        {
            "PolicyName": "efs-mount",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "elasticfilesystem:ClientMount", "Resource": "*"}
                ],
            },
        }
    ]
    granted = json.dumps(details)
    files = {**case.files, "aws/iam-get-account-authorization-details.json": granted}
    report = run_case(type(case)(case.rule, case.name, files, [], case.base), tmp_path)
    assert report.findings
    assert all(
        not f.severity.at_least(Severity.MEDIUM) and f.cause is None for f in report.findings
    )
