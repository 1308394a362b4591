"""Steps 1-2 of efs-semantics.md §10: Kubernetes/CSI admission and efs-utils option
validation, ending in the exact ``mount`` command the node plugin runs.

Access modes (§3.6): kubelet sends the first entry of ``PV.spec.accessModes`` (RWO when
empty); the driver accepts SINGLE_NODE_WRITER (RWO) and MULTI_NODE_MULTI_WRITER (RWX);
``ReadOnlyMany`` is rejected; ``ReadWriteOncePod`` is believed to map to SINGLE_NODE_WRITER
but this is not verified (§9 Q9). Then, in NodePublishVolume's order: block volumes, a
``crossaccount`` mount flag (v3.0.0+), volumeAttributes, the handle, option conflicts (§3.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from efs_doctor.data.references import section_url
from efs_doctor.engine.api_server import REFERENCE as API_REFERENCE
from efs_doctor.engine.api_server import Rejection
from efs_doctor.engine.mount import kubelet
from efs_doctor.engine.mount.model import Step, step, where
from efs_doctor.engine.mount.options import (
    CsiMount,
    CsiRejection,
    build_csi_mount,
    nfs_options,
    parse_efs_options,
    validate_efs_options,
)
from efs_doctor.engine.mount.versions import Versions
from efs_doctor.model.binding import REFERENCE as BINDING_REFERENCE
from efs_doctor.model.chain import MountChain
from efs_doctor.model.kubernetes import PersistentVolume, PersistentVolumeClaim, StorageClass

ACCESS_MODES = {
    "ReadWriteOnce": "SINGLE_NODE_WRITER",
    "ReadWriteMany": "MULTI_NODE_MULTI_WRITER",
    "ReadOnlyMany": "MULTI_NODE_READER_ONLY",
    "ReadWriteOncePod": "SINGLE_NODE_SINGLE_WRITER",
}
ACCEPTED = ("SINGLE_NODE_WRITER", "MULTI_NODE_MULTI_WRITER")
# A well-formed placeholder for the access point a dynamic claim will get (§3.7).
NEW_ACCESS_POINT = "fsap-" + "0" * 17
NEW_ACCESS_POINT_TEXT = "fsap-<new>"
NEW_PV = "<new PV>"
CROSSACCOUNT_FLAG = CsiRejection(
    "InvalidArgument",
    "Volume capability not supported: mount option 'crossaccount' cannot be set manually. "
    "The CSI driver automatically configures this based on Kubernetes secrets. See: "
    "https://github.com/kubernetes-sigs/aws-efs-csi-driver/tree/master/examples/kubernetes/efs/"
    "cross_account_mount",
    "invalid-mount-option",
    "mountOptions",
)
BLOCK_VOLUME = CsiRejection(
    "InvalidArgument",
    "Volume capability not supported: only filesystem volumes are supported",
    None,
    "volumeMode",
)


@dataclass(frozen=True, slots=True)
class MountRequest:
    csi: CsiMount
    options: dict[str, str | None]  # as efs-utils parsed them
    pv_name: str
    target: str
    planned: bool

    @property
    def tls(self) -> bool:
        return "tls" in self.options

    @property
    def iam(self) -> bool:
        return "iam" in self.options

    @property
    def access_point_id(self) -> str | None:
        return None if self.planned else self.csi.handle.access_point_id

    @property
    def subpath(self) -> str:
        return self.csi.source.split(":", 1)[1]

    def _show(self, text: str) -> str:
        return text.replace(NEW_ACCESS_POINT, NEW_ACCESS_POINT_TEXT) if self.planned else text

    @property
    def arguments(self) -> str:
        return self._show(self.csi.arguments(self.target))

    @property
    def command(self) -> str:
        return self._show(self.csi.command(self.target))

    def mount_error(self, output: str, exit_status: int) -> str:
        """kubelet's FailedMount text when ``mount`` exits with ``exit_status`` (§3.9)."""
        return kubelet.mount_failed(
            self.pv_name,
            self.csi.source,
            self.target,
            self.arguments,
            exit_status=exit_status,
            output=output,
        )

    def efs_utils_error(self, message: str) -> str:
        """mount.efs printed ``message`` and exited 1 before setting up its proxy (§2.10)."""
        return self.mount_error(kubelet.efs_utils_output(message), kubelet.EFS_UTILS_EXIT)

    def with_names(self, pv_name: str, target: str) -> MountRequest:
        return replace(self, pv_name=pv_name, target=target)


@dataclass(frozen=True, slots=True)
class Admission:
    steps: tuple[Step, ...]
    request: MountRequest | None  # None: stopped (a step failed or the volume is unknown)


def _pv_location(chain: MountChain) -> str:
    if chain.volume is not None:
        return where(chain.volume.source, section_url("3.4"))
    if chain.planned is not None:
        return where(chain.planned.storage_class.source, section_url("3.7"))
    return section_url("3.4")


