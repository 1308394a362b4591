"""Issue 17, "Reading the text": how explain reads real pastes. One section per class of the
issue; each case cites where the behaviour comes from.
"""

from __future__ import annotations

from efs_doctor.engine.explain import explain, extract_facts, normalise
from efs_doctor.engine.explain.model import Explanation, Facts

FS = "fs-0a1b2c3d4e5f60718"
AP = "fsap-0f1e2d3c4b5a69788"
TARGET = "/var/lib/kubelet/pods/5f1c/volumes/kubernetes.io~csi/efs-pv/mount"
ACCESS_DENIED = "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'"


def facts_of(text: str) -> Facts:
    return extract_facts(normalise(text))


def ranked(explanation: Explanation) -> list[str]:
    return [cause.id for cause in explanation.causes]


# -- 1. the credentials source line as Python's logging prints it when formatting fails -------
# Older efs-utils called logging.debug("AWS credentials source used for IAM authentication: ",
# source) without "%s" (aws/efs-utils src/mount_efs/__init__.py); logging.Handler.handleError then
# prints "Message: %r" and "Arguments: %s" on separate lines (Python docs, logging.Handler).
# The text as posted in terraform-aws-modules/terraform-aws-iam#388.
LOGGING_ERROR = (
    "Message: 'AWS credentials source used for IAM authentication: '\n"
    "Arguments: ('webidentity:arn:aws:iam::012345678910:role/AWSIRSA_Platform_EFS_CSI_Driver,"
    "/var/run/secrets/eks.amazonaws.com/serviceaccount/token',)\n"
    'Could not start amazon-efs-mount-watchdog, unrecognized init system "aws-efs-csi-dri"\n'
    f"{ACCESS_DENIED}\n"
)


def test_credentials_source_split_over_message_and_arguments_is_read() -> None:
    cred = facts_of(LOGGING_ERROR).credentials_source
    assert cred is not None
    assert cred.kind == "webidentity"
    assert cred.role_arn == "arn:aws:iam::012345678910:role/AWSIRSA_Platform_EFS_CSI_Driver"


def test_an_authenticated_mount_is_not_ranked_as_anonymous() -> None:
    # efs-semantics.md §2.8: the source is logged only for `iam` mounts, so the mount had `iam`.
    causes = ranked(explain(LOGGING_ERROR))
    assert causes[0] in ("identity-policy-missing-client-actions", "policy-denies-principal")
    assert causes.index("iam-option-missing") > 2


# -- 2. the controller's own cleanup mount ---------------------------------------------------
# DeleteVolume mounts at TempMountPathPrefix "/var/lib/csi/pv" + "/" + <access point id>
# (aws-efs-csi-driver pkg/driver/controller.go) with options the driver chooses (`iam` added by
# aws-efs-csi-driver#422). Text of aws-efs-csi-driver#419.
CONTROLLER_MOUNT = (
    'GRPC error: rpc error: code = Internal desc = Could not mount "fs-12345678" at '
    '"/var/lib/csi/pv/fsap-12345678901234567": mount failed: exit status 32\n'
    "Mounting command: mount\n"
    "Mounting arguments: -t efs -o tls fs-12345678 /var/lib/csi/pv/fsap-12345678901234567\n"
    f"Output: {ACCESS_DENIED}\n"
)


def test_controller_cleanup_mount_is_recognised_by_its_target() -> None:
    facts = facts_of(CONTROLLER_MOUNT)
    assert facts.controller_mount
    # the access point id is only part of the target path: not an access point mount
    assert facts.access_point_id is None


def test_controller_mount_without_iam_points_at_the_driver_release() -> None:
    causes = ranked(explain(CONTROLLER_MOUNT))
    assert causes[0] == "csi-driver-version-bug"
    assert "iam-option-missing" not in causes[:1]


def test_pod_mount_keeps_its_access_point_from_the_options() -> None:
    facts = facts_of(f"Mounting arguments: -t efs -o accesspoint={AP},tls {FS}:/ {TARGET}")
    assert facts.access_point_id == AP
    assert not facts.controller_mount


def test_access_point_id_from_the_volume_handle() -> None:
    # volumeHandle fs-id::fsap-id (efs-semantics.md §3.2)
    assert facts_of(f'volumeHandle: "{FS}::{AP}"').access_point_id == AP


