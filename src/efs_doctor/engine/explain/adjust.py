"""What the extracted facts say about the candidate causes (text only, no context).

Each adjustment multiplies a cause's odds: > 1 raises it, < 1 lowers it. The reasons come
from efs-semantics.md; each rule names the section it rests on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from efs_doctor.engine.explain.catalogue import Catalogue
from efs_doctor.engine.explain.model import Facts, Match, MountArguments
from efs_doctor.engine.mount.kubelet import EFS_UTILS_EXIT, NFS_EXIT
from efs_doctor.engine.mount.versions import resolve_versions

RAISE = 3.0
LOWER = 0.15
RULE_OUT = 0.05
# What the report's own words do to a cause a specific message already names (word_adjustments).
WORDS = 2.0
# What a decisive fact alone makes of a cause no message named (ranking caps it below the causes
# a specific message names).
BRINGS = 0.55
# Seconds from a mount attempt to its failure (timing.py): at least SLOW means nothing answered
# on TCP 2049; at most FAST means the server or the helper answered.
SLOW_SECONDS = 10.0
FAST_SECONDS = 5.0

_AUTHENTICATED_CAUSES = ("identity-policy-missing-client-actions", "policy-denies-principal")
_ACCESS_POINT_CAUSES = ("access-point-root-dir-missing", "access-point-not-found")
_CIFS_OPTIONS = frozenset({"dir_mode", "file_mode", "uid", "gid", "username", "password", "vers"})
# Layers of the messages the server prints for a mount it refused (access denied, no such file):
# the only messages an access point's own failures print (efs-semantics.md §5, §7 rows 1-2).
# Transport failures (timeouts, resolution, TLS) print the same for access point mounts as for
# any other, so an access point says nothing about them.
SERVER_ANSWER_LAYERS = frozenset({"authorization", "access-point", "posix"})
_NETWORK_LAYERS = frozenset({"network"})
# What a name that cannot resolve anywhere is not about: the resolver and where the client sits.
_RESOLVER_CAUSES = ("no-mount-target-in-az", "vpc-dns-disabled", "dns-resolution-outside-vpc")
# "No such file or directory" from the server is a posix-layer message (signatures.yaml).
_MISSING_DIRECTORY_LAYERS = frozenset({"posix"})

# AWS API actions named in "is not authorized to perform: <action>", by who calls them:
# the controller provisions and deletes access points (efs-semantics.md §3.8), efs-utils looks up
# mount targets when DNS fails (§2.7), STS is the credential exchange (§2.8, §3.5).
_CONTROLLER_ACTIONS = frozenset(
    {
        "elasticfilesystem:createaccesspoint",
        "elasticfilesystem:deleteaccesspoint",
        "elasticfilesystem:describeaccesspoints",
        "elasticfilesystem:describefilesystems",
        "elasticfilesystem:tagresource",
    }
)
_LOOKUP_ACTIONS = frozenset(
    {"elasticfilesystem:describemounttargets", "ec2:describeavailabilityzones"}
)
_ACTION_CAUSES = {
    "controller": "csi-controller-permissions",
    "lookup": "mount-target-lookup-permissions",
    "web-identity": "irsa-trust-policy",
    "assume-role": "cross-account-assume-role",
}


@dataclass(frozen=True, slots=True)
class Adjustment:
    cause: str
    factor: float
    reason: str
    brings: float = 0.0
    """> 0: the fact alone brings the cause in when no message named it, at this probability."""
    layers: frozenset[str] = frozenset()
    """Non-empty: applies only to a cause named by a message of one of these layers."""


def _controller_mount_rules(args: MountArguments | None) -> Iterator[Adjustment]:
    """The controller's own cleanup mount: its options are the driver's, not the PV's."""
    reason = (
        "the mount target /var/lib/csi/pv/<access point> is the CSI controller's own mount for "
        "deleting an access point's root directory: the driver chooses its options, the PV's "
        "mountOptions play no part"
    )
    yield Adjustment("iam-option-missing", LOWER, reason)
    for cause in (*_ACCESS_POINT_CAUSES, "subpath-missing"):
        yield Adjustment(cause, LOWER, reason)
    if args is None:
        return
    if "iam" in args.option_names:
        # Since aws-efs-csi-driver#422 the controller mounts with `tls,iam` as its own role.
        yield Adjustment("csi-driver-version-bug", LOWER, f"{reason}; it has `iam`")
        yield Adjustment(
            "identity-policy-missing-client-actions",
            RAISE,
            f"{reason}; it authenticates as the controller's role",
        )
    else:
        # Drivers before aws-efs-csi-driver#422 mounted without `iam` here.
        reason = f"{reason}; without `iam` it is a driver release older than the fix"
        yield Adjustment("csi-driver-version-bug", RAISE, reason, brings=BRINGS)
        yield Adjustment("identity-policy-missing-client-actions", LOWER, reason)


