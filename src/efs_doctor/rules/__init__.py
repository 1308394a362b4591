"""The rule registry: one explicit, ordered tuple (STYLE.md convention 3).

Order matters: findings of equal severity are reported in registry order, and the most
common causes of a failing mount come first. A rule module that is not listed here never
runs; ``tests/rules/test_catalogue.py`` fails when one is missing.
"""

from __future__ import annotations

from efs_doctor.rules.access_points import (
    access_point_mismatch,
    access_point_posix_user_enforced,
    posix_user_vs_pod_security_context,
    root_directory_without_creation_info,
)
from efs_doctor.rules.authorization import (
    mount_anonymous_under_restrictive_policy,
    mount_principal_not_allowed,
    policy_missing_client_mount,
    policy_open_to_network,
    read_only_by_policy,
    root_squashed,
    secure_transport_without_tls,
    source_ip_private_range,
    unenforced_condition_key,
)
from efs_doctor.rules.base import Rule
from efs_doctor.rules.csi import (
    access_point_id_format,
    duplicate_volume_handle,
    fsgroup_not_applied,
    iam_without_tls,
    invalid_base_path,
    invalid_directory_perms,
    invalid_gid_range,
    invalid_mount_option,
    malformed_volume_handle,
    read_only_many_access_mode,
    storageclass_mount_options_not_applied,
    tls_with_encryption_disabled,
    unknown_storageclass_parameter,
    unsupported_volume_attribute,
)
from efs_doctor.rules.identity import (
    controller_permissions_missing,
    iam_without_node_credentials,
    irsa_trust_mismatch,
)
from efs_doctor.rules.kubernetes import api_object_invalid, claim_unbound, nfs_volume_on_efs
from efs_doctor.rules.mount import provisioning_fails, simulated_mount_failure
from efs_doctor.rules.network import (
    file_system_in_other_vpc,
    mount_target_port_blocked,
    network_acl_blocks,
    no_mount_target_in_zone,
    node_egress_blocked,
    one_zone_other_zone,
    vpc_dns_disabled,
)

REGISTRY: tuple[Rule, ...] = tuple(
    Rule.from_module(module)
    for module in (
        # kubernetes: the objects before anything mounts
        api_object_invalid,
        claim_unbound,
        nfs_volume_on_efs,
        # authorization
        mount_anonymous_under_restrictive_policy,
        mount_principal_not_allowed,
        policy_missing_client_mount,
        secure_transport_without_tls,
        unenforced_condition_key,
        source_ip_private_range,
        read_only_by_policy,
        root_squashed,
        policy_open_to_network,
        # csi
        malformed_volume_handle,
        duplicate_volume_handle,
        tls_with_encryption_disabled,
        iam_without_tls,
        storageclass_mount_options_not_applied,
        read_only_many_access_mode,
        unsupported_volume_attribute,
        unknown_storageclass_parameter,
        invalid_directory_perms,
        invalid_gid_range,
        invalid_base_path,
        invalid_mount_option,
        fsgroup_not_applied,
        access_point_id_format,
        # network
        no_mount_target_in_zone,
        mount_target_port_blocked,
        node_egress_blocked,
        network_acl_blocks,
        vpc_dns_disabled,
        file_system_in_other_vpc,
        one_zone_other_zone,
        # identity
        iam_without_node_credentials,
        irsa_trust_mismatch,
        controller_permissions_missing,
        # access points
        root_directory_without_creation_info,
        access_point_mismatch,
        posix_user_vs_pod_security_context,
        access_point_posix_user_enforced,
        # mount: provisioning before any mount; MNT001 last, it reports what no rule above did
        provisioning_fails,
        simulated_mount_failure,
    )
)


def find_rule(name: str) -> Rule | None:
    """The rule with this code or slug (case-insensitive)."""
    wanted = name.strip().lower()
    return next((r for r in REGISTRY if wanted in (r.code.lower(), r.slug)), None)
