"""EFS mounted as an in-tree ``nfs:`` volume, by the kernel NFS client.

What it checks
--------------
Every Pod volume and PersistentVolume of type ``nfs`` whose server is an EFS file system DNS
name (``fs-….efs.<region>.amazonaws.com``), a zonal one (``<az>.fs-…``) or the address of a
mount target among the inputs. The mount simulation runs it as kubelet does: ``mount -t nfs``
with the kernel client, so no TLS and no IAM identity; EFS sees an anonymous client over
plaintext, and the network checks apply as for any client. When the file system policy
refuses that client (it denies non-TLS access, or grants anonymous clients no ClientMount),
the finding says the mount fails. Otherwise it is a low-severity note: the data travels
unencrypted, access cannot be limited per identity, and the options the EFS user guide
recommends that the volume does not set.

Why it breaks mounts
--------------------
The EFS CSI driver and its mount helper are what bring TLS and the ``iam`` identity. Without
them a policy such as ``Deny`` on ``aws:SecureTransport: false`` (the default of the
terraform-aws-efs module) refuses the mount with ``mount.nfs: access denied by server while
mounting fs-….efs.<region>.amazonaws.com:/``.

Example
-------
::

    kind: PersistentVolume
    spec:
      nfs:
        server: fs-0123456789abcdef0.efs.us-west-2.amazonaws.com
        path: /

Use instead
-----------
::

    kind: PersistentVolume
    spec:
      mountOptions: [tls, iam]
      csi:
        driver: efs.csi.aws.com
        volumeHandle: fs-0123456789abcdef0

Limits
------
An address is taken for EFS only when it is a mount target's among the inputs. Kernel NFS
defaults (``hard``, ``timeo=600``, ``retrans=2`` over TCP, negotiated sizes) may already match
a recommendation the volume leaves unset; the note lists what the volume does not say.

Fix safety
----------
No fix is offered: moving to the CSI driver changes the volume source, which is immutable
on a PersistentVolume (a new PV is needed).

References
----------
- https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-old.html
- https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-nfs-mount-settings.html
- https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.kernel_client import recommended_gaps
from efs_doctor.findings import Confidence, Location, Severity
from efs_doctor.model.chain import MountChain
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import chain_subjects

META = RuleMeta(
    code="K8S003",
    slug="nfs-volume-on-efs",
    summary="EFS mounted as an in-tree nfs volume: no TLS, anonymous, not the recommended options",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="nfs-client-without-efs-utils",
)


def _where(chain: MountChain) -> Location:
    if chain.volume is not None:
        return at(chain.volume, "spec", "nfs", "server")
    assert chain.workload is not None
    assert chain.pod_volume is not None
    return at(chain.workload, *chain.pod_volume.field_path, "nfs", "server")


def _what(chain: MountChain) -> str:
    assert chain.nfs is not None
    owner = (
        f"PV {chain.volume.name}"
        if chain.volume is not None
        else f"nfs volume {chain.pod_volume.name if chain.pod_volume else '?'} of "
        f"{chain.workload.key if chain.workload else '?'}"
    )
    return f"{owner} mounts EFS {chain.nfs.server.file_system_id} ({chain.nfs.server.name})"


def check(context: Context) -> Iterator[Result]:
    seen: set[str] = set()
    for chain in context.chains:
        if chain.nfs is None:
            continue
        key = chain.volume.name if chain.volume is not None else chain.label
        if key in seen:
            continue
        seen.add(key)
        outcomes = context.outcomes(chain)
        refused = next(
            (o for o in outcomes if o.outcome == "failed" and o.cause == META.cause), None
        )
        if refused is not None:
            yield META.finding(
                f"{_what(chain)} with the kernel NFS client: {refused.reason}",
                _where(chain),
                expected_error=refused.error,
                chain=chain.label,
                subjects=chain_subjects(chain),
            )
            continue
        request = context.request(chain)
        gaps = recommended_gaps(request.options) if request is not None else []
        advice = (
            f"; options not as the EFS user guide recommends: {', '.join(gaps)}" if gaps else ""
        )
        note = META.finding(
            f"{_what(chain)} with the kernel NFS client: no encryption in transit and no IAM "
            f"identity (EFS sees an anonymous client){advice}",
            _where(chain),
            severity=Severity.LOW,
            chain=chain.label,
            subjects=chain_subjects(chain),
        )
        yield replace(note, cause=None)  # the mount works; nothing here makes it fail
