"""Mount chains: Pod -> PVC -> PV -> StorageClass -> file system / access point -> mount
targets -> security groups, plus the efs-csi-node service account. Resolved once, shared by
every engine and rule.

Static and dynamic provisioning both: a claim bound to nothing yet whose class provisions
EFS access points (``provisioningMode: efs-ap``) yields a chain with a *planned* volume.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from efs_doctor.model.aws import AccessPoint, FileSystem, FileSystemPolicy, MountTarget
from efs_doctor.model.binding import Binding, bind, claim_class, volume_class
from efs_doctor.model.efs_server import EfsServer, efs_server
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.kubernetes import (
    NfsVolumeSource,
    PersistentVolume,
    PersistentVolumeClaim,
    PodVolume,
    ServiceAccount,
    StorageClass,
    Workload,
)
from efs_doctor.model.volume_handle import VolumeHandle, VolumeHandleError, parse_volume_handle

NODE_SERVICE_ACCOUNT = "efs-csi-node-sa"
CONTROLLER_SERVICE_ACCOUNT = "efs-csi-controller-sa"
DRIVER_NAMESPACE = "kube-system"


@dataclass(frozen=True, slots=True)
class PlannedVolume:
    """What the driver's controller will create for a claim of an ``efs-ap`` class
    (efs-semantics.md §3.7): an access point whose PosixUser and CreationInfo owner are the
    class's uid/gid (or a GID from the range), root ``basePath/<subPathPattern>``."""

    storage_class: StorageClass
    file_system_id: str | None
    uid: int | None
    gid: int | None
    directory_perms: str | None
    base_path: str

    @property
    def handle(self) -> str:
        return f"efs:{self.file_system_id or '<fileSystemId>'}::<new access point>"


@dataclass(frozen=True, slots=True)
class NfsMount:
    """An in-tree ``nfs:`` volume (the PV's or the pod's own) whose server is EFS: kubelet
    mounts it with the kernel NFS client, without the CSI driver and efs-utils."""

    source: NfsVolumeSource
    server: EfsServer


@dataclass(frozen=True, slots=True, eq=False)
class MountChain:
    workload: Workload | None
    pod_volume: PodVolume | None
    claim: PersistentVolumeClaim | None
    volume: PersistentVolume | None
    storage_class: StorageClass | None
    planned: PlannedVolume | None
    handle: VolumeHandle | None
    handle_error: str | None
    file_system_id: str | None
    file_system: FileSystem | None
    access_point: AccessPoint | None
    policy: FileSystemPolicy | None
    mount_targets: tuple[MountTarget, ...]
    mount_target_groups: Mapping[str, tuple[str, ...] | None]
    node_service_account: ServiceAccount | None
    read_only: bool  # the CSI publish is read-only (pod volume or PV readOnly)
    notes: tuple[str, ...] = field(default=())  # why the chain stops short, ambiguities
    # The claim's binding when it binds to nothing (model/binding.py): why it stays Pending
    # and the volume closest to satisfying it.
    binding: Binding | None = None
    nfs: NfsMount | None = None  # the chain mounts EFS as an in-tree nfs volume

    @property
    def pod_key(self) -> str | None:
        return self.workload.key if self.workload is not None else None

    @property
    def claim_key(self) -> str | None:
        return self.claim.key if self.claim is not None else None

    @property
    def volume_name(self) -> str | None:
        return self.volume.name if self.volume is not None else None

    @property
    def mount_options(self) -> tuple[str, ...]:
        """The PV's mountOptions; for a planned volume, the class's (they are copied into
        dynamically provisioned PVs only, efs-semantics.md §1)."""
        if self.volume is not None:
            return self.volume.mount_options
        if self.planned is not None:
            return self.planned.storage_class.mount_options
        return ()

    @property
    def access_point_id(self) -> str | None:
        return self.handle.access_point_id if self.handle is not None else None

    @property
    def label(self) -> str:
        parts = []
        if self.workload is not None:
            parts.append(f"{self.workload.kind} {self.workload.key}")
        if self.claim is not None and self.claim.is_template:
            parts.append(f"PVC template {self.claim.key}")
        elif self.claim is not None:
            parts.append(f"PVC {self.claim.key}")
        if self.volume is not None:
            parts.append(f"PV {self.volume.name}")
        elif self.nfs is not None and self.pod_volume is not None:
            parts.append(f"nfs volume {self.pod_volume.name}")
        elif self.planned is not None:
            parts.append(f"planned PV (StorageClass {self.planned.storage_class.name})")
        return " -> ".join(parts) or "<empty chain>"


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


