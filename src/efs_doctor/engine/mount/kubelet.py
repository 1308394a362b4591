"""The text kubelet shows in a pod's ``FailedMount`` event (efs-semantics.md §3.9, §2.10).

- NodePublishVolume rejections: ``MountVolume.SetUp failed for volume "<pv>" : rpc error:
  code = <code> desc = <message>`` (grpc ``status.Error``).
- ``mount`` failures: the driver wraps the k8s.io/mount-utils error
  (``vendor/k8s.io/mount-utils/mount_linux.go`` ``doMount``: ``mount failed: %v\\nMounting
  command: %s\\nMounting arguments: %s\\nOutput: %s``) as ``Could not mount %q at %q: %v``
  (``pkg/driver/node.go``).
- The Output is mount.efs's combined stdout/stderr. efs-utils writes each fatal message with
  a trailing newline (``error_reporting.fatal_error``); mount.nfs4's stderr is written as a
  Python bytes repr (``b'...'``) and mount.efs exits with its status (32). Once the proxy is
  being set up, the CSI container always prints the benign watchdog line first
  (``proxy.start_watchdog``: PID 1 is ``aws-efs-csi-dri``).
- A hang (nothing answers on TCP 2049) ends with kubelet's ``DeadlineExceeded``.
"""

from __future__ import annotations

from efs_doctor.engine.mount.golang import go_quote

WATCHDOG_LINE = (
    'Could not start amazon-efs-mount-watchdog, unrecognized init system "aws-efs-csi-dri"'
)
NFS_EXIT = 32
EFS_UTILS_EXIT = 1


def target_path(pod_uid: str | None, pv_name: str) -> str:
    """Where kubelet asks the driver to publish a CSI volume for a pod."""
    uid = pod_uid or "<pod-uid>"
    return f"/var/lib/kubelet/pods/{uid}/volumes/kubernetes.io~csi/{pv_name}/mount"


def setup_failed(pv_name: str, code: str, message: str) -> str:
    volume = go_quote(pv_name)
    return (
        f"MountVolume.SetUp failed for volume {volume} : rpc error: code = {code} desc = {message}"
    )


def deadline_exceeded(pv_name: str) -> str:
    return setup_failed(pv_name, "DeadlineExceeded", "context deadline exceeded")


def mount_failed(
    pv_name: str, source: str, target: str, arguments: str, *, exit_status: int, output: str
) -> str:
    inner = (
        f"mount failed: exit status {exit_status}\nMounting command: mount\n"
        f"Mounting arguments: {arguments}\nOutput: {output}"
    )
    return setup_failed(
        pv_name, "Internal", f"Could not mount {go_quote(source)} at {go_quote(target)}: {inner}"
    )


def bytes_repr(text: str) -> str:
    """How efs-utils prints mount.nfs4's stderr (a ``bytes`` object formatted with ``%s``)."""
    return repr(text.encode())


def efs_utils_output(message: str, *, after_proxy_setup: bool = False) -> str:
    lines = [WATCHDOG_LINE] if after_proxy_setup else []
    lines.append(message)
    return "\n".join(lines) + "\n"


def nfs_access_denied(path: str, host: str = "127.0.0.1") -> str:
    return f"mount.nfs4: access denied by server while mounting {host}:{path}"


def nfs_failure_output(stderr: str, *, retried: bool) -> str:
    """mount.efs output when mount.nfs4 fails. ``retried``: efs-utils >= 2.4.2 retries
    ``access denied`` for access-point mounts: attempts 1 and 2 print a progress line with the
    raw stderr repr (trailing newline included) and the back-off ``%d`` of 1.5**i + U(0, 1)
    seconds (1, then 1 or 2; shown as 1 and 2), then the last attempt fails for good
    (``mount_utils.call_nfs_mount_command_with_retry_succeed``)."""
    lines = [WATCHDOG_LINE]
    if retried:
        raw = bytes_repr(stderr + "\n")
        for attempt, wait in ((1, 1), (2, 2)):
            lines.append(
                f"Mount attempt {attempt}/3 failed due to {raw}, "
                f"wait {wait} sec before next attempt."
            )
    lines.append(bytes_repr(stderr))
    return "\n".join(lines) + "\n"
