"""What the extracted facts say about the candidate causes (text only, no context).

Each adjustment multiplies a cause's odds: > 1 raises it, < 1 lowers it. The reasons come
from efs-semantics.md; each rule names the section it rests on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from efs_doctor.engine.explain.catalogue import Catalogue
from efs_doctor.engine.explain.model import Facts
from efs_doctor.engine.mount.kubelet import EFS_UTILS_EXIT, NFS_EXIT
from efs_doctor.engine.mount.versions import resolve_versions

RAISE = 3.0
LOWER = 0.15
RULE_OUT = 0.05

_AUTHENTICATED_CAUSES = ("identity-policy-missing-client-actions", "policy-denies-principal")
_ACCESS_POINT_CAUSES = ("access-point-root-dir-missing", "access-point-not-found")
_CIFS_OPTIONS = frozenset({"dir_mode", "file_mode", "uid", "gid", "username", "password", "vers"})


@dataclass(frozen=True, slots=True)
class Adjustment:
    cause: str
    factor: float
    reason: str


def _mount_argument_rules(facts: Facts) -> Iterator[Adjustment]:
    args = facts.mount_arguments
    if args is None:
        return
    names = args.option_names
    shown = ",".join(args.options) or "(none)"
    has_ap = "accesspoint" in names or facts.access_point_id is not None
    encrypted = "tls" in names  # the driver has already added it for an access point (§3.4)
    plain_nfs = (args.fs_type or "").startswith("nfs")
    if "iam" not in names:
        yield Adjustment(
            "iam-option-missing",
            RAISE,
            f"Mounting arguments have options {shown} and no `iam`: efs-utils connects as an "
            "anonymous client, which any user-defined file system policy refuses unless it "
            'allows Principal "*"',  # efs-semantics.md §4.1, §4.4, §4.8
        )
        for cause in (*_AUTHENTICATED_CAUSES, "iam-without-tls"):
            yield Adjustment(
                cause,
                LOWER,
                "no `iam` in the mount arguments: the client is anonymous, no role is evaluated",
            )
    else:
        yield Adjustment(
            "iam-option-missing",
            RULE_OUT,
            "the mount arguments already include `iam`",  # efs-semantics.md §2.8
        )
        for cause in _AUTHENTICATED_CAUSES:
            yield Adjustment(
                cause, 2.0, "the mount authenticates with `iam`: which role, and what it may do"
            )
    if encrypted:
        for cause in ("policy-secure-transport-no-tls", "iam-without-tls"):
            # efs-semantics.md §3.4
            yield Adjustment(cause, RULE_OUT, f"the mount is encrypted (options {shown})")
    else:
        yield Adjustment(
            "policy-secure-transport-no-tls",
            RAISE,
            f"no `tls` in the mount options ({shown}): aws:SecureTransport is false, so a "
            "Deny on it applies",  # efs-semantics.md §4.5
        )
    if plain_nfs:
        yield Adjustment(
            "iam-option-missing",
            1.5,
            f"`-t {args.fs_type}` bypasses efs-utils: no TLS and no IAM identity are possible",
        )
    if has_ap:
        for cause in (*_ACCESS_POINT_CAUSES, "policy-condition-not-met"):
            yield Adjustment(cause, 2.0, "the mount goes through an access point")
    else:
        for cause in _ACCESS_POINT_CAUSES:
            yield Adjustment(cause, LOWER, "no access point in the mount arguments")
    path = args.path
    if path is not None and path not in ("/", ""):
        yield Adjustment(
            "subpath-missing",
            RAISE,
            f"the mount source {args.source} names the sub-directory {path}, which must exist",
        )
    elif path is not None:
        yield Adjustment("subpath-missing", LOWER, f"the mount source {args.source} is the root")
    if names & {"ocsp", "stunnel"}:
        yield Adjustment("tls-ocsp-unreachable", RAISE, "`ocsp`/`stunnel` selects legacy stunnel")
        yield Adjustment("stunnel-missing", 2.0, "`ocsp`/`stunnel` needs the stunnel binary")
    if names & _CIFS_OPTIONS:
        odd = ", ".join(sorted(names & _CIFS_OPTIONS))
        yield Adjustment("invalid-mount-option", RAISE, f"options not meant for NFS: {odd}")
    if "crossaccount" in names:
        yield Adjustment("dns-resolution-outside-vpc", 2.0, "the mount uses `crossaccount`")


def _credentials_rules(facts: Facts) -> Iterator[Adjustment]:
    cred = facts.credentials_source
    if cred is None:
        return
    who = cred.role_arn or f"{cred.kind}:{cred.detail}".rstrip(":")
    yield Adjustment(
        "iam-option-missing",
        RULE_OUT,
        f"mount.log shows IAM authentication (credentials source {who})",
    )
    for cause in (*_AUTHENTICATED_CAUSES, "policy-unsupported-condition-key"):
        yield Adjustment(
            cause,
            RAISE,
            # efs-semantics.md §2.8, §3.5
            f"the mount authenticated as {who}: the policy must allow exactly that principal",
        )
    if cred.kind == "metadata":
        yield Adjustment(
            "policy-denies-principal",
            2.0,
            "credentials came from instance metadata: EFS sees the node instance role, not an "
            "IRSA/Pod Identity role (a broken IRSA falls through silently)",  # §2.8
        )


def _exit_status_rules(facts: Facts, catalogue: Catalogue) -> Iterator[Adjustment]:
    lowered: tuple[str, ...]
    if facts.exit_status == NFS_EXIT:
        lowered = ("efs-utils", "dns", "credentials", "csi", "kubernetes")
        reason = "exit status 32 comes from mount.nfs4 (server or network), after efs-utils' checks"
    elif facts.exit_status == EFS_UTILS_EXIT:
        lowered = ("authorization", "posix", "access-point")
        reason = "exit status 1 comes from efs-utils itself, before the NFS server answered"
    else:
        return
    for cause in catalogue.causes.values():
        if cause.layer in lowered:
            yield Adjustment(cause.id, 0.4, reason)  # efs-semantics.md §2.10, §3.9


def _environment_rules(facts: Facts) -> Iterator[Adjustment]:
    if facts.encrypt_in_transit is False:
        reason = 'encryptInTransit is "false" in the text: the driver omits `tls`'  # §3.3
        yield Adjustment("policy-secure-transport-no-tls", RAISE, reason)
        yield Adjustment("iam-without-tls", 2.0, reason)
    if facts.fargate:
        reason = "the text mentions Fargate"
        yield Adjustment("fargate-unsupported", RAISE, reason)
        yield Adjustment("csi-driver-version-bug", 1.5, reason)
    if facts.ipv6:
        yield Adjustment("ipv6-dual-stack", RAISE, "the text shows an IPv6 address")
    if facts.driver_version is None and facts.efs_utils_version is None:
        return
    # The versions' behaviours are the mount engine's (engine/mount/versions.py, §2.11, §3).
    versions = resolve_versions(facts.driver_version, facts.efs_utils_version, None)
    if facts.efs_utils_version is not None and not versions.efs_proxy:
        yield Adjustment(
            "stunnel-missing", 2.0, f"efs-utils {facts.efs_utils_version} (< 2.0) uses stunnel"
        )
    if facts.efs_utils_version is not None and not versions.mount_target_ip_option:
        yield Adjustment(
            "efs-utils-version",
            2.0,
            f"efs-utils {facts.efs_utils_version} predates the DNS fallback and IMDSv2 (1.31.1)",
        )
    if facts.driver_version is not None and not versions.prefixed_handles:
        yield Adjustment(
            "csi-driver-version-bug",
            1.5,
            f"driver {facts.driver_version} is older than v3 "
            "(no efs: handle prefix, path attribute)",
        )


def fact_adjustments(facts: Facts, catalogue: Catalogue) -> list[Adjustment]:
    """All adjustments the facts justify, in a stable order."""
    return [
        *_mount_argument_rules(facts),
        *_credentials_rules(facts),
        *_exit_status_rules(facts, catalogue),
        *_environment_rules(facts),
    ]