# The three ways a class names its file system, in the order the driver reads them
# (aws-efs-csi-driver v3.4.1 pkg/driver/filesystem_id_finder.go, findFileSystemId).
FILE_SYSTEM_ID_KEYS = ("fileSystemId", "fileSystemIdConfigRef", "fileSystemIdSecretRef")


@dataclass(frozen=True, slots=True)
class ObjectKeyRef:
    """A ``namespace/name/key`` reference (fileSystemIdConfigRef / fileSystemIdSecretRef)."""

    namespace: str
    name: str
    key: str


def parse_object_key_ref(ref: str) -> ObjectKeyRef | str:
    """The reference, or why the driver refuses it (its parseFileSystemIdRef messages)."""
    ref = ref.strip()
    if not ref:
        return "reference can't be empty"
    parts = [part.strip() for part in ref.split("/")]
    if len(parts) != 3:
        return f"invalid reference format, expected namespace/name/key, got: {ref}"
    if not all(parts):
        return f"namespace, name, and key must be non-empty in reference: {ref}"
    return ObjectKeyRef(*parts)


def class_file_system_id(storage_class: StorageClass, inventory: Inventory) -> str | None:
    """The file system a class names: ``fileSystemId``, else the value its
    ``fileSystemIdConfigRef`` points at in a loaded ConfigMap (None: not known here; whether
    the driver accepts the parameters is the provisioning step's answer)."""
    parameters = storage_class.parameters
    direct = parameters.get("fileSystemId", "").strip()
    if direct:
        return direct
    ref = parse_object_key_ref(parameters.get("fileSystemIdConfigRef", ""))
    if isinstance(ref, str):
        return None
    config_map = inventory.config_maps.get(f"{ref.namespace}/{ref.name}")
    value = config_map.data.get(ref.key, "").strip() if config_map is not None else ""
    return value or None


def planned_volume(storage_class: StorageClass, inventory: Inventory) -> PlannedVolume:
    parameters = storage_class.parameters
    uid, gid = _int(parameters.get("uid")), _int(parameters.get("gid"))
    range_start = _int(parameters.get("gidRangeStart"))
    # Unset uid/gid take the allocated GID; the first one is the range start (default 50000,
    # efs-semantics.md §3.7).
    first_gid = range_start if range_start is not None else 50000
    return PlannedVolume(
        storage_class=storage_class,
        file_system_id=class_file_system_id(storage_class, inventory),
        uid=uid if uid is not None else first_gid,
        gid=gid if gid is not None else first_gid,
        directory_perms=parameters.get("directoryPerms"),
        base_path=parameters.get("basePath", "/"),
    )


def is_efs_access_point_class(storage_class: StorageClass | None) -> bool:
    """Whether the driver provisions EFS access points for this class. ``provisioningMode``
    is required: without it CreateVolume fails with "Missing provisioningMode parameter"
    (efs-semantics.md §3.7), so a class without it (typical for static PVs) plans nothing."""
    return (
        storage_class is not None
        and storage_class.is_efs
        and storage_class.parameters.get("provisioningMode") == "efs-ap"
    )


