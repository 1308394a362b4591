"""Acceptance: the seed incident and its fixed version, through the library and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.engine.mount import MountOutcome, SimulationOptions, simulate_all, simulate_chain

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"
SEED = str(EXAMPLES / "seed-incident")
HEALTHY = str(EXAMPLES / "healthy")
Cli = Callable[..., CompletedProcess[str]]
ACCESS_DENIED = "mount.nfs4: access denied by server while mounting 127.0.0.1:/"


def _simulate(path: str) -> list[MountOutcome]:
    inventory = load_inventory([path])
    return simulate_all(inventory, mount_chains(inventory))


def test_seed_incident_fails_at_authorization() -> None:
    # efs-semantics.md §4.8: no iam => anonymous; the policy's only Allow needs
    # aws:PrincipalArn, absent for anonymous clients => implicit deny => access denied.
    (outcome,) = _simulate(SEED)
    assert outcome.outcome == "failed"
    assert outcome.layer == "authorization"
    assert outcome.cause == "iam-option-missing"
    assert outcome.principal == "anonymous"
    assert outcome.error is not None
    assert f"b'{ACCESS_DENIED}'" in outcome.error
    assert "mount failed: exit status 32" in outcome.error
    assert outcome.mount_command is not None
    assert outcome.mount_command.startswith("mount -t efs -o tls fs-0123456789abcdef0:/ ")
    statuses = {s.step: s.status for s in outcome.steps}
    assert statuses["network"] == "ok"  # the security groups admit 2049 (README)
    assert statuses["credentials"] == "skipped"
    assert statuses["sub-path"] == "skipped"


def test_healthy_mounts_read_write_as_the_node_role() -> None:
    (outcome,) = _simulate(HEALTHY)
    assert outcome.outcome == "mounted", outcome.reason
    assert outcome.principal == "arn:aws:iam::111122223333:role/eks-node-group-role"
    assert outcome.principal_session is not None
    assert outcome.principal_session.startswith(
        "arn:aws:sts::111122223333:assumed-role/eks-node-group-role/i-"
    )
    assert outcome.access is not None
    assert (outcome.access.read, outcome.access.write) == (True, True)
    assert outcome.cause is None
    assert outcome.error is None
    assert "-o tls,iam " in (outcome.mount_command or "")


def test_simulate_chain_matches_simulate_all() -> None:
    inventory = load_inventory([SEED])
    (chain,) = mount_chains(inventory)
    assert simulate_chain(chain, inventory) == simulate_all(inventory, [chain])


def test_versions_come_from_the_daemonset_unless_given() -> None:
    inventory = load_inventory([SEED])
    chains = mount_chains(inventory)
    (default,) = simulate_all(inventory, chains)
    assert default.csi_driver_version == "3.4.1"
    (old,) = simulate_all(inventory, chains, SimulationOptions(efs_utils_version="1.36.0"))
    # efs-utils 1.x: TLS mounts still go through 127.0.0.1 (stunnel), same error (§2.5).
    assert old.efs_utils_version == "1.36.0"
    assert old.error is not None
    assert ACCESS_DENIED in old.error


# ---- CLI ---------------------------------------------------------------------------------
def test_cli_text_diagram(cli: Cli) -> None:
    result = cli("simulate", SEED)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "FAILED at authorization (cause iam-option-missing)" in out
    assert "> FAIL  EFS auth" in out
    for layer in (
        "pod",
        "node",
        "CSI driver",
        "efs-utils proxy",
        "mount target",
        "access point",
        "directory",
    ):
        assert layer in out
    assert ACCESS_DENIED in out
    assert "mount:  mount -t efs -o tls fs-0123456789abcdef0:/" in out


def test_cli_json_contract(cli: Cli) -> None:
    result = cli("simulate", SEED, "--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    (mount,) = document["mounts"]
    for key in (
        "pod",
        "pvc",
        "pv",
        "node_or_zone",
        "outcome",
        "layer",
        "cause",
        "error",
        "reason",
        "mount_command",
        "principal",
        "principal_session",
        "access",
        "steps",
    ):
        assert key in mount
    assert mount["outcome"] == "failed"
    assert mount["cause"] == "iam-option-missing"
    assert mount["access"] is None
    for step in mount["steps"]:
        assert set(step) >= {"step", "status", "evidence", "source"}
        assert step["status"] in ("ok", "failed", "indeterminate", "skipped")


def test_cli_healthy_exits_zero(cli: Cli) -> None:
    result = cli("simulate", HEALTHY, "--format", "json")
    assert result.returncode == 0, result.stderr
    (mount,) = json.loads(result.stdout)["mounts"]
    assert mount["access"]["write"] is True


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--pod", "web/web"], 1),
        (["--pod", "web/deployment/web"], 1),
        (["--pv", "efs-pv"], 1),
        (["--pv", "no-such-pv"], 2),
        (["--csi-driver-version", "latest"], 2),
        (["--efs-utils-version", "2.4.2"], 1),
    ],
)
def test_cli_filters_and_options(cli: Cli, args: list[str], code: int) -> None:
    result = cli("simulate", SEED, *args)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr


def test_cli_no_input(cli: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    result = cli("simulate", str(empty))
    assert result.returncode == 2
