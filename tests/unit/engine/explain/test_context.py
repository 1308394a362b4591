"""Context: signals rank the right cause first; the inventory producer finds them.

The seed incident (examples/seed-incident) is copied and edited per scenario, so every
scenario is a complete, realistic set of inputs that differs from the seed in one fact.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from efs_doctor.api import load_inventory
from efs_doctor.engine.explain import ContextSignal, explain, extract_facts, normalise
from efs_doctor.engine.explain.context import signals_from_inventory

SEED = Path(__file__).resolve().parents[4] / "examples" / "seed-incident"
FS = "fs-0123456789abcdef0"
AP = "fsap-0a1b2c3d4e5f60718"
TARGET = "/var/lib/kubelet/pods/5b1f/volumes/kubernetes.io~csi/efs-pv/mount"


def kubelet_error(options: str, output: str, exit_status: int = 32, source: str = "/") -> str:
    dash_o = f"-o {options} " if options else ""
    return (
        f'MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = Internal desc = '
        f'Could not mount "{FS}:{source}" at "{TARGET}": mount failed: exit status {exit_status}\n'
        "Mounting command: mount\n"
        f"Mounting arguments: -t efs {dash_o}{FS}:{source} {TARGET}\n"
        "Output: Could not start amazon-efs-mount-watchdog, unrecognized init system "
        '"aws-efs-csi-dri"\n'
        f"{output}\n"
    )


DENIED = "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'"
SEED_ERROR = kubelet_error("tls", DENIED)
RESOLVE = (
    f'Failed to resolve "{FS}.efs.us-east-1.amazonaws.com" - check that your file system ID is '
    "correct, and ensure that the VPC has an EFS mount target for this file system ID.\n"
    "See https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail."
)
RESOLVE_ERROR = kubelet_error("tls", RESOLVE, exit_status=1)

ACCESS_DENIED_CAUSES = (
    "iam-option-missing",
    "policy-denies-principal",
    "identity-policy-missing-client-actions",
    "policy-unsupported-condition-key",
    "policy-condition-not-met",
    "policy-missing-clientmount",
    "policy-secure-transport-no-tls",
    "access-point-root-dir-missing",
)
RESOLVE_CAUSES = (
    "no-mount-target-in-az",
    "vpc-dns-disabled",
    "dns-resolution-outside-vpc",
    "mount-target-lookup-permissions",
    "file-system-not-found",
)


@pytest.mark.parametrize("cause", ACCESS_DENIED_CAUSES)
def test_access_denied_each_cause_first_when_confirmed(cause: str) -> None:
    signal = ContextSignal(cause, "confirms", "simulated outcome", "sim:1", "simulate")
    assert explain(SEED_ERROR, [signal]).causes[0].id == cause


@pytest.mark.parametrize("cause", RESOLVE_CAUSES)
def test_failed_to_resolve_each_cause_first_when_confirmed(cause: str) -> None:
    signal = ContextSignal(cause, "confirms", "simulated outcome", None, "simulate")
    assert explain(RESOLVE_ERROR, [signal]).causes[0].id == cause


def test_rules_out_drops_a_cause_below_the_rest() -> None:
    signal = ContextSignal("iam-option-missing", "rules_out", "PV has iam", "pv.yaml:3")
    causes = explain(SEED_ERROR, [signal]).causes
    assert causes[0].id != "iam-option-missing"
    assert causes[-1].id == "iam-option-missing"
    assert causes[-1].status == "ruled_out"


def test_raises_lifts_without_confirming() -> None:
    signal = ContextSignal("policy-condition-not-met", "raises", "AP condition", None)
    causes = explain(SEED_ERROR, [signal]).causes
    cause = next(c for c in causes if c.id == "policy-condition-not-met")
    assert cause.status in ("likely", "possible")
    assert cause.score > explain(SEED_ERROR).causes[2].score


def test_conflicting_signals_settle_nothing() -> None:
    signals = [
        ContextSignal("iam-option-missing", "confirms", "a"),
        ContextSignal("iam-option-missing", "rules_out", "b"),
    ]
    cause = explain(SEED_ERROR, signals).causes[0]
    assert cause.id == "iam-option-missing"
    assert cause.status == "likely"


def test_context_does_not_add_causes_the_text_cannot_have() -> None:
    signal = ContextSignal("sg-missing-2049", "confirms", "no 2049 rule")
    assert "sg-missing-2049" not in {c.id for c in explain(SEED_ERROR, [signal]).causes}


def test_context_alone_when_the_text_is_unknown() -> None:
    signal = ContextSignal("sg-missing-2049", "confirms", "no 2049 rule")
    causes = explain("something odd happened", [signal]).causes
    assert [c.id for c in causes] == ["sg-missing-2049"]


def test_scores_stay_in_range() -> None:
    for cause in explain(SEED_ERROR, [ContextSignal("iam-option-missing", "confirms", "x")]).causes:
        assert 0.0 <= cause.score <= 1.0


# ---- the inventory producer, on edited copies of the seed incident ----------------------


Edit = Callable[[Path], None]


def world(tmp_path: Path, *edits: Edit) -> Path:
    root = tmp_path / "world"
    shutil.copytree(SEED, root)
    for edit in edits:
        edit(root)
    return root


def with_policy(document: dict[str, object]) -> Edit:
    def edit(root: Path) -> None:
        (root / "aws" / "file-system-policy.json").write_text(json.dumps(document, indent=2))

    return edit


def replace_in(relative: str, old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        path = root / relative
        text = path.read_text()
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new))

    return edit


def ranked(root: Path, text: str) -> list[str]:
    inventory = load_inventory([str(root)])
    signals = signals_from_inventory(inventory, extract_facts(normalise(text)))
    return [c.id for c in explain(text, signals).causes if c.status != "ruled_out"]


def statement(
    principal: object, actions: list[str], condition: dict[str, object] | None = None
) -> dict[str, object]:
    result: dict[str, object] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": actions,
        "Resource": f"arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/{FS}",
    }
    if condition:
        result["Condition"] = condition
    return result


ALL_CLIENT = [
    "elasticfilesystem:ClientMount",
    "elasticfilesystem:ClientWrite",
    "elasticfilesystem:ClientRootAccess",
]
PV_IAM = replace_in(
    "k8s/pv-and-claim.yaml",
    "  storageClassName: efs-sc\n  csi:",
    "  storageClassName: efs-sc\n  mountOptions:\n    - iam\n  csi:",
)


def test_seed_incident_ranks_iam_option_missing_first_with_evidence() -> None:
    inventory = load_inventory([str(SEED)])
    signals = signals_from_inventory(inventory, extract_facts(normalise(SEED_ERROR)))
    cause = explain(SEED_ERROR, signals).causes[0]
    assert cause.id == "iam-option-missing"
    assert cause.status == "confirmed"
    context = [e for e in cause.evidence if e.kind == "context"]
    assert any(
        "PV efs-pv" in e.text and "pv-and-claim.yaml:" in (e.location or "") for e in context
    )
    assert any(
        "aws:PrincipalArn" in e.text and "file-system-policy.json:" in (e.location or "")
        for e in context
    )


def test_without_context_iam_option_missing_is_in_the_top_three() -> None:
    causes = explain(SEED_ERROR).causes
    assert "iam-option-missing" in [c.id for c in causes[:3]]
    assert causes[0].checks


def test_denied_principal(tmp_path: Path) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            statement({"AWS": "arn:aws:iam::111122223333:role/app-efs-access"}, ALL_CLIENT)
        ],
    }
    root = world(tmp_path, with_policy(policy), PV_IAM)
    assert ranked(root, kubelet_error("iam,tls", DENIED))[0] == "policy-denies-principal"


def test_secure_transport_deny(tmp_path: Path) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            statement({"AWS": "*"}, ALL_CLIENT),
            {
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
    attributes = replace_in(
        "k8s/pv-and-claim.yaml",
        f"    volumeHandle: {FS}",
        f'    volumeHandle: {FS}\n    volumeAttributes:\n      encryptInTransit: "false"',
    )
    root = world(tmp_path, with_policy(policy), attributes)
    assert ranked(root, kubelet_error("", DENIED))[0] == "policy-secure-transport-no-tls"


def test_access_point_condition(tmp_path: Path) -> None:
    other = "arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-0ffffffffffffffff"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            statement(
                {"AWS": "*"},
                ALL_CLIENT,
                {"StringEquals": {"elasticfilesystem:AccessPointArn": other}},
            )
        ],
    }
    handle = replace_in("k8s/pv-and-claim.yaml", f"volumeHandle: {FS}", f"volumeHandle: {FS}::{AP}")
    root = world(tmp_path, with_policy(policy), handle)
    text = kubelet_error(f"accesspoint={AP},tls", DENIED)
    assert ranked(root, text)[0] == "policy-condition-not-met"


def test_identity_policy_missing(tmp_path: Path) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            statement({"AWS": "*"}, ["elasticfilesystem:ClientWrite"]),
            statement({"AWS": "*"}, ALL_CLIENT, {"Bool": {"aws:SecureTransport": "false"}}),
        ],
    }
    root = world(tmp_path, with_policy(policy), PV_IAM)
    assert ranked(root, kubelet_error("iam,tls", DENIED))[0] == (
        "identity-policy-missing-client-actions"
    )


def test_no_policy_rules_out_every_authorization_cause(tmp_path: Path) -> None:
    def no_policy(root: Path) -> None:
        (root / "aws" / "file-system-policy.json").write_text(
            json.dumps({"FileSystemId": FS, "Error": {"Code": "PolicyNotFound", "Message": "x"}})
        )

    root = world(tmp_path, no_policy)
    assert ranked(root, SEED_ERROR) == []


def test_no_mount_target_in_the_nodes_zone(tmp_path: Path) -> None:
    text = RESOLVE_ERROR + "\nNode: ip-10-0-70-9.ec2.internal/10.0.70.9\n"

    def drop_zone_c(root: Path) -> None:
        path = root / "aws" / "efs-describe-mount-targets.json"
        data = json.loads(path.read_text())
        data["MountTargets"] = [
            mt for mt in data["MountTargets"] if mt["AvailabilityZoneName"] != "us-east-1c"
        ]
        path.write_text(json.dumps(data))

    root = world(tmp_path, drop_zone_c)
    assert ranked(root, text)[0] == "no-mount-target-in-az"


def test_vpc_dns_disabled(tmp_path: Path) -> None:
    edit = replace_in("aws/ec2-describe-vpc-attribute-dns-support.json", "true", "false")
    assert ranked(world(tmp_path, edit), RESOLVE_ERROR)[0] == "vpc-dns-disabled"


def test_nodes_outside_the_vpc(tmp_path: Path) -> None:
    def move_nodes(root: Path) -> None:
        path = root / "aws" / "ec2-describe-instances.json"
        path.write_text(path.read_text().replace("vpc-0a1b2c3d4e5f60718", "vpc-0ffff0000ffff0000"))

    assert ranked(world(tmp_path, move_nodes), RESOLVE_ERROR)[0] == "dns-resolution-outside-vpc"


def test_file_system_not_found(tmp_path: Path) -> None:
    edit = replace_in(
        "aws/efs-describe-file-systems.json",
        f'"FileSystemId": "{FS}"',
        '"FileSystemId": "fs-0999999999abcdef0"',
    )
    assert ranked(world(tmp_path, edit), RESOLVE_ERROR)[0] == "file-system-not-found"


def test_fallback_permissions_of_the_node_role() -> None:
    # In the seed, DNS prerequisites hold and the node role may not call DescribeMountTargets.
    assert ranked(SEED, RESOLVE_ERROR)[0] == "mount-target-lookup-permissions"


def test_text_naming_another_volume_gets_no_signals() -> None:
    inventory = load_inventory([str(SEED)])
    text = SEED_ERROR.replace("efs-pv", "other-pv").replace(FS, "fs-0999999999abcdef0")
    assert signals_from_inventory(inventory, extract_facts(normalise(text))) == []


def test_simulated_outcomes_become_signals() -> None:
    from efs_doctor.engine.explain.outcome import signals_from_outcome

    text_only = [c.id for c in explain(SEED_ERROR).causes]
    failed = signals_from_outcome("failed", "policy-condition-not-met", "AP condition", text_only)
    assert explain(SEED_ERROR, failed).causes[0].id == "policy-condition-not-met"
    mounted = signals_from_outcome("mounted", None, "policy allows *", text_only)
    assert all(c.status == "ruled_out" for c in explain(SEED_ERROR, mounted).causes)
    assert signals_from_outcome("indeterminate", None, "no policy input", text_only) == []


def test_simulation_signals_for_the_seed_and_the_fixed_version() -> None:
    from efs_doctor.engine.explain.context import select_chains
    from efs_doctor.engine.explain.simulated import simulation_signals

    facts = extract_facts(normalise(SEED_ERROR))
    text_only = [c.id for c in explain(SEED_ERROR).causes]
    seed = load_inventory([str(SEED)])
    signals = simulation_signals(seed, select_chains(seed, facts), facts, text_only)
    assert [(s.cause, s.effect) for s in signals] == [("iam-option-missing", "confirms")]
    healthy = load_inventory([str(SEED.parent / "healthy")])
    signals = simulation_signals(healthy, select_chains(healthy, facts), facts, text_only)
    assert signals
    assert {s.effect for s in signals} == {"rules_out"}