class _Resolver:
    def __init__(self, inventory: Inventory) -> None:
        self.inv = inventory
        self.node_sa = self._node_service_account()
        self.used_claims: set[str] = set()
        self.used_volumes: set[str] = set()
        self.binding_by_claim: dict[str, Binding] = {}
        self.claims_by_volume = {
            pvc.volume_name: pvc for pvc in inventory.claims.values() if pvc.volume_name
        }
        # Indexes built once, so binding N claims is O(N), not O(N x PVs) (issue 8).
        self.volume_by_claim_ref: dict[tuple[str, str], PersistentVolume] = {}
        self.unbound_by_class: dict[str, list[PersistentVolume]] = {}
        for pv in inventory.persistent_volumes.values():
            if pv.claim_ref is not None:
                self.volume_by_claim_ref.setdefault(pv.claim_ref, pv)
            else:
                self.unbound_by_class.setdefault(volume_class(pv), []).append(pv)
        self.claims_by_stem: dict[tuple[str, str], list[PersistentVolumeClaim]] = {}
        for claim in inventory.claims.values():
            stem, dash, _ordinal = claim.name.rpartition("-")
            if dash:
                self.claims_by_stem.setdefault((claim.namespace, stem), []).append(claim)

    def nfs_mount(self, source: NfsVolumeSource | None) -> NfsMount | None:
        """The in-tree nfs volume's EFS server, when its server is one (model/efs_server.py)."""
        if source is None:
            return None
        server = efs_server(source.server, self.inv.mount_targets.values())
        return NfsMount(source, server) if server is not None else None

    def is_efs_volume(self, volume: PersistentVolume) -> bool:
        """A CSI volume of the EFS driver, or an in-tree nfs volume whose server is EFS."""
        return volume.is_efs or self.nfs_mount(volume.nfs) is not None

    def _node_service_account(self) -> ServiceAccount | None:
        for deployment in self.inv.driver_deployments:
            if deployment.kind == "DaemonSet":
                namespace = deployment.meta.namespace or DRIVER_NAMESPACE
                found = self.inv.service_account(namespace, deployment.service_account)
                if found is not None:
                    return found
        found = self.inv.service_account(DRIVER_NAMESPACE, NODE_SERVICE_ACCOUNT)
        if found is not None:
            return found
        return next(
            (sa for sa in self.inv.service_accounts.values() if sa.name == NODE_SERVICE_ACCOUNT),
            None,
        )

    def storage_class_of_claim(self, claim: PersistentVolumeClaim) -> StorageClass | None:
        if claim.storage_class is None:
            return self.inv.default_storage_class()
        if claim.storage_class == "":
            return None
        return self.inv.storage_classes.get(claim.storage_class)

    def binding_of_claim(self, claim: PersistentVolumeClaim, notes: list[str]) -> Binding:
        """How a claim binds; the same answer for every pod using it (a template is not a
        claim object: its key may be a real claim's, so it is bound afresh)."""
        if claim.is_template:
            return self._bind(claim, notes)
        found = self.binding_by_claim.get(claim.key)
        if found is None:
            found = self.binding_by_claim[claim.key] = self._bind(claim, notes)
            if found.volume is not None:
                self.used_volumes.add(found.volume.name)
        return found

    def _bind(self, claim: PersistentVolumeClaim, notes: list[str]) -> Binding:
        inv = self.inv
        default = inv.default_storage_class()
        prebound = (
            None
            if claim.is_template
            else self.volume_by_claim_ref.get((claim.namespace, claim.name))
        )

        def free(volumes: Iterable[PersistentVolume]) -> list[PersistentVolume]:
            return [
                pv
                for pv in volumes
                if pv.name not in self.used_volumes
                and self.claims_by_volume.get(pv.name) in (None, claim)
            ]

        binding = bind(
            claim,
            inv.persistent_volumes,
            default,
            prebound=prebound,
            available=free(self.unbound_by_class.get(claim_class(claim, default), ())),
            # only when nothing fits: every free volume, to name the closest
            others=lambda: free(pv for pvs in self.unbound_by_class.values() for pv in pvs),
        )
        if binding.missing_volume is not None:
            notes.append(f"PVC {claim.key} names volume {binding.missing_volume}, not loaded")
        if binding.ties and binding.volume is not None:
            notes.append(
                f"PVC {claim.key} is unbound and {len(binding.ties) + 1} PVs could bind to it "
                f"equally well; assuming {binding.volume.name}"
            )
        return binding

    def chain(
        self,
        workload: Workload | None,
        pod_volume: PodVolume | None,
        claim: PersistentVolumeClaim | None,
        volume: PersistentVolume | None,
        notes: list[str],
    ) -> MountChain | None:
        inv = self.inv
        binding = None
        if claim is not None and volume is None:
            binding = self.binding_of_claim(claim, notes)
            volume = binding.volume
        if volume is not None:
            self.used_volumes.add(volume.name)
        if claim is not None and not claim.is_template:
            self.used_claims.add(claim.key)
        storage_class = None
        if volume is not None and volume.storage_class:
            storage_class = inv.storage_classes.get(volume.storage_class)
        elif claim is not None:
            storage_class = self.storage_class_of_claim(claim)
        planned = None
        unbound = None
        if volume is None:
            if claim is not None and is_efs_access_point_class(storage_class):
                assert storage_class is not None
                planned = planned_volume(storage_class, inv)
            elif (
                claim is not None
                and binding is not None
                and binding.pending
                and binding.closest is not None
                and self.is_efs_volume(binding.closest)
            ):
                unbound = binding  # an EFS volume was meant, and the claim stays Pending
                notes.append(f"PVC {claim.key} binds to no PersistentVolume: {binding.explanation}")
            elif claim is not None and storage_class is None:
                return None  # nothing tells us this claim is EFS
            elif claim is not None:
                if not (storage_class is not None and storage_class.is_efs):
                    return None
                notes.append(
                    f"no PersistentVolume for PVC {claim.key}, and StorageClass "
                    f"{storage_class.name} does not provision one (no provisioningMode: efs-ap)"
                )
        elif not self.is_efs_volume(volume):
            return None
        handle = None
        handle_error = None
        file_system_id = None
        nfs = self.nfs_mount(volume.nfs if volume is not None else None)
        if nfs is None and volume is None and pod_volume is not None:
            nfs = self.nfs_mount(pod_volume.nfs)
        if nfs is not None:
            file_system_id = nfs.server.file_system_id
        elif volume is not None and volume.csi is not None:
            try:
                handle = parse_volume_handle(volume.csi.volume_handle)
                file_system_id = handle.file_system_id
            except VolumeHandleError as error:
                handle_error = str(error)
        elif planned is not None:
            file_system_id = planned.file_system_id
        file_system = inv.file_systems.get(file_system_id or "")
        access_point = None
        if handle is not None and handle.access_point_id:
            access_point = inv.access_points.get(handle.access_point_id)
        mount_targets = tuple(inv.mount_targets_of(file_system_id)) if file_system_id else ()
        read_only = bool(
            (pod_volume is not None and pod_volume.read_only)
            or (volume is not None and volume.csi is not None and volume.csi.read_only)
            or (nfs is not None and nfs.source.read_only)
        )
        return MountChain(
            workload=workload,
            pod_volume=pod_volume,
            claim=claim,
            volume=volume,
            storage_class=storage_class,
            planned=planned,
            handle=handle,
            handle_error=handle_error,
            file_system_id=file_system_id,
            file_system=file_system,
            access_point=access_point,
            policy=inv.policies.get(file_system_id or ""),
            mount_targets=mount_targets,
            mount_target_groups={
                mt.id: inv.security_groups_of_mount_target(mt) for mt in mount_targets
            },
            node_service_account=self.node_sa,
            read_only=read_only,
            notes=tuple(notes),
            binding=unbound,
            nfs=nfs,
        )