# -- 6. "No such file or directory": the mount source decides --------------------------------
# The file system root always exists; without CreationInfo an access point's missing root
# directory is not created and the mount fails (efs-semantics.md §5).
def _no_such_file(options: str, source: str) -> str:
    return (
        f"Mounting arguments: -t efs -o {options} {FS}:{source} {TARGET}\n"
        f"Output: b'mount.nfs4: mounting 127.0.0.1:{source} failed, reason given by server: "
        "No such file or directory'\n"
    )


def test_no_such_file_for_a_root_access_point_mount_is_the_access_point_root() -> None:
    causes = ranked(explain(_no_such_file(f"accesspoint={AP},tls", "/")))
    assert causes[0] == "access-point-root-dir-missing"
    assert "subpath-missing" not in causes[:2]


def test_no_such_file_for_a_sub_directory_is_the_sub_directory() -> None:
    assert ranked(explain(_no_such_file("tls", "/tenants/acme")))[0] == "subpath-missing"


def test_no_such_file_without_mount_arguments_reads_the_servers_path() -> None:
    root = (
        "b'mount.nfs4: mounting 127.0.0.1:/ failed, reason given by server: "
        "No such file or directory'"
    )
    facts = facts_of(root)
    assert facts.server_path == "/"
    causes = ranked(explain(root))
    assert causes[0] == "access-point-root-dir-missing"


# -- 8. a decisive fact brings its cause in --------------------------------------------------
# `-t nfs` is the kernel client: no efs-utils, so no TLS and no IAM identity (efs-semantics.md
# §2.9). Under the generic "exit status 32" the fact must name the cause. Text of
# kubernetes-sigs/nfs-subdir-external-provisioner#245.
PLAIN_NFS = (
    'MountVolume.SetUp failed for volume "pv-nfs" : mount failed: exit status 32\n'
    "Mounting command: mount\n"
    f"Mounting arguments: -t nfs -o hard,nfsvers=4.1,retrans=2 {FS}.efs.us-east-1.amazonaws.com:/ "
    f"{TARGET}\n"
)


def test_plain_nfs_mount_brings_in_the_kernel_client_cause() -> None:
    explanation = explain(PLAIN_NFS)
    causes = ranked(explanation)
    assert causes[0] == "nfs-client-without-efs-utils"
    assert explanation.causes[0].score <= 0.6  # brought by a fact, not named by a message


def test_a_brought_cause_stays_below_causes_a_message_names() -> None:
    text = PLAIN_NFS + "mount.nfs4: Connection timed out\n"
    explanation = explain(text)
    scores = {cause.id: cause.score for cause in explanation.causes}
    named = [c.score for c in explanation.causes if c.signatures]
    assert scores["nfs-client-without-efs-utils"] < min(named)


def test_sub_directory_source_brings_in_subpath_under_a_generic_wrapper() -> None:
    text = (
        'MountVolume.SetUp failed for volume "data" : mount failed: exit status 32\n'
        f"Mounting arguments: -t efs -o tls {FS}:/shared/data {TARGET}\n"
    )
    assert "subpath-missing" in ranked(explain(text))[:3]


# -- 9. the access point boost only for messages an access point can print -------------------
# An access point's own failures come back from the server (access denied, no such file,
# efs-semantics.md §5); a transport failure prints the same with or without one (§6).
def test_access_point_does_not_raise_its_causes_for_a_transport_failure() -> None:
    text = (
        f"Mounting arguments: -t efs -o accesspoint={AP},tls {FS}:/ {TARGET}\n"
        "Output: b'mount.nfs4: mount system call failed'\n"
    )
    explanation = explain(text)
    ap_root = next(c for c in explanation.causes if c.id == "access-point-root-dir-missing")
    assert all("access point" not in e.text for e in ap_root.evidence if e.kind == "fact")
    assert ranked(explanation)[0] == "sg-missing-2049"


def test_access_point_raises_its_causes_for_access_denied() -> None:
    text = (
        f"Mounting arguments: -t efs -o accesspoint={AP},iam,tls {FS}:/ {TARGET}\n"
        f"Output: {ACCESS_DENIED}\n"
    )
    condition = next(c for c in explain(text).causes if c.id == "policy-condition-not-met")
    assert any("access point" in e.text for e in condition.evidence if e.kind == "fact")


