"""Issue 17, second round: what the report's own words and a few messages say, each change with
the fact it rests on (efs-semantics.md sections, causes.md rows)."""

from __future__ import annotations

from efs_doctor.engine.explain import explain

CREDENTIALS = (
    "AWS Access Key ID and Secret Access Key are not found in AWS credentials file "
    "(/root/.aws/credentials), config file (/root/.aws/config), from ECS credentials relative "
    "uri, or from the instance security credentials service"
)
RESOLVE = (
    'Failed to resolve "fs-0123456789abcdef0.efs.eu-west-1.amazonaws.com" - check that your file '
    "system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID."
)


def _ids(text: str) -> list[str]:
    return [cause.id for cause in explain(text).causes]


def test_credentials_not_found_keeps_an_old_efs_utils_in_the_top_three() -> None:
    # efs-semantics.md §7 row 9: no usable source, or efs-utils < 1.28.2 on an IMDSv2-only host.
    # A broken IRSA alone falls through to the instance profile (§2.8 steps 4-7), so it ranks
    # below both.
    ids = _ids(CREDENTIALS)
    assert "efs-utils-version" in ids[:3]
    assert ids.index("efs-utils-version") < ids.index("irsa-trust-policy")


def test_a_denial_in_the_controller_is_the_controllers_permissions() -> None:
    # efs-semantics.md §3.8: the controller calls the EFS API that provisions access points.
    assert _ids("Error faced is access denied in efs csi controller.")[0] == (
        "csi-controller-permissions"
    )


def test_a_claim_stuck_pending_names_the_provisioning_causes() -> None:
    # causes.md csi-controller-permissions (PVC Pending), claim-unbound (the claim stays Pending)
    ids = _ids("after creating the PVC it is stuck in the Pending state, no PV appears")
    assert ids[:2] == ["csi-controller-permissions", "claim-unbound"]


def test_pending_with_a_denial_is_read_once_as_a_denial() -> None:
    explanation = explain("the PVC stays Pending: access denied")
    matched = {m.signature for e in explanation.errors for m in e.matches}
    assert "words-provisioning-denied" in matched
    assert "words-claim-pending" not in matched


def test_a_policy_that_blocks_mounts_names_the_policy_causes() -> None:
    # causes.md policy-missing-clientmount (IaC defaults), iam-option-missing; §4.2: a user
    # policy replaces the default that let every client mount.
    ids = _ids("efs: L2 construct creates a default file system policy that prevents mounting")
    assert ids[:2] == ["policy-missing-clientmount", "iam-option-missing"]


def test_custom_dns_in_words_is_vpc_dns() -> None:
    # causes.md vpc-dns-disabled: VPC DNS off or a non-Amazon resolver (efs-semantics.md §6)
    assert _ids("we set the DHCP options to our internal DNS servers")[0] == "vpc-dns-disabled"


def test_words_beside_a_message_decide_between_the_causes_it_names() -> None:
    # §7 row 12: "Failed to resolve" is printed for no mount target in the AZ, VPC DNS off, a
    # client outside the VPC and a wrong id alike; the report's words say which.
    assert _ids(RESOLVE)[0] == "no-mount-target-in-az"
    with_words = explain(RESOLVE + "\nOur VPC's DHCP options point to internal DNS servers.")
    assert with_words.causes[0].id == "vpc-dns-disabled"
    assert any("the report says" in item.text for item in with_words.causes[0].evidence)


def test_words_beside_a_message_bring_in_no_cause_of_their_own() -> None:
    # A claim-pending phrase next to a server's access denial names no controller cause: the
    # message is the stronger evidence and the words only re-weight what it names.
    text = "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'\nthe PVC is Pending"
    ids = _ids(text)
    assert "csi-controller-permissions" not in ids
    assert "claim-unbound" not in ids


NFS_RESOLVE = "mount.nfs: Failed to resolve server {name}: Name or service not known"


def test_a_quoted_file_system_name_is_a_wrong_id_not_a_dns_setting() -> None:
    # A quote mark is no hostname character (RFC 1123 §2.1), so the name resolves nowhere: the id
    # reached the mount with its quotes. Without quotes the resolver causes lead (§7 row 43).
    plain = NFS_RESOLVE.format(name="fs-0123abcd.efs.eu-west-1.amazonaws.com")
    quoted = NFS_RESOLVE.format(name='"fs-0123abcd".efs.eu-west-1.amazonaws.com')
    assert _ids(plain)[0] == "no-mount-target-in-az"
    assert _ids(quoted)[0] == "file-system-not-found"