def _claims_of_template(
    resolver: _Resolver, workload: Workload, template: PersistentVolumeClaim
) -> list[PersistentVolumeClaim]:
    prefix = f"{template.name}-{workload.name}-"
    found = [
        claim
        for claim in resolver.claims_by_stem.get((workload.namespace, prefix[:-1]), ())
        if claim.name.startswith(prefix) and claim.name[len(prefix) :].isdigit()
    ]
    return sorted(found, key=lambda c: int(c.name[len(prefix) :]))


def resolve_chains(inventory: Inventory) -> list[MountChain]:
    """Every EFS mount the inventory describes: one chain per pod volume on EFS, then one
    per EFS claim and per EFS volume that no workload uses."""
    resolver = _Resolver(inventory)
    chains: list[MountChain] = []
    for workload in inventory.workloads:
        for pod_volume in workload.volumes:
            if pod_volume.claim_name is None:
                if resolver.nfs_mount(pod_volume.nfs) is not None:
                    chain = resolver.chain(workload, pod_volume, None, None, [])
                    if chain is not None:
                        chains.append(chain)
                continue
            notes: list[str] = []
            claim = inventory.claims.get(f"{workload.namespace}/{pod_volume.claim_name}")
            if claim is None:
                continue  # not loaded: nothing says it is EFS
            chain = resolver.chain(workload, pod_volume, claim, None, notes)
            if chain is not None:
                chains.append(chain)
        for template in workload.claim_templates:
            # The claims a template stands for, "<template>-<statefulset>-<ordinal>", when they
            # are loaded (a live cluster); else the template itself: a claim still to be made,
            # bound to an available PV or, for an efs-ap class, a planned volume.
            made = _claims_of_template(resolver, workload, template)
            for claim in made or [template]:
                chain = resolver.chain(workload, None, claim, None, [])
                if chain is not None:
                    chains.append(chain)
    for key, claim in inventory.claims.items():
        if key not in resolver.used_claims:
            chain = resolver.chain(None, None, claim, None, [])
            if chain is not None:
                chains.append(chain)
    for name, volume in inventory.persistent_volumes.items():
        if name not in resolver.used_volumes and resolver.is_efs_volume(volume):
            claim = resolver.claims_by_volume.get(name)
            binding = resolver.binding_by_claim.get(claim.key) if claim is not None else None
            if binding is not None and binding.volume is not volume:
                claim = None  # it names this volume but cannot bind to it (model/binding.py)
            chain = resolver.chain(None, None, claim, volume, [])
            if chain is not None:
                chains.append(chain)
    return chains
