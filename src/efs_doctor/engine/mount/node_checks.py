"""What is checked on the node itself before anything is sent (steps 3 and 5 of
efs-semantics.md §10): the region efs-utils mounts in (§2.6), the local proxy port (§2.5), and
whether mount.nfs4 accepts the options efs-utils passes through to it (§2.2)."""

from __future__ import annotations

from efs_doctor.data.references import NFS_MANUAL, section_url
from efs_doctor.engine.mount import kubelet
from efs_doctor.engine.mount.admission import MountRequest
from efs_doctor.engine.mount.model import Step, step, where
from efs_doctor.engine.mount.options import REGION_PATTERN, nfs_refusal
from efs_doctor.engine.mount.placement import Placement
from efs_doctor.engine.mount.versions import Versions
from efs_doctor.engine.mount.view import InventoryView

SECTION_REGION = section_url("2.6")
SECTION_PORT = section_url("2.5")
# efs-semantics.md §2.2: options efs-utils does not consume reach mount.nfs4 as written.
SECTION_NFS_OPTIONS = NFS_MANUAL.url
REGION_ERROR = (
    'Error retrieving region. Please set the "region" parameter in the efs-utils configuration '
    "file or specify it as a mount option."
)
UNKNOWN_REGION = "<region>"


def region_step(
    request: MountRequest, placement: Placement, view: InventoryView, versions: Versions
) -> tuple[Step, str]:
    """``metadata.get_target_region``: the ``region`` option (validated from v3.2.0), the
    environment/config (not set by the driver's manifests), then the instance identity
    document from IMDS."""
    options = request.options
    fs_id = request.csi.handle.file_system_id
    if "region" in options and versions.region_option:
        value = options["region"] or ""
        if versions.region_regex and not REGION_PATTERN.fullmatch(value):
            message = f'Invalid "region" mount option specified: {value!r}'
            failed = step(
                "region",
                "failed",
                [f"region={value}"],
                SECTION_REGION,
                cause="invalid-mount-option",
                error=request.efs_utils_error(message),
                reason=message,
            )
            return failed, value
        return step("region", "ok", [f"region={value} (mount option)"], SECTION_REGION), value
    if placement.imds_disabled:
        instance = placement.instance
        failed = step(
            "region",
            "failed",
            [f"instance {instance.id if instance else '?'} has IMDS disabled, no region option"],
            where(instance.source if instance else None, SECTION_REGION),
            cause="imds-unavailable",
            error=request.efs_utils_error(REGION_ERROR),
            reason="efs-utils reads the region from the instance metadata service, which is "
            "disabled on the node (unless AWS_REGION is set on the efs-plugin container, which "
            "the driver's manifests do not do)",
        )
        return failed, ""
    region = (
        placement.region
        or view.region_of_file_system(fs_id)
        or (view.cluster.region if view.cluster else None)
    )
    if region is None:
        evidence = ["read from instance metadata at mount time; not known from the inputs"]
        return step("region", "ok", evidence, SECTION_REGION), UNKNOWN_REGION
    evidence = [f"{region} from instance metadata (IMDS)"]
    return step("region", "ok", evidence, SECTION_REGION), region


def port_step(request: MountRequest) -> Step:
    """One proxy and one port per mount, from 20049-21048 unless ``tlsport`` pins one."""
    tlsport = request.options.get("tlsport")
    if tlsport is not None:
        evidence = [
            f"tlsport={tlsport}: efs-proxy listens on 127.0.0.1:{tlsport}; if it is busy at "
            f"mount time: 'Specified port [{tlsport}] is unavailable. Try selecting a different "
            "port.'"
        ]
    else:
        evidence = [
            "a free port from 20049-21048 on 127.0.0.1 (one per mount; exhausted only past "
            "~1000 concurrent mounts on a node, which the inputs cannot show)"
        ]
    return step("port", "ok", evidence, SECTION_PORT)


def behind_proxy(request: MountRequest, versions: Versions) -> bool:
    """mount.nfs4 talks to efs-utils' local proxy (127.0.0.1): every mount on efs-utils with
    efs-proxy unless ``stunnel`` is asked for, and every TLS mount (§2.5)."""
    return (versions.efs_proxy and "stunnel" not in request.options) or request.tls


def nfs_failure(request: MountRequest, versions: Versions, stderr: str, *, retried: bool) -> str:
    """kubelet's text when mount.nfs4 fails with ``stderr`` (§2.10, §3.9)."""
    if behind_proxy(request, versions):
        output = kubelet.nfs_failure_output(stderr, retried=retried)
    else:
        output = kubelet.bytes_repr(stderr) + "\n"
    return request.mount_error(output, kubelet.NFS_EXIT)


def nfs_options_step(request: MountRequest, versions: Versions) -> Step:
    """mount.nfs4 parses the options before it sends anything: a refused option fails the
    mount whatever the network and the policy say."""
    refused = nfs_refusal(request.options)
    if refused is None:
        return step("nfs-options", "ok", ["mount.nfs4 accepts the options"], SECTION_NFS_OPTIONS)
    return step(
        "nfs-options",
        "failed",
        [f"{refused.option}: {refused.why}"],
        SECTION_NFS_OPTIONS,
        cause="invalid-mount-option",
        error=nfs_failure(request, versions, refused.message, retried=False),
        reason=f"mount.nfs4 refuses `{refused.option}` ({refused.why})",
    )