def test_a_name_in_another_region_than_the_node_is_a_wrong_region() -> None:
    # EC2 private DNS names carry the region (ip-<addr>.<region>.compute.internal; ec2.internal in
    # us-east-1: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-naming.html);
    # an EFS name resolves only in its own region's VPC (efs-semantics.md §6).
    text = RESOLVE + "\nkubelet, ip-10-0-1-23.ec2.internal  MountVolume.SetUp failed"
    ids = _ids(text)
    assert set(ids[:2]) == {"file-system-not-found", "dns-resolution-outside-vpc"}
    same_region = RESOLVE + "\nkubelet, ip-10-0-1-23.eu-west-1.compute.internal  MountVolume"
    assert _ids(same_region)[0] == "no-mount-target-in-az"


def test_an_access_point_in_words_points_a_missing_directory_at_its_root() -> None:
    # efs-semantics.md §5: an access point's root directory exists only if EFS created it
    # (CreationInfo); a report that mounts through one and gets "No such file or directory"
    # without naming the path points there.
    words = "\nThe PV mounts through an access point."
    before = _ids("mount.nfs4: No such file or directory")
    after = _ids("mount.nfs4: No such file or directory" + words)
    assert after.index("access-point-root-dir-missing") < after.index("subpath-missing")
    assert before.index("subpath-missing") < before.index("access-point-root-dir-missing")


def test_words_about_a_failing_tls_tunnel_name_the_tunnel_failures_causes() -> None:
    # efs-semantics.md §7 row 21: the proxy exits at start (binary, certificate, memory); the
    # words name what efs-utils' own "Failed to initialize tunnel" names, in its order.
    words = _ids("since the upgrade, mounting with tls fails: the stunnel process dies at start")
    message = _ids("Failed to initialize TLS tunnel for fs-0123abcd")
    assert words[:2] == message[:2] == ["stunnel-missing", "efs-utils-version"]


def test_a_chown_refused_on_an_access_point_named_as_terraform_spells_it() -> None:
    # efs-semantics.md §5: the access point's POSIX user replaces the caller's; "access_point"
    # (Terraform aws_efs_access_point, ECS accessPointId) names the same object.
    ids = _ids(
        "EFS access_point posix_user: failed to chown /var/lib/ecs/volumes/config: lchown "
        "/var/lib/ecs/volumes/config: operation not permitted"
    )
    assert ids[0] == "access-point-posix-user-enforced"
    assert ids.index("root-squash-no-clientrootaccess") == 1


def test_access_point_words_do_not_touch_a_timeout() -> None:
    # §5: an access point's own failures are server answers; a timeout prints the same with or
    # without one, so the words re-weight nothing there.
    plain = _ids("mount.nfs: Connection timed out")
    worded = _ids("we mount through an access point: mount.nfs: Connection timed out")
    assert worded[:3] == plain[:3]


def test_a_message_cut_after_its_fixed_words_still_matches() -> None:
    # efs-semantics.md §7 row 29: the key name follows the fixed words; a cut inside it keeps them.
    assert _ids("Volume context property az not su...")[0] == "volume-attributes-invalid"


def test_a_short_message_cut_keeps_two_thirds_of_its_words() -> None:
    # §7 row 41: 'Read-only file ...' is still the Read-only file system error.
    assert (
        _ids("touch: cannot touch '/data/x': Read-only file ...")[0] == "read-only-no-clientwrite"
    )


def test_a_client_in_another_availability_zone_is_a_missing_mount_target() -> None:
    # efs-semantics.md §6: the regional name resolves only to the mount target in the client's
    # own AZ, so a client in an AZ without one cannot mount by name (AWS EFS user guide,
    # Troubleshooting mount issues, "File System Mount Using DNS Name Fails").
    assert _ids("the new nodes are in a different availability zone and cannot mount EFS")[0] == (
        "no-mount-target-in-az"
    )
    assert _ids("there is no mount target in the AZ of the worker subnet")[0] == (
        "no-mount-target-in-az"
    )


def test_another_accounts_zone_stays_with_name_resolution_outside_the_vpc() -> None:
    # efs-semantics.md §2 (crossaccount maps AZ-IDs) and §6: names do not resolve outside the VPC
    explanation = explain("cross-account mount from a different AZ fails")
    matched = {m.signature for e in explanation.errors for m in e.matches}
    assert "words-other-az" not in matched


def test_a_volume_nobody_can_write_to_names_the_ownership_causes() -> None:
    # causes.md fsgroup-not-applied (no mount error; a non-root process cannot write to the
    # root-owned directory); efs-semantics.md §3.6 (fsGroup is not applied) and §7 row 42 (a
    # refused write: root squashed, or the access point identity lacks permission).
    ids = _ids("after moving the data directory to EFS the service could not write to it")
    assert ids[0] == "fsgroup-not-applied"
    assert "access-point-posix-user-enforced" in ids[:3]


def test_a_read_only_mount_is_not_read_as_an_ownership_problem() -> None:
    # efs-semantics.md §7 row 41: a write refused with "Read-only file system" is ClientWrite
    ids = _ids("touch: cannot touch '/data/x': Read-only file system - the app is unable to write")
    assert ids[0] == "read-only-no-clientwrite"
