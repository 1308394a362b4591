"""EFS mounted as an in-tree ``nfs:`` volume: kubelet's nfs plugin runs ``mount -t nfs
<server>:<path> <target>`` with the kernel NFS client. No CSI driver and no efs-utils take
part, so there is no TLS and no IAM identity: EFS sees an anonymous client over plaintext
(EFS User Guide, "Using Network File System to mount EFS file systems",
https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-old.html: TLS needs the mount helper;
https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html: a client without
the mount helper's ``iam`` option is anonymous). The Simulator runs the same steps for it
as for a CSI volume; this module holds what differs: admission, name resolution without the
mount helper's fallback, the errors mount.nfs prints, and the recommended options.
"""

from __future__ import annotations

from dataclasses import replace

from efs_doctor.engine.mount import kubelet
from efs_doctor.engine.mount.admission import Admission, MountRequest
from efs_doctor.engine.mount.dns import Target
from efs_doctor.engine.mount.golang import go_quote
from efs_doctor.engine.mount.model import Step, step, where
from efs_doctor.engine.mount.options import CsiMount
from efs_doctor.model.chain import MountChain
from efs_doctor.model.volume_handle import VolumeHandle

USER_GUIDE = "https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-old.html"
RECOMMENDED_PAGE = "https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-nfs-mount-settings.html"
# The EFS User Guide's recommended NFS mount options on Linux (RECOMMENDED_PAGE) and the NFS
# version its mount commands and the mount helper use (nfsvers=4.1:
# https://docs.aws.amazon.com/efs/latest/ug/mount-helper-setting.html). None: a flag.
RECOMMENDED: tuple[tuple[str, str | None], ...] = (
    ("nfsvers", "4.1"),
    ("rsize", "1048576"),
    ("wsize", "1048576"),
    ("hard", None),
    ("timeo", "600"),
    ("retrans", "2"),
    ("noresvport", None),
)
NFS_KIND = "nfs"
NO_EFS_UTILS = "anonymous: the kernel NFS client presents no IAM identity (no efs-utils `iam`)"


def target_path(pod_uid: str | None, volume_name: str) -> str:
    """Where kubelet's nfs plugin mounts the volume for a pod."""
    return f"/var/lib/kubelet/pods/{pod_uid or '<pod-uid>'}/volumes/kubernetes.io~nfs/{volume_name}"


def parse_options(flags: tuple[str, ...]) -> dict[str, str | None]:
    """mountOptions as ``key -> value`` (None for a flag); ``vers`` is ``nfsvers``."""
    parsed: dict[str, str | None] = {}
    for flag in flags:
        for part in flag.split(","):
            key, sep, value = part.strip().partition("=")
            if key:
                parsed["nfsvers" if key == "vers" else key] = value if sep else None
    return parsed


def recommended_gaps(options: dict[str, str | None]) -> list[str]:
    """The recommended options this mount does not set as recommended."""
    gaps: list[str] = []
    for key, value in RECOMMENDED:
        if key not in options:
            gaps.append(f"{key}={value} not set" if value else f"{key} not set")
        elif value is not None and options[key] != value:
            gaps.append(f"{key}={options[key]} (recommended {value})")
    if "soft" in options:
        gaps.append("soft (recommended hard)")
    return gaps


def admit_nfs(chain: MountChain, api: Step | None) -> Admission:
    """Steps 0-2 for an in-tree nfs volume: the API objects, then kubelet's own mount (no
    CSI admission, no efs-utils option validation)."""
    nfs = chain.nfs
    assert nfs is not None
    first: list[Step] = [api] if api is not None else []
    if api is not None and api.status == "failed":
        return Admission(tuple(first), None)
    volume_name = (
        chain.volume.name
        if chain.volume is not None
        else (chain.pod_volume.name if chain.pod_volume else "<volume>")
    )
    uid = chain.workload.meta.uid if chain.workload and chain.workload.kind == "Pod" else None
    path = nfs.source.path or "/"
    flags = chain.volume.mount_options if chain.volume is not None else ()
    if chain.read_only:
        flags = (*flags, "ro")
    csi = CsiMount(
        options=flags,
        source=f"{nfs.server.name}:{path}",
        handle=VolumeHandle(
            raw=f"{nfs.server.name}:{path}",
            type="efs",
            file_system_id=nfs.server.file_system_id,
            subpath=path,
            access_point_id=None,
            prefixed=False,
        ),
        fstype=NFS_KIND,
        encrypt_in_transit=False,
        notes=(),
    )
    request = MountRequest(
        csi, parse_options(flags), volume_name, target_path(uid, volume_name), planned=False
    )
    origin = (
        chain.volume.source
        if chain.volume is not None
        else chain.workload.source
        if chain.workload
        else None
    )
    where_volume = where(origin, USER_GUIDE)
    kubernetes = step(
        "kubernetes",
        "ok",
        [
            *chain.notes,
            f"in-tree nfs volume: kubelet runs {request.command}",
            f"server {nfs.server.name} is {nfs.server.file_system_id}"
            + (f" (mount target {nfs.server.mount_target.id})" if nfs.server.mount_target else ""),
        ],
        where_volume,
    )
    csi_step = step("csi", "skipped", ["in-tree nfs volume: no CSI driver takes part"], USER_GUIDE)
    utils = step(
        "efs-utils",
        "skipped",
        [
            "the kernel NFS client mounts directly: no efs-utils, so no TLS (plaintext) and no "
            "IAM identity (anonymous)"
        ],
        USER_GUIDE,
    )
    return Admission((*first, kubernetes, csi_step, utils), request)


def mount_error(request: MountRequest, stderr: str) -> str:
    """kubelet's FailedMount text when the in-tree nfs plugin's mount fails (k8s.io/mount-utils
    ``doMount``: ``mount failed: exit status 32`` and the command's output)."""
    return (
        f"MountVolume.SetUp failed for volume {go_quote(request.pv_name)} : mount "
        f"failed: exit status {kubelet.NFS_EXIT}\nMounting command: mount\n"
        f"Mounting arguments: {request.arguments}\nOutput: {stderr}\n"
    )


def resolution_failure(target: Target, request: MountRequest) -> Target:
    """No mount helper, so no botocore fallback: a name that does not resolve fails the mount
    with mount.nfs's message."""
    message = f"mount.nfs: Failed to resolve server {target.dns_name}: Name or service not known"
    return replace(
        target,
        error=None,
        reason=f"{target.reason or 'the name does not resolve'}; the kernel client has no "
        "fallback to the mount target API",
        evidence=(*target.evidence, message),
    )


def denied(request: MountRequest, decided: Step) -> Step:
    """EFS refuses the anonymous plaintext client: mount.nfs names the real server."""
    server = request.csi.source
    return replace(
        decided,
        cause="nfs-client-without-efs-utils",
        error=mount_error(request, f"mount.nfs: access denied by server while mounting {server}"),
        reason=f"the kernel NFS client mounts without TLS and as an anonymous principal, and "
        f"{decided.reason or 'the file system policy refuses that'}",
    )


def timed_out(request: MountRequest, blocked: Step) -> Step:
    """Nothing answers on TCP 2049: mount.nfs retries in the foreground until its retry
    time (2 minutes by default, nfs(5) ``retry``) and gives up with a timeout."""
    return replace(
        blocked,
        error=mount_error(request, "mount.nfs: Connection timed out"),
        reason=(blocked.reason or "").split("; on the DNS path")[0]
        + "; the kernel client retries until mount.nfs times out",
    )