def _missing_directory_rules(has_ap: bool, path: str | None) -> Iterator[Adjustment]:
    """Which directory a server's "No such file or directory" is about (efs-semantics.md §5):
    the file system root always exists, so a root source means the access point's root
    directory; a sub-directory source means that sub-directory. Without a source, a report that
    mounts through an access point points at the access point's root directory."""
    if path is None:
        if has_ap:
            yield Adjustment(
                "access-point-root-dir-missing",
                2.0,
                "the mount goes through an access point, whose root directory EFS creates only "
                "with CreationInfo",
                layers=_MISSING_DIRECTORY_LAYERS,
            )
        return
    if path in ("/", ""):
        yield Adjustment(
            "subpath-missing",
            RULE_OUT,
            "the mount source is the file system root, which always exists",
        )
        if has_ap:
            yield Adjustment(
                "access-point-root-dir-missing",
                RAISE,
                "an access point mount of the root: a missing directory is the access point's "
                "root directory (EFS creates it only with CreationInfo)",
                layers=_MISSING_DIRECTORY_LAYERS,
            )
    elif not has_ap:
        yield Adjustment(
            "subpath-missing",
            RAISE,
            f"the mount source names the sub-directory {path}, which must exist",
            brings=BRINGS,
        )


def _mount_argument_rules(facts: Facts) -> Iterator[Adjustment]:
    args = facts.mount_arguments
    has_ap = facts.access_point_id is not None or (
        args is not None and "accesspoint" in args.option_names
    )
    if facts.controller_mount:
        yield from _controller_mount_rules(args)
        return
    path = args.path if args is not None else facts.server_path
    if args is None:
        yield from _missing_directory_rules(has_ap or facts.access_point_words, path)
        if has_ap:
            yield from _access_point_rules()
        elif facts.access_point_words:
            # Without mounting arguments, a report that says it mounts through an access point:
            # its POSIX user replaces the caller's on every operation (efs-semantics.md §5), so
            # a refused chown or write is the access point's before root squashing.
            yield Adjustment(
                "access-point-posix-user-enforced",
                2.0,
                "the report mounts through an access point, whose POSIX user replaces the caller's",
                layers=_MISSING_DIRECTORY_LAYERS,
            )
        return
    names = args.option_names
    shown = ",".join(args.options) or "(none)"
    encrypted = "tls" in names  # the driver has already added it for an access point (§3.4)
    plain_nfs = (args.fs_type or "").startswith("nfs")
    if plain_nfs:
        reason = (
            f"`-t {args.fs_type}` is the kernel NFS client, not efs-utils: no TLS and no IAM "
            "identity are possible"  # efs-semantics.md §2.9
        )
        yield Adjustment("nfs-client-without-efs-utils", RAISE, reason, brings=BRINGS)
        yield Adjustment("iam-option-missing", LOWER, reason + " (`iam` is an efs-utils option)")
        for cause in (*_AUTHENTICATED_CAUSES, "iam-without-tls"):
            yield Adjustment(cause, LOWER, reason)
    elif "iam" not in names:
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
    if has_ap:
        yield from _access_point_rules()
    else:
        for cause in _ACCESS_POINT_CAUSES:
            yield Adjustment(cause, LOWER, "no access point in the mount arguments")
    # Mounting arguments show the access point (the driver adds accesspoint=): words do not
    # override them.
    yield from _missing_directory_rules(has_ap, path)
    if names & {"ocsp", "stunnel"}:
        yield Adjustment("tls-ocsp-unreachable", RAISE, "`ocsp`/`stunnel` selects legacy stunnel")
        yield Adjustment("stunnel-missing", 2.0, "`ocsp`/`stunnel` needs the stunnel binary")
    if names & _CIFS_OPTIONS:
        odd = ", ".join(sorted(names & _CIFS_OPTIONS))
        yield Adjustment("invalid-mount-option", RAISE, f"options not meant for NFS: {odd}")
    if "crossaccount" in names:
        yield Adjustment("dns-resolution-outside-vpc", 2.0, "the mount uses `crossaccount`")


