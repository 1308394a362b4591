"""Evaluations per second of the IAM engine on a realistic file system policy, and of
@cloud-copilot/iam-simulate on the same requests in the same run, with the ratio.

One evaluation = one (request, action) decision. The policy has 7 statements with conditions;
five request shapes (anonymous, node role, app role through an access point, read-only role,
cross-account role with an identity policy) rotate over ClientMount, ClientWrite and
ClientRootAccess. iam-simulate runs through the JSON-lines bridge of tests/differential (test
only, AGPL); Node start-up and a warm-up batch are excluded from its timing. Target (issue 3):
ours >= 20x iam-simulate. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_policy.py [--requests N] [--oracle-requests N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "111122223333"
OTHER = "444455556666"
FS = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-0123456789abcdef0"
AP1 = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:access-point/fsap-0123456789abcdef0"
AP2 = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:access-point/fsap-0aaaabbbbccccdddd"
ACTIONS = (
    "elasticfilesystem:ClientMount",
    "elasticfilesystem:ClientWrite",
    "elasticfilesystem:ClientRootAccess",
)


def _role(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def _session(name: str, account: str = ACCOUNT, session: str = "efs-mount-helper") -> str:
    return f"arn:aws:sts::{account}:assumed-role/{name}/{session}"


POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "NodeRoleReadWrite",
            "Effect": "Allow",
            "Principal": {"AWS": _role("eks-node-group-role")},
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": FS,
            "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
        },
        {
            "Sid": "AppThroughItsAccessPoint",
            "Effect": "Allow",
            "Principal": {"AWS": _role("app-irsa")},
            "Action": "elasticfilesystem:Client*",
            "Resource": FS,
            "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": AP1}},
        },
        {
            "Sid": "AnalyticsReadOnly",
            "Effect": "Allow",
            "Principal": {"AWS": [_role("analytics"), _role("efs-csi-node", OTHER)]},
            "Action": "elasticfilesystem:ClientMount",
            "Resource": FS,
            "Condition": {
                "ArnLike": {"elasticfilesystem:AccessPointArn": AP1.rsplit("/", 1)[0] + "/*"}
            },
        },
        {
            "Sid": "BackupRoot",
            "Effect": "Allow",
            "Principal": {"AWS": _role("backup")},
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientRootAccess"],
            "Resource": FS,
            "Condition": {"Bool": {"aws:SecureTransport": "true"}},
        },
        {
            "Sid": "DenyPlaintext",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": FS,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "WritesOnlyThroughAccessPoints",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "elasticfilesystem:ClientWrite",
            "Resource": FS,
            "Condition": {
                "StringNotEqualsIfExists": {"elasticfilesystem:AccessPointArn": [AP1, AP2]},
                "Null": {"elasticfilesystem:AccessPointArn": "false"},
            },
        },
        {
            "Sid": "NoAccessOutsideMountTargets",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": FS,
            "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "false"}},
        },
    ],
}
CROSS_ACCOUNT_IDENTITY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/*",
        }
    ],
}

# (principal or None for anonymous, access point, identity policies)
SHAPES: tuple[tuple[str | None, str | None, list[dict[str, Any]]], ...] = (
    (None, None, []),
    (_session("eks-node-group-role", session="i-0123456789abcdef0"), None, []),
    (_session("app-irsa"), AP1, []),
    (_session("analytics"), AP2, []),
    (_session("efs-csi-node", OTHER), AP2, [CROSS_ACCOUNT_IDENTITY]),
)


def bench_ours(count: int) -> tuple[float, int]:
    from efs_doctor.engine.iam import NfsRequest, evaluate_client_access, parse_policy

    policy = parse_policy(POLICY)
    prepared = []
    for principal, access_point, identities in SHAPES:
        request = NfsRequest(
            FS,
            principal=principal or "anonymous",
            access_point_arn=access_point,
            secure_transport=True,
        )
        prepared.append((request, [parse_policy(p, kind="identity") for p in identities]))
    start = time.perf_counter()
    for i in range(count):
        request, identities = prepared[i % len(prepared)]
        evaluate_client_access(policy, True, identities, request)
    elapsed = time.perf_counter() - start
    return elapsed, count * len(ACTIONS)


def simulations(count: int) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        principal, access_point, identities = SHAPES[i % len(SHAPES)]
        context = {
            "aws:SecureTransport": "true",
            "elasticfilesystem:AccessedViaMountTarget": "true",
        }
        if access_point:
            context["elasticfilesystem:AccessPointArn"] = access_point
        out.append(
            {
                "request": {
                    "principal": principal or {"type": "Anonymous"},
                    "action": ACTIONS[(i // len(SHAPES)) % len(ACTIONS)],
                    "resource": {"resource": FS, "accountId": ACCOUNT},
                    "contextVariables": context,
                },
                "identityPolicies": [
                    {"name": f"identity-{n}", "policy": p} for n, p in enumerate(identities)
                ],
                "serviceControlPolicies": [],
                "resourceControlPolicies": [],
                "resourcePolicy": POLICY,
            }
        )
    return out


def bench_oracle(count: int) -> tuple[float, int] | str:
    sys.path.insert(0, str(ROOT / "tests" / "differential"))
    from iam_oracle import Oracle, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        return reason
    batch = simulations(count)
    with Oracle() as oracle:
        list(oracle.run(batch[:200]))  # warm-up (JIT, iam-data loading)
        start = time.perf_counter()
        replies = list(oracle.run(batch))
        elapsed = time.perf_counter() - start
    errors = [r for r in replies if "error" in r]
    if errors:
        return f"iam-simulate rejected the benchmark input: {errors[0]}"
    return elapsed, len(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000, help="NFS requests for ours")
    parser.add_argument(
        "--oracle-requests", type=int, default=3_000, help="simulations for iam-simulate"
    )
    args = parser.parse_args()

    bench_ours(500)  # warm-up: imports, regex compilation, action memo
    elapsed, evaluations = bench_ours(args.requests)
    ours = evaluations / elapsed
    print(
        f"efs-doctor:   {evaluations:,} evaluations ({args.requests:,} requests x 3 actions) "
        f"in {elapsed:.3f} s = {ours:,.0f} evaluations/s"
    )
    oracle = bench_oracle(args.oracle_requests)
    if isinstance(oracle, str):
        print(f"iam-simulate: not measured ({oracle})")
        return
    oracle_elapsed, oracle_evaluations = oracle
    theirs = oracle_evaluations / oracle_elapsed
    print(
        f"iam-simulate: {oracle_evaluations:,} evaluations through the bridge in "
        f"{oracle_elapsed:.3f} s = {theirs:,.0f} evaluations/s (Node start-up excluded)"
    )
    print(f"ratio: {ours / theirs:,.1f}x (target >= 20x)")


if __name__ == "__main__":
    main()
