"""Inputs people build EKS clusters with, mapped to the objects the AWS CLI and Kubernetes
answers give (issue 18, item 5): eksctl ClusterConfig, Terraform ``aws_eks_addon`` and
``aws_eks_pod_identity_association`` for the EFS CSI driver."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
from tests.conftest import CORPUS

from efs_doctor.api import load_inventory

REPO = Path(__file__).resolve().parents[4]
IAC = REPO / "tests/fixtures/iac"
# The real-world corpus beside the driver's example corpus (../shared/corpus/realworld, as
# CI finds it), or beside the checkout; EFS_DOCTOR_REALWORLD names another place.
_BESIDE = [CORPUS.parent / "realworld", REPO.parent / "shared/corpus/realworld"]
REALWORLD = Path(
    os.environ.get("EFS_DOCTOR_REALWORLD")
    or next((str(p) for p in _BESIDE if p.is_dir()), str(_BESIDE[0]))
)
Cli = Callable[..., CompletedProcess[str]]


def scan(cli: Cli, path: Path) -> dict[str, Any]:
    result = cli("scan", "--format", "json", "--min-severity", "info", str(path), cwd=REPO)
    assert "Traceback" not in result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_eksctl_pod_identity_role_is_the_node_principal(cli: Cli) -> None:
    """The node service account's role comes from ``iam.podIdentityAssociations`` of the
    ClusterConfig; eksctl creates it with the policies the entry names (none for EFS
    clients), so the engine decides: the policy names another role, the mount is denied."""
    folder = IAC / "eksctl/pod-identity-node"
    document = scan(cli, folder)
    (denied,) = [f for f in document["findings"] if f["code"] == "AUTH002"]
    assert denied["cause"] == "policy-denies-principal"
    assert "arn:aws:iam::111122223333:role/efs-csi-node" in denied["message"]
    (evidence,) = [r for r in denied["related"] if r["path"].endswith("cluster.yaml")]
    assert evidence["line"] == 16  # the association's entry


def test_eksctl_add_on_role_annotates_both_driver_service_accounts(tmp_path: Path) -> None:
    # The EKS add-on uses its one service account role for efs-csi-controller-sa and
    # efs-csi-node-sa (https://docs.aws.amazon.com/eks/latest/userguide/add-ons-aws-efs-csi-driver.html).
    config = tmp_path / "cluster.yaml"
    config.write_text(
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n"
        "metadata: {name: prod, region: eu-west-1}\n"
        "addons:\n  - name: aws-efs-csi-driver\n"
        "    serviceAccountRoleARN: arn:aws:iam::111122223333:role/efs-csi\n"
    )
    inventory = load_inventory([str(config)])
    annotated = {
        sa.name: sa.meta.annotations.get("eks.amazonaws.com/role-arn")
        for sa in inventory.service_accounts.values()
    }
    assert annotated == {
        "efs-csi-controller-sa": "arn:aws:iam::111122223333:role/efs-csi",
        "efs-csi-node-sa": "arn:aws:iam::111122223333:role/efs-csi",
    }


def test_terraform_add_on_pod_identity_blocks_are_matched_by_service_account(cli: Cli) -> None:
    """``pod_identity_association`` is a set: the plan lists the controller's block first, the
    configuration the node's; each role is linked through its own block. A healthy plan with
    two statements (one grants ClientMount to the mounting role) reports nothing above low."""
    plan = IAC / "terraform/addon-pod-identity/plan.json"
    inventory = load_inventory([str(plan)])
    roles = {a.service_account: a.role_arn for a in inventory.pod_identity_associations}
    assert roles == {
        "efs-csi-node-sa": "arn:aws:iam::111122223333:role/efs-csi-node",
        "efs-csi-controller-sa": "arn:aws:iam::111122223333:role/efs-csi-controller",
    }
    document = scan(cli, plan)
    severities = {f["code"]: f["severity"] for f in document["findings"]}
    assert severities == {"AUTH003": "low"}
    (note,) = document["findings"]
    assert note["cause"] is None
    assert note["location"]["object"] == "aws_efs_file_system_policy.shared"


@pytest.mark.skipif(
    not (REALWORLD / "13-eksctl-examples").is_dir(), reason="real-world corpus not present"
)
def test_eksctl_examples_from_the_eksctl_repository_are_read() -> None:
    """../shared/corpus/realworld/13-eksctl-examples (eksctl-io/eksctl examples 06, 13, 39):
    no longer "no usable input"."""
    inventory = load_inventory([str(REALWORLD / "13-eksctl-examples")])
    controller = next(
        sa for sa in inventory.service_accounts.values() if sa.name == "efs-csi-controller-sa"
    )
    role_arn = controller.meta.annotations["eks.amazonaws.com/role-arn"]
    role = inventory.roles[role_arn]
    # wellKnownPolicies.efsCSIController: eksctl's PolicyEFSCSIController (no Client* action)
    document = json.dumps(role.inline_policies["PolicyEFSCSIController"])
    assert "elasticfilesystem:CreateAccessPoint" in document
    assert "ClientMount" not in document
    assert len(inventory.pod_identity_associations) == 5
    node_roles = [r for r in inventory.roles.values() if "PolicyEFS" in r.inline_policies]
    assert node_roles  # 06-csi-drivers: nodeGroups[].iam.withAddonPolicies.efs
    assert set(inventory.clusters) == {"cluster-6", "cluster-13", "cluster-39"}