def _access_point_rules() -> Iterator[Adjustment]:
    # Only for messages the server prints for a refused mount: an access point's own failures
    # print "access denied" or "No such file or directory", never a timeout (efs-semantics.md §5).
    for cause in (*_ACCESS_POINT_CAUSES, "policy-condition-not-met"):
        yield Adjustment(
            cause, 2.0, "the mount goes through an access point", layers=SERVER_ANSWER_LAYERS
        )
    yield Adjustment(
        "access-point-posix-user-enforced",
        2.0,
        "the mount goes through an access point, whose POSIX user replaces the caller's",
        layers=SERVER_ANSWER_LAYERS,
    )


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
        yield Adjustment(
            "ipv6-dual-stack", RAISE, "the text shows an IPv6 address or speaks of IPv6"
        )
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


def _action_family(action: str) -> str | None:
    action = action.lower()
    if action in _CONTROLLER_ACTIONS:
        return "controller"
    if action in _LOOKUP_ACTIONS:
        return "lookup"
    if action == "sts:assumerolewithwebidentity":
        return "web-identity"
    if action == "sts:assumerole":
        return "assume-role"
    return None


def _denied_action_rules(facts: Facts) -> Iterator[Adjustment]:
    """A raw AWS denial names the action, and the action names who was refused."""
    if facts.denied_action is None:
        return
    family = _action_family(facts.denied_action)
    if family is None:
        return
    for name, cause in _ACTION_CAUSES.items():
        if name == family:
            yield Adjustment(
                cause,
                RAISE,
                f"the denied action is {facts.denied_action}",
                brings=BRINGS,
            )
        else:
            yield Adjustment(cause, LOWER, f"the denied action is {facts.denied_action}")


def _dns_name_rules(facts: Facts) -> Iterator[Adjustment]:
    """What the name that failed to resolve says (efs-semantics.md §2.7, §7 rows 12 and 43)."""
    if facts.quoted_dns_name is not None:
        reason = (
            f"the name «{facts.quoted_dns_name}» has quote marks inside it: no host has that "
            "name, so the file system id reached the mount with its quotes"
        )
        yield Adjustment("file-system-not-found", RAISE, reason)
        for cause in _RESOLVER_CAUSES:
            yield Adjustment(cause, LOWER, reason + "; the VPC's DNS is not what failed")
        return
    dns, node = facts.dns_name_region, facts.node_region
    if dns is None or node is None or dns == node:
        return
    # EFS names resolve only inside the VPC of the mount targets, in their region (§6).
    reason = f"the file system's DNS name is in {dns}, the node in {node}"
    yield Adjustment("file-system-not-found", RAISE, f"{reason}: a wrong region or id")
    yield Adjustment("dns-resolution-outside-vpc", RAISE, f"{reason}: another region's VPC")
    for cause in ("no-mount-target-in-az", "vpc-dns-disabled"):
        yield Adjustment(cause, LOWER, reason)


def _timing_rules(facts: Facts, catalogue: Catalogue) -> Iterator[Adjustment]:
    seconds = facts.mount_seconds
    if seconds is None:
        return
    if seconds >= SLOW_SECONDS:
        # efs-semantics.md §2.10 (15 s per attempt), §6 (dropped packets)
        reason = f"the mount failed {seconds:.0f} s after it started: nothing answered on TCP 2049"
        raised, lowered = _NETWORK_LAYERS, SERVER_ANSWER_LAYERS
    elif seconds <= FAST_SECONDS:
        reason = (
            f"the mount failed {seconds:.1f} s after it started: the server or the mount "
            "helper answered, so packets get through"
        )
        raised, lowered = frozenset(), _NETWORK_LAYERS
    else:
        return
    for cause in catalogue.causes.values():
        if cause.layer in raised:
            yield Adjustment(cause.id, RAISE, reason)
        elif cause.layer in lowered:
            yield Adjustment(cause.id, LOWER, reason)


def word_adjustments(keywords: Iterable[Match], catalogue: Catalogue) -> list[Adjustment]:
    """The report's own words beside a specific message: they decide between the causes that
    message names ("Failed to resolve" and "our DHCP options point to internal DNS"), and bring
    in none (an adjustment only re-weights a cause a message already named)."""
    found = []
    for match in keywords:
        signature = catalogue.signature(match.signature)
        reason = f"the report says «{match.excerpt}»"
        found += [Adjustment(cause, WORDS, reason) for cause in signature.causes]
    return found


def fact_adjustments(facts: Facts, catalogue: Catalogue) -> list[Adjustment]:
    """All adjustments the facts justify, in a stable order."""
    return [
        *_mount_argument_rules(facts),
        *_credentials_rules(facts),
        *_exit_status_rules(facts, catalogue),
        *_environment_rules(facts),
        *_denied_action_rules(facts),
        *_timing_rules(facts, catalogue),
        *_dns_name_rules(facts),
    ]