# -- 10. the time between the mount attempt and its failure ----------------------------------
# efs-utils gives each mount.nfs4 attempt 15 s (efs-semantics.md §2.10); dropped packets (a
# security group or NACL) fail only after that (§6); an answer comes back at once.
SLOW = (
    "I0223 13:05:03.634040       1 mount_linux.go:146] Mounting cmd (mount) with arguments "
    f"(-t efs -o accesspoint={AP},tls {FS}:/ {TARGET})\n"
    "E0223 13:05:47.936391       1 mount_linux.go:150] Mount failed: exit status 32\n"
    "Output: b'mount.nfs4: mount system call failed'\n"
)


def test_seconds_from_klog_timestamps() -> None:
    seconds = facts_of(SLOW).mount_seconds
    assert seconds is not None
    assert 44 < seconds < 45


def test_seconds_from_mount_log_timestamps() -> None:
    text = (
        "2021-03-04 14:43:18,573 - INFO - version=1.26.3 options={'tls': None}\n"
        "2021-03-04 14:43:20,952 - ERROR - Failed to mount fs-1.efs.us-east-1.amazonaws.com\n"
    )
    seconds = facts_of(text).mount_seconds
    assert seconds is not None
    assert 2.3 < seconds < 2.4


def test_slow_failure_raises_network_causes() -> None:
    cause = next(c for c in explain(SLOW).causes if c.id == "sg-missing-2049")
    assert any("nothing answered on TCP 2049" in e.text for e in cause.evidence)


def test_fast_failure_lowers_network_causes() -> None:
    fast = SLOW.replace("E0223 13:05:47.936391", "E0223 13:05:04.101000").replace(
        "mount system call failed", "access denied by server while mounting 127.0.0.1:/"
    )
    explanation = explain(fast)
    assert "sg-missing-2049" not in ranked(explanation)[:3]
    cause = explanation.causes[0]
    assert cause.id not in ("sg-missing-2049", "node-sg-egress-blocked")


def test_no_timestamps_no_timing() -> None:
    assert facts_of(CONTROLLER_MOUNT).mount_seconds is None


# -- 3. messages quoted as titles, cut short, or with a marker --------------------------------
# mount.nfs4 prints "an incorrect mount option was specified" (efs-semantics.md §2.2: unknown
# options go to mount.nfs4 verbatim); an issue title drops the first word
# (aws-efs-csi-driver#147's title).
def test_message_without_its_first_word_matches_as_truncated() -> None:
    explanation = explain("incorrect mount option was specified - mount options doesn't work")
    assert ranked(explanation)[0] == "invalid-mount-option"
    assert explanation.errors[0].matches[0].truncated


def test_message_cut_mid_word_at_a_line_end_matches_its_phrase() -> None:
    # The controller's CreateAccessPoint failure (efs-semantics.md §3.8) cut by a log viewer.
    text = (
        "E0428 00:46:02.760320       1 driver.go:103] GRPC error: rpc error: code = Internal "
        "desc = Failed to create Acce\n"
    )
    explanation = explain(text)
    assert "ctrl-create-access-point-failed" in explanation.errors[0].causal
    assert explanation.errors[0].matches[0].truncated


def test_message_cut_with_an_ellipsis_still_matches() -> None:
    text = "Output: b'mount.nfs4: access denied by serv...'"
    assert ranked(explain(text))[0] == "iam-option-missing"


def test_short_line_ends_do_not_match_a_phrase() -> None:
    # fewer than 18 characters of a phrase at a line end are no evidence of it
    assert explain("the pod says: access denied by\n").errors == ()
    cut = explain("the pod says: access denied by server while\n")
    assert [m.signature for e in cut.errors for m in e.matches] == ["nfs-access-denied"]


def test_oom_killed_in_words_is_the_node_plugin_oom() -> None:
    text = "the efs-plugin container was OOM killed many times"
    assert ranked(explain(text))[0] == "node-plugin-oom"


# -- 4. CreateAccessPoint ValidationException without its detail ------------------------------
# directoryPerms absent is sent as "" and basePath "/" gives "//...": both are rejected with
# ValidationException (efs-semantics.md §3.7; API_CreateAccessPoint).
def test_bare_validation_exception_ranks_storage_class_causes() -> None:
    causes = ranked(explain("failed to provision volume: ValidationException: status code: 400"))
    assert set(causes[:2]) == {"storageclass-parameters-invalid", "storageclass-basepath-invalid"}