def _kubernetes(chain: MountChain, pv_name: str) -> Step:
    evidence: list[str] = list(chain.notes)
    where_pv = _pv_location(chain)
    if chain.binding is not None and chain.binding.event is not None:
        # the PV controller's verdict (model/binding.py): the claim stays Pending, no pod
        # that uses it is scheduled, nothing is ever mounted
        claim = chain.claim_key or "(no claim)"
        return step(
            "kubernetes",
            "failed",
            evidence,
            where(chain.claim.source if chain.claim else None, BINDING_REFERENCE),
            cause="claim-unbound",
            error=chain.binding.event,
            reason=f"PVC {claim} stays Pending: {chain.binding.explanation}",
        )
    if chain.volume is None and chain.planned is None:
        claim = chain.claim_key or "(no claim)"
        return step(
            "kubernetes",
            "indeterminate",
            [*evidence, f"PVC {claim} has no PersistentVolume among the inputs"],
            where(chain.claim.source if chain.claim else None, section_url("1")),
            reason=f"PVC {claim} is not bound to a loaded PersistentVolume",
        )
    if chain.volume is not None:
        modes = chain.volume.access_modes
        origin = f"PV {chain.volume.name}"
    else:
        modes = chain.claim.access_modes if chain.claim else ()
        origin = f"PVC {chain.claim_key}"
    mode = modes[0] if modes else "ReadWriteOnce"
    csi_mode = ACCESS_MODES.get(mode, mode)
    # efs-semantics.md §3.6
    evidence.append(
        f"{origin} access mode {mode} -> CSI {csi_mode} (kubelet sends the first entry)"
    )
    if chain.planned is not None:
        evidence.append(
            f"volume to be provisioned from StorageClass {chain.planned.storage_class.name} "
            "(efs-ap): dynamic PVs get the class's mountOptions"  # efs-semantics.md §1
        )
    if mode == "ReadWriteOncePod":
        return step(
            "kubernetes",
            "indeterminate",
            evidence,
            where_pv,
            reason="ReadWriteOncePod is believed to reach the driver as SINGLE_NODE_WRITER, "
            "which it accepts, but this is not verified",  # efs-semantics.md §9 Q9
        )
    if csi_mode not in ACCEPTED:
        message = f"Volume capability not supported: invalid access mode: {csi_mode}"
        return step(
            "kubernetes",
            "failed",
            evidence,
            where_pv,
            cause="unsupported-access-mode",
            error=kubelet.setup_failed(pv_name, "InvalidArgument", message),
            # efs-semantics.md §3.6
            reason=f"the driver accepts only ReadWriteOnce and ReadWriteMany; {origin} asks for "
            + mode,
        )
    return step("kubernetes", "ok", evidence, where_pv)


def _reject(pv_name: str, rejection: CsiRejection, where_pv: str, evidence: list[str]) -> Step:
    reason = f"the CSI node plugin rejects the volume: {rejection.message}"
    if rejection.note:
        reason += f" ({rejection.note})"
    return step(
        "csi",
        "failed",
        evidence,
        where_pv,
        cause=rejection.cause,
        error=kubelet.setup_failed(pv_name, rejection.code, rejection.message),
        reason=reason,
    )


def api_objects(chain: MountChain) -> list[PersistentVolumeClaim | PersistentVolume | StorageClass]:
    """The chain's objects the API server must have accepted for the mount to be tried: the
    claim, the volume, and for a volume still to be provisioned its class."""
    found: list[PersistentVolumeClaim | PersistentVolume | StorageClass] = []
    if chain.claim is not None and not chain.claim.is_template:
        found.append(chain.claim)
    if chain.volume is not None:
        found.append(chain.volume)
    elif chain.planned is not None:
        found.append(chain.planned.storage_class)
    return found


def api_step(
    rejected: Sequence[tuple[PersistentVolumeClaim | PersistentVolume | StorageClass, Rejection]],
) -> Step:
    """Step 0: the API server accepted the chain's objects (engine/api_server.py)."""
    if not rejected:
        return step("api", "ok", ["the API server accepts the claim and the volume"], "")
    obj, rejection = rejected[0]
    return step(
        "api",
        "failed",
        [f"{type(obj).__name__} {obj.name}: {rejection.message}"],
        where(obj.source, API_REFERENCE),
        cause="api-object-invalid",
        error=rejection.message,
        reason=f"the API server rejects {type(obj).__name__} {obj.name}, so it never exists: "
        + "; ".join(e.text for e in rejection.errors),
    )


