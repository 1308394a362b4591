"""Issue 14 cases 4 and 5: `scan` and `simulate` answer the IRSA trust question from the same
IAM engine verdict (engine/iam/trust.py), so they never contradict each other.

The inputs are examples/healthy with the edits of the IDN002 rule cases of the same name
(tests/rules/cases/IDN002.yaml), plus, for case 4, a file system policy that names the IRSA
role so that the mount can succeed.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
IDN002_CASES = REPO / "tests" / "rules" / "cases" / "IDN002.yaml"
NODE_ROLE = "arn:aws:iam::111122223333:role/eks-node-group-role"
IRSA_ROLE = "arn:aws:iam::111122223333:role/efs-node-irsa"
CONTROLLER_ROLE = "arn:aws:iam::111122223333:role/efs-csi-controller-role"
NODE_SA = "ServiceAccount/kube-system/efs-csi-node-sa"


def _casefile() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "idn_casefile", REPO / "tests" / "rules" / "casefile.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _world(name: str, root: Path) -> Path:
    casefile = _casefile()
    (case,) = [c for c in casefile.load_cases(IDN002_CASES) if c.name == name]
    world: Path = casefile.materialise(case, root)
    return world


def _json(cli: Any, command: str, world: Path) -> tuple[int, dict[str, Any]]:
    result = cli(command, str(world), "--format", "json", cwd=REPO)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def _findings(report: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["code"] == code]


def _policy_naming(role_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": role_arn},
                    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                    "Resource": "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/"
                    "fs-0123456789abcdef0",
                }
            ],
        }
    )


def test_case_4_trust_action_wildcard(cli: Any, tmp_path: Path) -> None:
    """sts:AssumeRoleWith* matches AssumeRoleWithWebIdentity: IDN002 stays silent and the
    simulated mount presents the IRSA role, which the policy admits."""
    world = _world("issue 14 case 4, trust Action sts:AssumeRoleWith* admits the node SA", tmp_path)
    (world / "aws" / "file-system-policy.json").write_text(_policy_naming(IRSA_ROLE))
    status, simulated = _json(cli, "simulate", world)
    assert status == 0
    (mount,) = simulated["mounts"]
    assert (mount["outcome"], mount["principal"]) == ("mounted", IRSA_ROLE)
    status, scanned = _json(cli, "scan", world)
    assert _findings(scanned, "IDN002") == []
    assert not any("falls back" in f["message"] for f in scanned["findings"])
    assert status == 0, [f["message"] for f in scanned["findings"]]


def test_case_5_trust_of_another_sa_simulated_and_reported_alike(cli: Any, tmp_path: Path) -> None:
    """The node SA's role trusts another service account; the policy allows the node role:
    simulate mounts as the node role, and IDN002 reports the mismatch as a misconfiguration
    (medium) that falls back, without claiming the mount fails (efs-semantics.md §2.8)."""
    world = _world(
        "issue 14 case 5, IRSA role of the node SA trusts another service account", tmp_path
    )
    status, simulated = _json(cli, "simulate", world)
    assert status == 0
    (mount,) = simulated["mounts"]
    assert (mount["outcome"], mount["principal"]) == ("mounted", NODE_ROLE)
    _, scanned = _json(cli, "scan", world)
    (idn002,) = _findings(scanned, "IDN002")
    assert idn002["severity"] == "medium"
    assert idn002["location"]["object"] == NODE_SA
    assert "falls back to the node instance role" in idn002["message"]
    assert idn002.get("expected_error") is None


def test_case_5_scan_does_not_deny_the_untrusted_irsa_role(cli: Any, tmp_path: Path) -> None:
    """AUTH002 reads the principal the credential chain ends up with (the node role, which
    the policy allows), not the IRSA annotation: no "ClientMount is not granted ... access
    denied" for the untrusted role, and no finding that says the mount fails."""
    world = _world(
        "issue 14 case 5, IRSA role of the node SA trusts another service account", tmp_path
    )
    _, scanned = _json(cli, "scan", world)
    assert _findings(scanned, "AUTH002") == []
    assert not any(
        CONTROLLER_ROLE in f["message"] for f in scanned["findings"] if f["code"] != "IDN002"
    )
    assert not any(f["severity"] in ("high", "critical") for f in scanned["findings"])
    assert not any(f.get("expected_error") for f in scanned["findings"])


def test_rule_cases_used_here_exist() -> None:
    names = {c["name"] for c in yaml.safe_load(IDN002_CASES.read_text())["cases"]}
    assert {
        "issue 14 case 4, trust Action sts:AssumeRoleWith* admits the node SA",
        "issue 14 case 5, IRSA role of the node SA trusts another service account",
    } <= names
