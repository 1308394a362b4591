"""explain's use of the context files (issue 17, classes 11-14): masked ids, several PVs, a
lone file system policy, and which options are evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from efs_doctor.api import load_inventory as load_paths
from efs_doctor.api.explain import explain_error
from efs_doctor.engine.explain.placeholders import masked_id
from efs_doctor.model.inventory import Inventory


def load_inventory(paths: list[str]) -> Inventory:
    """The files as ``efs-doctor explain`` reads them: one set-up (commands/explain.py)."""
    return load_paths(paths, one_context=True)


HANDLE_REJECTED = (
    'MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = InvalidArgument desc = '
    "volume ID '{handle}' is invalid: Expected a file system ID of the form "
    "'fs-[0-9a-f]{{8,40}}'"
)
# efs-utils' message when the name does not resolve to a mount target (aws/efs-utils
# src/mount_efs/__init__.py); the catalogue counts volume-handle-format among its causes.
NOT_A_MOUNT_TARGET = (
    "Output: mount.efs: {fs}.efs.us-east-1.amazonaws.com did not resolve to a valid DNS name "
    "for an EFS mount target"
)


def _pv(name: str, handle: str, options: str = "") -> str:
    extra = f"  mountOptions: [{options}]\n" if options else ""
    return (
        f"apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: {name}\nspec:\n"
        f"  capacity: {{storage: 5Gi}}\n  accessModes: [ReadWriteMany]\n{extra}"
        f"  csi:\n    driver: efs.csi.aws.com\n    volumeHandle: '{handle}'\n---\n"
    )


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# ---- class 13: masked ids ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "fs-xxxxxxxx",  # a repeated letter
        "fs-XXXXXXXXXXXXXXXXX",
        "fs-********",  # stars
        "fs-0123abcd****",  # partially masked hex
        "fs-0123abcdxxxxxxxx",
        "fs-0123...",
        "fs-<id>",  # placeholders
        "<file-system-id>",
        "${EFS_ID}",
        "fsap-xxxxxxxxxxxxxxxxx",
    ],
)
def test_masked_ids(value: str) -> None:
    assert masked_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "fs-0123456789abcdef0",
        "fs-12345678",
        "fsap-0123456789abcdef0",
        # Mistyped, not masked: the driver's rejection is the answer (efs-semantics.md §3.2).
        "fs-ABCDEF12",
        "fs-1234567",
        "fs-1234567z",
    ],
)
def test_real_or_mistyped_ids_are_not_masked(value: str) -> None:
    assert not masked_id(value)


@pytest.mark.parametrize("handle", ["fs-xxxxxxxx", "fs-0123abcd****", "fs-<fs-id>"])
def test_a_masked_handle_does_not_confirm_volume_handle_format(tmp_path: Path, handle: str) -> None:
    # The simulated driver rejects the handle (parseVolumeId, efs-semantics.md §3.2), but the
    # text failed later than that check: the id was masked for posting.
    pv = _write(tmp_path, "pv.yaml", _pv("efs-pv", handle))
    text = NOT_A_MOUNT_TARGET.format(fs="fs-xxxxxxxx")  # masked in the text as well
    explanation, context = explain_error(text, load_inventory([str(pv)]))
    assert context is not None
    handle_cause = next(c for c in explanation.causes if c.id == "volume-handle-format")
    assert handle_cause.status != "confirmed"
    assert explanation.causes[0].id != "volume-handle-format"
    assert any("looks masked" in note for note in context.notes)


def test_a_placeholder_the_driver_rejected_in_the_text_stays_confirmed(tmp_path: Path) -> None:
    # A tutorial's fs-xxxxxxxx left in the manifest: the text quotes the driver rejecting it.
    pv = _write(tmp_path, "pv.yaml", _pv("efs-pv", "fs-xxxxxxxx"))
    text = "Warning  FailedMount  kubelet  " + HANDLE_REJECTED.format(handle="fs-xxxxxxxx")
    explanation, context = explain_error(text, load_inventory([str(pv)]))
    assert context is not None
    assert (explanation.causes[0].id, explanation.causes[0].status) == (
        "volume-handle-format",
        "confirmed",
    )
    assert not any("looks masked" in note for note in context.notes)


def test_a_masked_access_point_option_is_redacted_too(tmp_path: Path) -> None:
    # efs-utils refuses an accesspoint= value that is not fsap- + 17 hex (§2.4 item 3).
    pv = _write(
        tmp_path,
        "pv.yaml",
        _pv("efs-pv", "fs-0123456789abcdef0", "tls, iam, accesspoint=fsap-xxxxxxxxxxxxxxxxx"),
    )
    explanation, _ = explain_error(
        NOT_A_MOUNT_TARGET.format(fs="fs-0123456789abcdef0"), load_inventory([str(pv)])
    )
    assert all(
        c.status != "confirmed" for c in explanation.causes if c.id == "volume-handle-format"
    )


# ---- class 14: the loaded mountOptions are not evidence for option causes ------------------

HEALTHY = Path(__file__).resolve().parents[4] / "examples" / "healthy"


def _healthy_with_options(tmp_path: Path, options: str) -> Path:
    import shutil

    root = tmp_path / "healthy"
    shutil.copytree(HEALTHY, root)
    pv = root / "k8s" / "pv-and-claim.yaml"
    text = pv.read_text()
    assert "  mountOptions:\n    - iam\n" in text
    pv.write_text(text.replace("  mountOptions:\n    - iam\n", f"  mountOptions: [{options}]\n"))
    return root


def _simulated_error(root: Path) -> str:
    from efs_doctor.api import mount_chains
    from efs_doctor.engine.mount import simulate_all

    inventory = load_inventory([str(root)])
    (outcome,) = simulate_all(inventory, mount_chains(inventory))
    assert outcome.outcome == "failed"
    assert outcome.error is not None
    return outcome.error


def _status(explanation: object, cause: str) -> str | None:
    causes = getattr(explanation, "causes", ())
    return next((c.status for c in causes if c.id == cause), None)


def test_missing_iam_in_the_pv_confirms_only_with_the_texts_mounting_arguments(
    tmp_path: Path,
) -> None:
    # The example's policy admits only the node role: without `iam` the client is anonymous
    # and refused (efs-semantics.md §4.4, §4.8).
    root = _healthy_with_options(tmp_path, "tls")
    error = _simulated_error(root)
    assert "Mounting arguments:" in error
    inventory = load_inventory([str(root)])
    with_arguments, _ = explain_error(error, inventory)
    assert _status(with_arguments, "iam-option-missing") == "confirmed"
    output_only = error[error.index("Output:") :]
    without, _ = explain_error(output_only, inventory)
    assert _status(without, "iam-option-missing") not in ("confirmed", "ruled_out")


def test_mounting_arguments_that_disagree_with_the_pv_win(tmp_path: Path) -> None:
    # The text ran with `iam`; the PV given lacks it: the PV is not what ran.
    root = _healthy_with_options(tmp_path, "tls")
    error = _simulated_error(root).replace("-o tls", "-o tls,iam")
    assert "-o tls,iam" in error
    explanation, context = explain_error(error, load_inventory([str(root)]))
    assert context is not None
    assert context.notes
    assert _status(explanation, "iam-option-missing") != "confirmed"


def test_a_foreign_option_in_the_pv_is_not_evidence_without_mounting_arguments(
    tmp_path: Path,
) -> None:
    # mount.nfs4 refuses CIFS options (nfs(5); engine/mount/options.py FOREIGN_OPTIONS).
    root = _healthy_with_options(tmp_path, "iam, uid=1000")
    error = _simulated_error(root)
    assert "an incorrect mount option was specified" in error
    inventory = load_inventory([str(root)])
    with_arguments, _ = explain_error(error, inventory)
    assert _status(with_arguments, "invalid-mount-option") == "confirmed"
    bare = "Output: mount.nfs4: an incorrect mount option was specified"
    without, _ = explain_error(bare, inventory)
    assert _status(without, "invalid-mount-option") != "confirmed"


# ---- class 12: several PVs, none named in the text ------------------------------------------

DENIED_UNNAMED = "Output: mount.nfs4: access denied by server while mounting 127.0.0.1:/\n"


def _second_volume(root: Path, name: str, handle: str, options: str) -> None:
    (root / "k8s" / f"{name}.yaml").write_text(
        _pv(name, handle, options)
        + "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n"
        + f"  name: {name}-claim\n  namespace: web\nspec:\n  accessModes: [ReadWriteMany]\n"
        + f"  storageClassName: ''\n  volumeName: {name}\n"
        + "  resources: {requests: {storage: 1Gi}}\n"
    )


def _evidence(explanation: object, cause: str) -> list[str]:
    found = next(c for c in getattr(explanation, "causes", ()) if c.id == cause)
    return [e.text for e in found.evidence]


def test_what_every_unnamed_volume_agrees_on_is_context(tmp_path: Path) -> None:
    root = _healthy_with_options(tmp_path, "iam")
    _second_volume(root, "efs-pv-2", "fs-0123456789abcdef0:/shared", "iam")
    explanation, context = explain_error(DENIED_UNNAMED, load_inventory([str(root)]))
    assert context is not None
    assert {c.volume_name for c in context.chains} == {"efs-pv", "efs-pv-2"}
    # Both mount: EFS allows the node role on each (engine/mount/authorization.py).
    assert _status(explanation, "policy-denies-principal") == "ruled_out"
    assert any(
        "every loaded volume" in t for t in _evidence(explanation, "policy-denies-principal")
    )
    assert any("none of the 2 loaded volumes" in note for note in context.notes)


def test_what_unnamed_volumes_disagree_on_is_dropped(tmp_path: Path) -> None:
    # efs-pv-2 mounts anonymously (no iam) and is refused; efs-pv mounts: the text does not
    # say which one failed, so neither settles the authorization causes.
    root = _healthy_with_options(tmp_path, "iam")
    _second_volume(root, "efs-pv-2", "fs-0123456789abcdef0:/shared", "tls")
    explanation, context = explain_error(DENIED_UNNAMED, load_inventory([str(root)]))
    assert context is not None
    assert {o.outcome for o in context.outcomes} == {"mounted", "failed"}
    assert _status(explanation, "policy-denies-principal") != "ruled_out"


def test_a_duplicate_handle_among_the_loaded_volumes_raises_volume_handle_format(
    tmp_path: Path,
) -> None:
    # CSI002: kubelet names a CSI volume <driver>^<volumeHandle> (Kubernetes
    # pkg/volume/csi/csi_plugin.go GetVolumeName), mountOptions are not part of it.
    handle = "fs-0123456789abcdef0"
    files = _write(
        tmp_path,
        "pvs.yaml",
        _pv("pv-a", handle, "tls, accesspoint=fsap-0aaaaaaaaaaaaaaaa")
        + _pv("pv-b", handle, "tls, accesspoint=fsap-0bbbbbbbbbbbbbbbb"),
    )
    text = NOT_A_MOUNT_TARGET.format(fs="fs-xxxxxxxx")
    alone, _ = explain_error(text)
    explanation, _ = explain_error(text, load_inventory([str(files)]))
    assert any("CSI002" in t for t in _evidence(explanation, "volume-handle-format"))
    score = {c.id: c.score for c in explanation.causes}["volume-handle-format"]
    assert score > {c.id: c.score for c in alone.causes}["volume-handle-format"]


# ---- class 11: a file system policy given alone ---------------------------------------------

FS = "fs-0123456789abcdef0"
MASKED_ARN = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-xxxxxxxx"
TARGET = "/var/lib/kubelet/pods/5b1f/volumes/kubernetes.io~csi/efs-pv/mount"
ACCESS_DENIED = "Output: mount.nfs4: access denied by server while mounting 127.0.0.1:/\n"
WRITE_NO_MOUNT = {
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": ["elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"],
}
ALLOW_ALL = {
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
    "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
}
DENY_PLAINTEXT = {
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
ONE_ROLE = {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
}
UNENFORCED = {
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
    "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-0123456789abcdef0"}},
}


def _arguments(options: str, fs_type: str = "efs") -> str:
    return f"Mounting arguments: -t {fs_type} -o {options} {FS}:/ {TARGET}\n"


def _policy(tmp_path: Path, *statements: dict[str, object], resource: object = "*") -> Path:
    import json

    written = []
    for statement in statements:
        item = dict(statement)
        if resource is not None:
            item["Resource"] = resource
        written.append(item)
    document = {"Version": "2012-10-17", "Statement": written}
    return _write(tmp_path, "policy.json", json.dumps(document, indent=2))


@pytest.mark.parametrize(
    "resource", ["*", None, MASKED_ARN], ids=["resource-star", "no-resource", "masked-arn"]
)
def test_a_lone_policy_without_clientmount_confirms_it(tmp_path: Path, resource: object) -> None:
    # An anonymous client (no iam, efs-semantics.md §4.4) admitted to ClientWrite but not
    # ClientMount: policy-missing-clientmount (engine/mount/denial.py).
    policy = _policy(tmp_path, WRITE_NO_MOUNT, resource=resource)
    text = _arguments("tls") + ACCESS_DENIED
    inventory = load_inventory([str(policy)])
    explanation, context = explain_error(text, inventory)
    assert context is not None
    assert (explanation.causes[0].id, explanation.causes[0].status) == (
        "policy-missing-clientmount",
        "confirmed",
    )
    assert any("taken as the policy of" in note for note in context.notes)
    without, _ = explain_error(text)
    assert _status(without, "policy-missing-clientmount") != "confirmed"


@pytest.mark.parametrize(
    "arguments", [_arguments("noresvport"), _arguments("nfsvers=4.1", fs_type="nfs4")]
)
def test_a_lone_secure_transport_deny_against_a_plaintext_client(
    tmp_path: Path, arguments: str
) -> None:
    # aws:SecureTransport is false without tls (efs-semantics.md §4.5); `-t nfs4` bypasses
    # efs-utils: no TLS, no IAM identity.
    policy = _policy(tmp_path, ALLOW_ALL, DENY_PLAINTEXT)
    explanation, _ = explain_error(arguments + ACCESS_DENIED, load_inventory([str(policy)]))
    assert (explanation.causes[0].id, explanation.causes[0].status) == (
        "policy-secure-transport-no-tls",
        "confirmed",
    )


def test_a_lone_policy_that_admits_the_client_rules_the_policy_causes_out(
    tmp_path: Path,
) -> None:
    policy = _policy(tmp_path, ALLOW_ALL, DENY_PLAINTEXT)
    explanation, _ = explain_error(_arguments("tls") + ACCESS_DENIED, load_inventory([str(policy)]))
    for cause in ("iam-option-missing", "policy-secure-transport-no-tls"):
        assert _status(explanation, cause) == "ruled_out"


def test_a_lone_policy_with_a_masked_arn_refuses_an_anonymous_client(tmp_path: Path) -> None:
    # Only a named role is admitted: an anonymous client matches nothing but "*" (§4.4).
    policy = _policy(tmp_path, ONE_ROLE, resource=MASKED_ARN)
    explanation, _ = explain_error(_arguments("tls") + ACCESS_DENIED, load_inventory([str(policy)]))
    assert (explanation.causes[0].id, explanation.causes[0].status) == (
        "iam-option-missing",
        "confirmed",
    )


def test_a_lone_deny_only_policy_refuses_an_anonymous_client(tmp_path: Path) -> None:
    # No Allow in a policy that exists: anonymous clients have no identity policy to grant
    # them anything (https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html).
    policy = _policy(tmp_path, DENY_PLAINTEXT)
    explanation, _ = explain_error(_arguments("tls") + ACCESS_DENIED, load_inventory([str(policy)]))
    assert (explanation.causes[0].id, explanation.causes[0].status) == (
        "iam-option-missing",
        "confirmed",
    )


def test_a_lone_policy_on_an_unenforced_key_raises_it_for_an_iam_client(tmp_path: Path) -> None:
    # aws:SourceVpc is not enforced for NFS clients: for an IAM client EFS does not say whether
    # it is absent or ignored, so the decision is undecided (efs-semantics.md §4.5, §8 point 4).
    policy = _policy(tmp_path, UNENFORCED)
    credentials = (
        "AWS credentials source used for IAM authentication: "
        "webidentity:arn:aws:iam::111122223333:role/app,/var/run/secrets/token\n"
    )
    text = _arguments("tls,iam") + ACCESS_DENIED + credentials
    explanation, _ = explain_error(text, load_inventory([str(policy)]))
    # Both the Authorizer (undecided for this role) and scan's AUTH005 (the policy conditions
    # on a key EFS does not enforce, a fact of the policy alone) say so.
    assert explanation.causes[0].id == "policy-unsupported-condition-key"
    assert explanation.causes[0].status == "confirmed"
    evidence = _evidence(explanation, "policy-unsupported-condition-key")
    assert any("policy.json" in t and "role/app" in t for t in evidence)
    assert any("AUTH005" in t for t in evidence)


def test_two_lone_policies_are_not_guessed_between(tmp_path: Path) -> None:
    first = _policy(tmp_path, WRITE_NO_MOUNT)
    second = _write(tmp_path, "other.json", first.read_text().replace("ClientWrite", "ClientMount"))
    explanation, context = explain_error(
        _arguments("tls") + ACCESS_DENIED, load_inventory([str(first), str(second)])
    )
    assert context is not None
    assert not context.signals
    assert _status(explanation, "policy-missing-clientmount") != "confirmed"


def test_a_masked_arn_policy_beside_a_pv_is_simulated_as_its_policy(tmp_path: Path) -> None:
    # The PV names the real id, the policy a masked one: it is the PV's file system's policy,
    # and the simulated mount (no iam: anonymous) is refused by it.
    _policy(tmp_path, ONE_ROLE, resource=MASKED_ARN)
    _write(tmp_path, "pv.yaml", _pv("efs-pv", FS))
    text = (
        f'MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = Internal desc = '
        f'Could not mount "{FS}:/" at "{TARGET}": mount failed: exit status 32\n'
        "Mounting command: mount\n" + _arguments("tls") + ACCESS_DENIED
    )
    explanation, context = explain_error(text, load_inventory([str(tmp_path)]))
    assert context is not None
    assert [(o.outcome, o.cause) for o in context.outcomes] == [("failed", "iam-option-missing")]
    assert (explanation.causes[0].id, explanation.causes[0].status) == (
        "iam-option-missing",
        "confirmed",
    )


# ---- real reports -----------------------------------------------------------------------------

# aws-ia/terraform-aws-eks-blueprints#1171 (the error, as posted) and #1197 (the same module's
# default file system policy the reporter found, ids masked as posted). The maintainers' fix,
# #1191, mounts with `iam`: the anonymous client was refused (iam-option-missing).
BLUEPRINTS_1171 = (
    'MountVolume.SetUp failed for volume "pvc-4d2561b8-b803-4722-8dfc-713ccd78e38d" : rpc '
    'error: code = Internal desc = Could not mount "fs-00703eb8b7961a9af:/" at "/var/lib/'
    "kubelet/pods/b9b49102-f92a-4a3b-813a-ad8b7c4f06af/volumes/kubernetes.io~csi/pvc-4d2561b8-"
    'b803-4722-8dfc-713ccd78e38d/mount": mount failed: exit status 32 Mounting command: mount '
    "Mounting arguments: -t efs -o accesspoint=fsap-0c180bb904c5be851,tls fs-00703eb8b7961a9af:/ "
    "/var/lib/kubelet/pods/b9b49102-f92a-4a3b-813a-ad8b7c4f06af/volumes/kubernetes.io~csi/pvc-"
    "4d2561b8-b803-4722-8dfc-713ccd78e38d/mount Output: Could not start amazon-efs-mount-"
    'watchdog, unrecognized init system "aws-efs-csi-dri" b\'mount.nfs4: access denied by '
    "server while mounting 127.0.0.1:/'"
)
BLUEPRINTS_1197_ARN = (
    "arn:aws:elasticfilesystem:eu-west-3:xxxxxxxxxxxxxxx:file-system/fs-xxxxxxxxxxxxxx"
)
BLUEPRINTS_1197_POLICY = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "NonSecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": "ARN",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }
    ]
}
"""


def test_real_report_deny_only_policy_with_a_masked_arn(tmp_path: Path) -> None:
    policy = _write(
        tmp_path, "policy.json", BLUEPRINTS_1197_POLICY.replace("ARN", BLUEPRINTS_1197_ARN)
    )
    explanation, context = explain_error(BLUEPRINTS_1171, load_inventory([str(policy)]))
    assert context is not None
    assert (explanation.causes[0].id, explanation.causes[0].status) == (
        "iam-option-missing",
        "confirmed",
    )
    # The policy's TLS deny does not apply to this client: the mount has `tls`.
    assert _status(explanation, "policy-secure-transport-no-tls") != "confirmed"