def admit(
    chain: MountChain, versions: Versions, node_zone: str | None, api: Step | None = None
) -> Admission:
    """``api``: the chain's api step (:func:`api_step`), asked once per object by the
    Simulator; None when not checked."""
    if api is not None and api.status == "failed":
        return Admission((api,), None)
    pv_name = chain.volume.name if chain.volume is not None else NEW_PV
    uid = chain.workload.meta.uid if chain.workload and chain.workload.kind == "Pod" else None
    target = kubelet.target_path(uid, pv_name)
    kubernetes = _kubernetes(chain, pv_name)
    first: list[Step] = [api] if api is not None else []
    if kubernetes.status == "failed" or (chain.volume is None and chain.planned is None):
        return Admission((*first, kubernetes), None)
    steps: list[Step] = [*first, kubernetes]
    where_pv = _pv_location(chain)
    evidence = [f"aws-efs-csi-driver {versions.csi_driver} ({versions.csi_driver_origin})"]
    flags = chain.mount_options
    if chain.volume is not None:
        volume = chain.volume
        if volume.volume_mode == "Block":
            steps.append(_reject(pv_name, BLOCK_VOLUME, where_pv, evidence))
            return Admission(tuple(steps), None)
        if versions.rejects_crossaccount_flag and "crossaccount" in flags:
            steps.append(_reject(pv_name, CROSSACCOUNT_FLAG, where_pv, evidence))
            return Admission(tuple(steps), None)
        assert volume.csi is not None
        handle_text = volume.csi.volume_handle
        attributes = volume.csi.volume_attributes
    else:
        assert chain.planned is not None
        fs_id = chain.planned.file_system_id
        if not fs_id:
            steps.append(
                step(
                    "csi",
                    "indeterminate",
                    [
                        *evidence,
                        "the StorageClass names its file system through a ConfigMap or Secret "
                        "reference",
                    ],
                    where_pv,
                    reason="the file system ID of the volume to be provisioned is not among the "
                    "inputs",
                )
            )
            return Admission(tuple(steps), None)
        handle_text = f"efs:{fs_id}::{NEW_ACCESS_POINT}"
        attributes = {}
        if any(
            k.startswith("csi.storage.k8s.io/provisioner-secret")
            for k in chain.planned.storage_class.parameters
        ):
            evidence.append(
                "cross-account provisioning (provisioner secret): the controller adds "
                "crossaccount, mounttargetip or mounttargetipmap to the PV depending on the "
                "secret and the class's az parameter"  # efs-semantics.md §3.7
            )
    built = build_csi_mount(
        handle_text, attributes, flags, chain.read_only, versions=versions, node_zone=node_zone
    )
    if isinstance(built, CsiRejection):
        steps.append(_reject(pv_name, built, where_pv, evidence))
        return Admission(tuple(steps), None)
    request = MountRequest(built, {}, pv_name, target, chain.planned is not None)
    evidence.extend(built.notes)
    evidence.append(f"NodePublishVolume runs: {request.command}")
    steps.append(step("csi", "ok", evidence, where_pv))
    # efs-utils: parse and validate (§2.2-§2.4)
    parsed = parse_efs_options(built.option_text)
    where_utils = section_url("2.4")
    utils_evidence = [f"efs-utils {versions.efs_utils} ({versions.efs_utils_origin})"]
    if not isinstance(parsed, dict):
        steps.append(
            step(
                "efs-utils",
                "failed",
                utils_evidence,
                where_utils,
                cause=parsed.cause,
                reason="an option value contains '=': efs-utils' parse_options raises "
                "'ValueError: too many values to unpack (expected 2)' and mount.efs exits with "
                "a Python traceback",  # efs-semantics.md §2.2 parsing caveat
            )
        )
        return Admission(tuple(steps), None)
    request = MountRequest(built, parsed, pv_name, target, chain.planned is not None)
    rejection = validate_efs_options(parsed, versions)
    if rejection is not None:
        steps.append(
            step(
                "efs-utils",
                "failed",
                utils_evidence,
                where_utils,
                cause=rejection.cause,
                error=request.efs_utils_error(rejection.message),
                reason=f"mount.efs rejects the options: {rejection.message}",
            )
        )
        return Admission(tuple(steps), None)
    proxy = versions.efs_proxy and "stunnel" not in parsed and "ocsp" not in parsed
    mode = "efs-proxy" if proxy else "stunnel"
    transport = "TLS" if request.tls else "plaintext"
    nfs_host = "127.0.0.1" if (proxy or request.tls) else "<mount target>"
    port = "<proxy port>" if (proxy or request.tls) else None
    utils_evidence.append(
        f"options valid; {mode} ({transport}); mount.nfs4 {nfs_host}:{request.subpath} -o "
        f"{nfs_options(parsed, port)}"
    )
    if proxy and not request.tls:
        utils_evidence.append(
            "127.0.0.1 does not mean TLS here: efs-proxy carries plaintext mounts too"  # §2.5
        )
    steps.append(step("efs-utils", "ok", utils_evidence, where_utils))
    return Admission(tuple(steps), request)
