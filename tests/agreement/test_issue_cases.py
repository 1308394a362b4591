"""The contradictions issue 14 reported, one small edit of examples/healthy each, as named
regressions: ``scan`` and ``simulate`` (run as the user runs them) give the same answer.
``policy simulate`` (case 6) and ``explain`` have their own regression tests beside those
commands' tests."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from variants import APP_ROLE, NODE_ROLE, Edit, build

Cli = Callable[..., subprocess.CompletedProcess[str]]
MAP = '{"us-east-1a": "10.0.5.10", "us-east-1b": "10.0.6.10", "us-east-1c": "10.0.7.10"}'


def _run(cli: Cli, world: Path) -> tuple[int, dict[str, Any], int, dict[str, Any]]:
    scan = cli("scan", str(world), "--format", "json")
    simulate = cli("simulate", str(world), "--format", "json")
    assert scan.returncode in (0, 1), scan.stderr
    assert simulate.returncode in (0, 1), simulate.stderr
    return (
        scan.returncode,
        json.loads(scan.stdout),
        simulate.returncode,
        json.loads(simulate.stdout),
    )


def _codes(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["code"], []).append(finding)
    return found


def test_case_1_mounttargetipmap_on_driver_3_0_0(cli: Cli, tmp_path: Path) -> None:
    # mountTargetIpMap arrived in driver v3.1.0 (efs-semantics.md §3.3); v3.0.0 refuses it.
    old = build(
        [Edit("volume_attributes", {"mounttargetipmap": MAP}), Edit("driver_image", "v3.0.0")],
        tmp_path / "old",
    )
    scan_status, scan, simulate_status, simulate = _run(cli, old)
    [mount] = simulate["mounts"]
    assert (mount["outcome"], mount["layer"], mount["cause"]) == (
        "failed",
        "csi",
        "volume-attributes-invalid",
    )
    assert "Volume context property mounttargetipmap not supported." in mount["error"]
    [finding] = _codes(scan)["CSI007"]
    assert finding["cause"] == "volume-attributes-invalid"
    assert finding["severity"] == "critical"
    assert "mounttargetipmap not supported" in finding["expected_error"]
    assert (scan_status, simulate_status) == (1, 1)

    current = build([Edit("volume_attributes", {"mounttargetipmap": MAP})], tmp_path / "new")
    scan_status, scan, _, simulate = _run(cli, current)
    assert "CSI007" not in _codes(scan)
    assert all(m["layer"] != "csi" for m in simulate["mounts"])


ACCOUNT_ROOT = Edit("file_system_policy", ["account-root"])


def test_case_2_account_root_allow_without_identity_grant(cli: Cli, tmp_path: Path) -> None:
    # An Allow for the account root delegates to the account's identity policies (IAM user
    # guide, "Cross account resource access" / principals): the node role's policies are all
    # known (the default EKS node policies are vendored) and none grants ClientMount.
    world = build([ACCOUNT_ROOT], tmp_path)
    scan_status, scan, simulate_status, simulate = _run(cli, world)
    assert {(m["outcome"], m["cause"]) for m in simulate["mounts"]} == {
        ("failed", "identity-policy-missing-client-actions")
    }
    [finding] = _codes(scan)["AUTH002"]
    assert finding["cause"] == "identity-policy-missing-client-actions"
    assert (finding["severity"], finding["confidence"]) == ("critical", "high")
    assert NODE_ROLE in finding["message"]
    assert (scan_status, simulate_status) == (1, 1)


def test_case_2_unknown_identity_policy_is_unknown_everywhere(cli: Cli, tmp_path: Path) -> None:
    # A customer managed policy not among the inputs could grant ClientMount: both commands
    # say they cannot tell (contracts.md: unknown is not a denial).
    world = build([ACCOUNT_ROOT, Edit("node_identity", "unknown-customer")], tmp_path)
    _, scan, _, simulate = _run(cli, world)
    assert {m["outcome"] for m in simulate["mounts"]} == {"indeterminate"}
    assert "AUTH002" not in _codes(scan)
    assert any(i["code"] == "AUTH002" for i in scan["inconclusive"])


def test_case_3_managed_client_policy_grants_the_mount(cli: Cli, tmp_path: Path) -> None:
    # AmazonElasticFileSystemClientReadWriteAccess grants ClientMount and ClientWrite
    # (AWS managed policy reference, v1); it is vendored, so it is known without the input.
    world = build([ACCOUNT_ROOT, Edit("node_identity", "rw-managed")], tmp_path)
    _, scan, simulate_status, simulate = _run(cli, world)
    assert {m["outcome"] for m in simulate["mounts"]} == {"mounted"}
    assert all(m["access"]["write"] for m in simulate["mounts"])
    assert simulate_status == 0
    assert not {"AUTH001", "AUTH002", "MNT001"} & set(_codes(scan))
    assert not [i for i in scan["inconclusive"] if i["code"] == "AUTH002"]


CLUSTER = Edit("cluster", True)


def _irsa_trust(action: str, service_account: str) -> Edit:
    return Edit("trust", {"action": action, "operator": "StringEquals", "sa": service_account})


def test_case_4_wildcard_trust_action_is_the_irsa_role(cli: Cli, tmp_path: Path) -> None:
    # IAM matches Action patterns with wildcards: sts:AssumeRoleWith* covers
    # sts:AssumeRoleWithWebIdentity (IAM JSON policy elements: Action), so efs-utils gets the
    # IRSA role and EFS sees it.
    world = build(
        [
            CLUSTER,
            Edit("node_irsa", APP_ROLE),
            _irsa_trust("sts:AssumeRoleWith*", "efs-csi-node-sa"),
            Edit("file_system_policy", ["app-role-only"]),
        ],
        tmp_path,
    )
    _, scan, simulate_status, simulate = _run(cli, world)
    assert {(m["outcome"], m["principal"]) for m in simulate["mounts"]} == {("mounted", APP_ROLE)}
    assert simulate_status == 0
    # the trust holds, so no rule says efs-utils falls back to the node role
    assert not {"AUTH002", "IDN002", "MNT001"} & set(_codes(scan))


def test_case_5_broken_irsa_trust_falls_through_to_the_node_role(cli: Cli, tmp_path: Path) -> None:
    # A web identity exchange that fails is skipped silently: efs-utils goes on to the
    # instance profile (efs-semantics.md §2.8), so the node role mounts, and the policy
    # allows the node role.
    world = build(
        [
            CLUSTER,
            Edit("node_irsa", APP_ROLE),
            _irsa_trust("sts:AssumeRoleWithWebIdentity", "efs-csi-controller-sa"),
        ],
        tmp_path,
    )
    _, scan, simulate_status, simulate = _run(cli, world)
    assert {(m["outcome"], m["principal"]) for m in simulate["mounts"]} == {("mounted", NODE_ROLE)}
    assert simulate_status == 0
    codes = _codes(scan)
    assert "AUTH002" not in codes
    assert "MNT001" not in codes
    # the trust mismatch is still worth fixing: IDN002 says so, without a mount failure
    [mismatch] = codes["IDN002"]
    assert mismatch["severity"] == "medium"
    assert "falls back to the node instance role" in mismatch["message"]
