"""Context: signals rank the right cause first; the mount simulation of the inputs gives them.

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
from efs_doctor.api.explain import explain_error
from efs_doctor.engine.explain import ContextSignal, explain
from efs_doctor.engine.explain.simulated import OPTION_CAUSES

SEED = Path(__file__).resolve().parents[4] / "examples" / "seed-incident"
HEALTHY = SEED.parent / "healthy"
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


# ---- context from the simulated mounts, on edited copies of the seed incident ------------


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
    explanation, _ = explain_error(text, load_inventory([str(root)]))
    return [c.id for c in explanation.causes if c.status != "ruled_out"]


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
    explanation, context = explain_error(SEED_ERROR, load_inventory([str(SEED)]))
    cause = explanation.causes[0]
    assert cause.id == "iam-option-missing"
    assert cause.status == "confirmed"
    context_evidence = [e for e in cause.evidence if e.kind == "context"]
    # The simulated denial, at the policy that decides it, and the options, at the PV.
    assert any(
        "fails at authorization" in e.text
        and "no iam option" in e.text
        and "file-system-policy.json:" in (e.location or "")
        for e in context_evidence
    )
    assert any(
        "-o tls fs-0123456789abcdef0:/" in e.text and "pv-and-claim.yaml:" in (e.location or "")
        for e in context_evidence
    )
    assert context is not None
    assert [o.cause for o in context.outcomes] == ["iam-option-missing"]


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


def test_client_write_without_client_mount(tmp_path: Path) -> None:
    # ClientWrite for everyone, ClientMount only over plaintext, and the mount uses TLS:
    # the engine names it policy-missing-clientmount (engine/mount/denial.py; §4.6).
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            statement({"AWS": "*"}, ["elasticfilesystem:ClientWrite"]),
            statement({"AWS": "*"}, ALL_CLIENT, {"Bool": {"aws:SecureTransport": "false"}}),
        ],
    }
    root = world(tmp_path, with_policy(policy), PV_IAM)
    assert ranked(root, kubelet_error("iam,tls", DENIED))[0] == "policy-missing-clientmount"


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


def test_file_system_missing_from_the_inputs(tmp_path: Path) -> None:
    # The file systems are described and this one is not among them, nor a mount target of
    # it: the name of a file system that does not exist does not resolve (efs-semantics.md
    # §2.7, §7 rows 12 and 14), and explain agrees with the simulation's cause.
    def drop_file_system(root: Path) -> None:
        for name, key in (("file-systems", "FileSystems"), ("mount-targets", "MountTargets")):
            path = root / "aws" / f"efs-describe-{name}.json"
            path.write_text(json.dumps({key: []}))

    explanation, context = explain_error(
        RESOLVE_ERROR, load_inventory([str(world(tmp_path, drop_file_system))])
    )
    assert context is not None
    assert context.outcomes
    for outcome in context.outcomes:  # one per zone
        assert (outcome.outcome, outcome.cause) == ("failed", "file-system-not-found")
    assert explanation.causes[0].id == "file-system-not-found"
    # The failed target step leaves its other causes open.
    open_causes = {c.id for c in explanation.causes if c.status != "ruled_out"}
    assert "mount-target-lookup-permissions" in open_causes


def test_dns_causes_ruled_out_when_the_simulated_name_resolves() -> None:
    # In the seed the name resolves (a mount target in every zone, VPC DNS on): a pasted
    # 'Failed to resolve' is older than the files, or the files are not what runs.
    explanation, _ = explain_error(RESOLVE_ERROR, load_inventory([str(SEED)]))
    assert set(RESOLVE_CAUSES) <= {c.id for c in explanation.causes if c.status == "ruled_out"}
    assert all(c.status == "ruled_out" for c in explanation.causes)


def test_text_naming_another_volume_gets_no_signals() -> None:
    text = SEED_ERROR.replace("efs-pv", "other-pv").replace(FS, "fs-0999999999abcdef0")
    explanation, context = explain_error(text, load_inventory([str(SEED)]))
    assert context is not None
    assert (context.chains, context.outcomes, context.signals) == ((), (), ())
    assert explanation == explain(text)


def test_a_simulated_mount_rules_out_what_it_passed() -> None:
    # examples/healthy mounts: the text's access denied has no cause the files support, except
    # the option causes: the text's Mounting arguments (tls, no iam) are what ran, the files'
    # mountOptions (iam) are not evidence against them (issue 17 class 14).
    explanation, context = explain_error(SEED_ERROR, load_inventory([str(HEALTHY)]))
    assert context is not None
    assert {o.outcome for o in context.outcomes} == {"mounted"}
    assert explanation.causes[0].id == "iam-option-missing"
    assert explanation.causes[0].status == "likely"
    others = [c for c in explanation.causes if c.id not in OPTION_CAUSES]
    assert others
    assert {c.status for c in others} == {"ruled_out"}
    denied = next(c for c in explanation.causes if c.id == "policy-denies-principal")
    assert any("passes authorization" in e.text for e in denied.evidence)


def test_the_text_and_the_simulated_options_disagree() -> None:
    # The seed's error (no iam) against the fixed files (iam): the note says which side has it.
    _, context = explain_error(SEED_ERROR, load_inventory([str(HEALTHY)]))
    assert context is not None
    assert len(context.notes) == 1
    assert "the files have `iam`, the text does not" in context.notes[0]
