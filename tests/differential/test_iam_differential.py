"""Differential test: our generic IAM evaluator against @cloud-copilot/iam-simulate.

Generated policies and requests stay within generic IAM semantics (iam_generator.py). The
test skips when the oracle is not installed, unless EFS_DOCTOR_REQUIRE_ORACLE=1 (CI), in which
case it fails. Results and resolved disagreements: README.md in this folder.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
from iam_generator import ACCOUNT, FS_ARN, Case, generate
from iam_oracle import Oracle, oracle_required, unavailable_reason

from efs_doctor.engine.iam import parse_policy
from efs_doctor.engine.iam.evaluate import EXPLICIT_DENY, Request, authorize
from efs_doctor.engine.iam.principals import ANONYMOUS, principal_from_arn

pytestmark = pytest.mark.differential

CASES = int(os.environ.get("EFS_DOCTOR_DIFFERENTIAL_CASES", "3000"))
SEED = int(os.environ.get("EFS_DOCTOR_DIFFERENTIAL_SEED", "20261126"))


def _require_oracle() -> None:
    """Skip without the oracle, unless EFS_DOCTOR_REQUIRE_ORACLE=1 (CI): then fail."""
    reason = unavailable_reason()
    if reason is not None:
        if oracle_required():
            pytest.fail(f"EFS_DOCTOR_REQUIRE_ORACLE=1 but the oracle cannot run: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def oracle() -> Any:
    _require_oracle()
    with Oracle() as running:
        yield running


@pytest.mark.parametrize(
    ("required", "outcome"), [("1", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_missing_oracle_skips_unless_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, required: str, outcome: type[BaseException]
) -> None:
    import iam_oracle

    monkeypatch.setattr(iam_oracle, "PACKAGE", tmp_path / "absent")
    monkeypatch.setenv("EFS_DOCTOR_REQUIRE_ORACLE", required)
    with pytest.raises(outcome, match="node_modules is absent"):
        _require_oracle()


def ours(case: Case) -> str:
    """Our verdict in iam-simulate's vocabulary."""
    who = ANONYMOUS if case.principal is None else principal_from_arn(case.principal)
    resource = (
        parse_policy(case.resource_policy, kind="resource").compiled
        if case.resource_policy is not None
        else None
    )
    identities = [parse_policy(p, kind="identity").compiled for p in case.identity_policies]
    context = {
        key.lower(): tuple(value) if isinstance(value, list) else value
        for key, value in case.context.items()
    }
    request = Request(case.action, FS_ARN, who, context, ACCOUNT)
    result = authorize(request, resource, identities)
    if result.decision == "allow":
        return "Allowed"
    return "ExplicitlyDenied" if result.reason == EXPLICIT_DENY else "ImplicitlyDenied"


def test_generated_cases_agree_with_iam_simulate(oracle: Oracle) -> None:
    cases = generate(CASES, SEED)
    for case in cases:  # every generated policy must be valid for us too
        if case.resource_policy is not None:
            assert parse_policy(case.resource_policy).ok, case.resource_policy
    replies = list(oracle.run(case.simulation() for case in cases))
    errors = [(case, reply) for case, reply in zip(cases, replies, strict=True) if "error" in reply]
    assert not errors, f"iam-simulate rejected {len(errors)} generated cases, first: {errors[0]}"
    ignored = [reply for reply in replies if reply["ignored"]]
    assert not ignored, f"iam-simulate ignored context keys: {ignored[0]}"
    outcomes: Counter[str] = Counter()
    disagreements = []
    for case, reply in zip(cases, replies, strict=True):
        mine = ours(case)
        outcomes[reply["overall"]] += 1
        if mine != reply["overall"]:
            disagreements.append((case, mine, reply))
    print(f"\ndifferential: {len(cases)} cases (seed {SEED}) compared, outcomes {dict(outcomes)}")
    # Every outcome must be exercised, or the comparison proves little.
    assert min(outcomes[k] for k in ("Allowed", "ExplicitlyDenied", "ImplicitlyDenied")) > 50
    if disagreements:
        case, mine, reply = disagreements[0]
        pytest.fail(
            f"{len(disagreements)} of {len(cases)} cases disagree; first: ours={mine} "
            f"iam-simulate={reply}\nsimulation={case.simulation()}"
        )
