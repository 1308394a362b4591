"""Issue 14's cases for explain, each one small edit of examples/healthy: explain must agree
with the mount simulation of the same files.

- case 1: ``volumeAttributes.mounttargetipmap``. Driver v3.0.0 rejects it ("Volume context
  property mounttargetipmap not supported."); v3.1.0 added it (aws-efs-csi-driver
  CHANGELOG-3.x, pkg/driver/node.go NodePublishVolume; efs-semantics.md §3.3).
- case 2: the file system policy's Allow names the account root and the node role has no
  ClientMount grant of its own: an account principal delegates to the account's identity
  policies (IAM policy evaluation logic, same account:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html;
  efs-semantics.md §4.4), so the cause is ``identity-policy-missing-client-actions``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.api.explain import explain_error
from efs_doctor.engine.mount import MountOutcome, simulate_all

HEALTHY = Path(__file__).resolve().parents[4] / "examples" / "healthy"
FS = "fs-0123456789abcdef0"
TARGET = "/var/lib/kubelet/pods/5b1f/volumes/kubernetes.io~csi/efs-pv/mount"
IP_MAP = {"us-east-1a": "10.0.5.10", "us-east-1b": "10.0.37.10", "us-east-1c": "10.0.69.10"}
NOT_SUPPORTED = (
    'MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = InvalidArgument desc = '
    "Volume context property mounttargetipmap not supported."
)
ACCESS_DENIED = (
    f'MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = Internal desc = Could '
    f'not mount "{FS}:/" at "{TARGET}": mount failed: exit status 32\n'
    "Mounting command: mount\n"
    f"Mounting arguments: -t efs -o tls,iam {FS}:/ {TARGET}\n"
    "Output: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'\n"
)
CASE_2_CAUSE = "identity-policy-missing-client-actions"
NODE_ROLE = "eks-node-group-role"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "healthy"
    shutil.copytree(HEALTHY, root)
    return root


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


def _simulate(root: Path) -> list[MountOutcome]:
    inventory = load_inventory([str(root)])
    return simulate_all(inventory, mount_chains(inventory))


def _mount_target_ip_map(tmp_path: Path, driver_tag: str | None) -> Path:
    root = _copy(tmp_path)
    _replace(
        root / "k8s" / "pv-and-claim.yaml",
        f"    volumeHandle: {FS}\n",
        f"    volumeHandle: {FS}\n    volumeAttributes:\n"
        f"      mounttargetipmap: '{json.dumps(IP_MAP)}'\n",
    )
    if driver_tag is not None:
        _replace(root / "k8s" / "efs-csi-driver.yaml", ":v3.4.1", f":{driver_tag}")
    return root


def test_case_1_mounttargetipmap_rejected_by_driver_3_0_0(tmp_path: Path) -> None:
    root = _mount_target_ip_map(tmp_path, "v3.0.0")
    (outcome,) = _simulate(root)
    assert (outcome.outcome, outcome.layer, outcome.cause) == (
        "failed",
        "csi",
        "volume-attributes-invalid",
    )
    assert outcome.error == NOT_SUPPORTED
    explanation, _ = explain_error(outcome.error, load_inventory([str(root)]))
    first = explanation.causes[0]
    assert (first.id, first.status) == ("volume-attributes-invalid", "confirmed")
    assert any("3.0.0 (efs-csi-node image tag)" in e.text for e in first.evidence)


def test_case_1_mounttargetipmap_accepted_by_the_default_driver(tmp_path: Path) -> None:
    root = _mount_target_ip_map(tmp_path, None)  # examples/healthy runs v3.4.1
    (outcome,) = _simulate(root)
    csi = next(s for s in outcome.steps if s.step == "csi")
    assert csi.status == "ok"
    explanation, _ = explain_error(NOT_SUPPORTED, load_inventory([str(root)]))
    cause = next(c for c in explanation.causes if c.id == "volume-attributes-invalid")
    assert cause.status == "ruled_out"
    assert any("passes csi" in e.text and "3.4.1" in e.text for e in cause.evidence)


def _account_principal(tmp_path: Path) -> Path:
    root = _copy(tmp_path)
    _replace(
        root / "aws" / "file-system-policy.json",
        '"arn:aws:iam::111122223333:role/eks-node-group-role"',
        '"arn:aws:iam::111122223333:root"',
    )
    return root


def test_case_2_account_principal_identity_policy_missing_first(tmp_path: Path) -> None:
    # The node role's policies are all known (its AWS managed policies are vendored, none
    # grants elasticfilesystem:ClientMount), so the simulation decides.
    root = _account_principal(tmp_path)
    (outcome,) = _simulate(root)
    assert (outcome.outcome, outcome.layer, outcome.cause) == (
        "failed",
        "authorization",
        CASE_2_CAUSE,
    )
    assert outcome.error is not None
    assert "access denied by server while mounting 127.0.0.1:/" in outcome.error
    for text in (ACCESS_DENIED, outcome.error):
        explanation, _ = explain_error(text, load_inventory([str(root)]))
        first = explanation.causes[0]
        assert (first.id, first.status) == (CASE_2_CAUSE, "confirmed")


def test_case_2_with_a_role_policy_not_among_the_inputs_nothing_is_ruled_out(
    tmp_path: Path,
) -> None:
    # Unknown stays unknown (issue 14 item 3): a customer managed policy attached to the node
    # role but absent from the inputs leaves the authorization undecided, so explain neither
    # confirms nor rules out an authorization cause.
    root = _account_principal(tmp_path)
    details = root / "aws" / "iam-get-account-authorization-details.json"
    document = json.loads(details.read_text())
    (node_role,) = [r for r in document["RoleDetailList"] if r["RoleName"] == NODE_ROLE]
    node_role["AttachedManagedPolicies"].append(
        {"PolicyName": "node-extra", "PolicyArn": "arn:aws:iam::111122223333:policy/node-extra"}
    )
    details.write_text(json.dumps(document))
    (outcome,) = _simulate(root)
    assert (outcome.outcome, outcome.layer) == ("indeterminate", "authorization")
    explanation, _ = explain_error(ACCESS_DENIED, load_inventory([str(root)]))
    statuses = {c.id: c.status for c in explanation.causes}
    assert statuses[CASE_2_CAUSE] != "ruled_out"
    assert "confirmed" not in statuses.values()
    assert CASE_2_CAUSE in [c.id for c in explanation.causes[:2]]