def test_validation_exception_with_a_double_slash_path_is_the_base_path() -> None:
    text = "ValidationException: 1 validation error detected: rootDirectory.path '//pvc-1'"
    assert ranked(explain(text))[0] == "storageclass-basepath-invalid"


# -- 5. raw AWS authorization errors, by the action named -------------------------------------
# The controller calls CreateAccessPoint/TagResource/Describe* (efs-semantics.md §3.8); efs-utils'
# DNS fallback calls DescribeMountTargets and ec2:DescribeAvailabilityZones (§2.7); STS is the
# credential exchange (§2.8, §3.5).
def _denied(action: str) -> str:
    return (
        "User: arn:aws:sts::111122223333:assumed-role/some-role/session is not authorized to "
        f"perform: {action} on resource: arn:aws:elasticfilesystem:us-east-1:111122223333:x"
    )


def test_denied_controller_action_is_the_controller_permissions() -> None:
    assert ranked(explain(_denied("elasticfilesystem:TagResource")))[0] == (
        "csi-controller-permissions"
    )


def test_denied_mount_time_lookup_is_the_lookup_permissions() -> None:
    assert ranked(explain(_denied("elasticfilesystem:DescribeMountTargets")))[0] == (
        "mount-target-lookup-permissions"
    )


def test_denied_web_identity_is_the_trust_policy() -> None:
    assert ranked(explain(_denied("sts:AssumeRoleWithWebIdentity")))[0] == "irsa-trust-policy"


def test_denied_assume_role_is_cross_account() -> None:
    assert ranked(explain(_denied("sts:AssumeRole")))[0] == "cross-account-assume-role"


def test_unable_to_locate_credentials_for_the_lookup() -> None:
    text = (
        "Unable to locate credentials when performing operation DescribeMountTargets, please "
        "confirm your aws credentials are properly configured."
    )
    assert ranked(explain(text))[0] == "mount-target-lookup-permissions"


def test_older_fallback_layout_cut_inside_the_role_name() -> None:
    # efs-semantics.md §2.7: the older layout prints the AWS error right after the hint.
    text = (
        'Output: Failed to resolve "fs-022497d2da99cd9277.efs.ca-central-1.amazonaws.com". The '
        "file system mount target ip address cannot be found, please pass mount target ip "
        "address via mount options.\nUser: arn:aws:sts::054550991362:assumed-role/eksctl-node-e\n"
    )
    assert ranked(explain(text))[0] == "mount-target-lookup-permissions"


# -- 7. the report's own words when no message matches ----------------------------------------
def test_words_are_used_only_without_a_recognised_message() -> None:
    text = (
        "the mount hangs\nOutput: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'"
    )
    explanation = explain(text)
    assert all("words-mount-hangs" not in error.causal for error in explanation.errors)


def test_words_of_a_hang_point_at_the_network() -> None:
    assert ranked(explain("our pod is stuck in ContainerCreating, the mount hangs"))[0] == (
        "sg-missing-2049"
    )


def test_ipv6_in_words_is_a_fact_and_a_cause() -> None:
    text = "the mount target has IPv6 and the node tries it first; the mount times out"
    assert facts_of(text).ipv6
    assert ranked(explain(text))[0] == "ipv6-dual-stack"


def test_provisioning_denied_in_words() -> None:
    text = 'I get "access denied" when the provisioner attempts to create a volume'
    assert ranked(explain(text))[0] == "csi-controller-permissions"


def test_non_root_pod_expecting_fs_group_in_words() -> None:
    text = "securityContext fsGroup doesn't applied when creating pvc, non-root user cannot write"
    assert ranked(explain(text))[0] == "fsgroup-not-applied"


def test_missing_directory_in_words() -> None:
    text = "the directory does not exist on the file system so the pod stays in ContainerCreating"
    assert ranked(explain(text))[0] in ("subpath-missing", "access-point-root-dir-missing")


def test_kubelets_own_timeout_summary_is_not_read_as_the_reports_words() -> None:
    # "timed out waiting for the condition" is kubelet's summary (efs-semantics.md §3.9), read by
    # the kubelet-timed-out-waiting wrapper; the words signature must not count it again.
    text = (
        "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data]: "
        "timed out waiting for the condition"
    )
    matched = {m.signature for e in explain(text).errors for m in e.matches}
    assert "kubelet-timed-out-waiting" in matched
    assert "words-mount-hangs" not in matched
