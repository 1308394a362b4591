"""Kubernetes objects that matter for an EFS mount, normalised once from raw manifests.

Each class has ``from_raw(raw, source)`` returning the object and the problems met while
reading it (a field of the wrong type is reported and defaulted, never raised).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from efs_doctor.model.fields import FieldReader
from efs_doctor.model.problems import InputProblem
from efs_doctor.model.source import LIVE, SourceMap

EFS_DRIVER = "efs.csi.aws.com"
ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet")


@dataclass(frozen=True, slots=True)
class Meta:
    """An object's name, namespace, labels and annotations."""

    name: str
    namespace: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    uid: str | None = None


def _meta(r: FieldReader, namespaced: bool) -> Meta:
    name = r.string("metadata", "name") or r.string("metadata", "generateName") or "<unnamed>"
    namespace = (r.string("metadata", "namespace") or "default") if namespaced else None
    return Meta(
        name=name,
        namespace=namespace,
        labels=r.string_map("metadata", "labels"),
        annotations=r.string_map("metadata", "annotations"),
        uid=r.string("metadata", "uid"),
    )


def _zones_from_node_selector_terms(r: FieldReader, *path: str | int) -> tuple[str, ...]:
    """Zones a required node-affinity term restricts to (``In`` on a zone label), if any."""
    zones: list[str] = []
    for t_index, _term in enumerate(r.items(*path)):
        for e_index, _expr in enumerate(r.items(*path, t_index, "matchExpressions")):
            key = r.string(*path, t_index, "matchExpressions", e_index, "key")
            operator = r.string(*path, t_index, "matchExpressions", e_index, "operator")
            if key in ZONE_LABELS and operator == "In":
                zones.extend(r.strings(*path, t_index, "matchExpressions", e_index, "values"))
    return tuple(dict.fromkeys(zones))


@dataclass(frozen=True, slots=True)
class SelectorRequirement:
    """One ``matchExpressions`` requirement of a label selector."""

    key: str
    operator: str  # In | NotIn | Exists | DoesNotExist
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """A claim's ``spec.selector``: every label and every expression must match."""

    match_labels: Mapping[str, str]
    match_expressions: tuple[SelectorRequirement, ...]


def _label_selector(r: FieldReader, *path: str | int) -> LabelSelector | None:
    if not r.mapping(*path):
        return None
    expressions = tuple(
        SelectorRequirement(
            key=r.string(*path, "matchExpressions", index, "key") or "",
            operator=r.string(*path, "matchExpressions", index, "operator") or "",
            values=r.strings(*path, "matchExpressions", index, "values"),
        )
        for index, _ in enumerate(r.items(*path, "matchExpressions"))
    )
    return LabelSelector(r.string_map(*path, "matchLabels"), expressions)


@dataclass(frozen=True, slots=True)
class NfsVolumeSource:
    """An in-tree ``nfs:`` volume (Pod or PV): mounted by kubelet with the kernel NFS client."""

    server: str
    path: str
    read_only: bool = False


def _nfs_source(r: FieldReader, *path: str | int) -> NfsVolumeSource | None:
    if not r.mapping(*path, "nfs"):
        return None
    return NfsVolumeSource(
        server=r.string(*path, "nfs", "server") or "",
        path=r.string(*path, "nfs", "path") or "",
        read_only=bool(r.boolean(*path, "nfs", "readOnly")),
    )


@dataclass(frozen=True, slots=True)
class CsiVolumeSource:
    """A volume's ``csi`` source: the driver, the volume handle and its attributes."""

    driver: str
    volume_handle: str
    volume_attributes: Mapping[str, str] = field(default_factory=dict)
    read_only: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class PersistentVolume:
    """A PersistentVolume."""

    meta: Meta
    access_modes: tuple[str, ...]
    mount_options: tuple[str, ...]
    storage_class: str | None
    csi: CsiVolumeSource | None
    claim_ref: tuple[str, str] | None  # (namespace, name)
    phase: str | None
    volume_mode: str | None
    zones: tuple[str, ...]  # from spec.nodeAffinity
    source: SourceMap = LIVE
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    capacity: str | None = None  # spec.capacity.storage, as written
    nfs: NfsVolumeSource | None = None

    kind = "PersistentVolume"

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def is_efs(self) -> bool:
        return self.csi is not None and self.csi.driver == EFS_DRIVER

    @property
    def provisioned_by(self) -> str | None:
        return self.meta.annotations.get("pv.kubernetes.io/provisioned-by")

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[PersistentVolume, list[InputProblem]]:
        r = FieldReader(raw, source, f"PersistentVolume {_name(raw)}")
        csi = None
        if r.mapping("spec", "csi"):
            csi = CsiVolumeSource(
                driver=r.string("spec", "csi", "driver") or "",
                volume_handle=r.string("spec", "csi", "volumeHandle") or "",
                volume_attributes=r.string_map("spec", "csi", "volumeAttributes"),
                read_only=bool(r.boolean("spec", "csi", "readOnly")),
            )
        claim_ref = None
        if r.mapping("spec", "claimRef"):
            claim_ref = (
                r.string("spec", "claimRef", "namespace") or "default",
                r.string("spec", "claimRef", "name") or "",
            )
        pv = cls(
            meta=_meta(r, namespaced=False),
            access_modes=r.strings("spec", "accessModes"),
            mount_options=r.strings("spec", "mountOptions"),
            storage_class=r.string("spec", "storageClassName"),
            csi=csi,
            claim_ref=claim_ref,
            phase=r.string("status", "phase"),
            volume_mode=r.string("spec", "volumeMode"),
            zones=_zones_from_node_selector_terms(
                r, "spec", "nodeAffinity", "required", "nodeSelectorTerms"
            ),
            source=source,
            raw=raw,
            capacity=r.string("spec", "capacity", "storage"),
            nfs=_nfs_source(r, "spec"),
        )
        return pv, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class PersistentVolumeClaim:
    """A PersistentVolumeClaim."""

    meta: Meta
    access_modes: tuple[str, ...]
    storage_class: str | None  # None: field absent (the default class applies)
    volume_name: str | None
    phase: str | None
    source: SourceMap = LIVE
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    # Set on a StatefulSet volumeClaimTemplate: the workload key ("ns/statefulset/name").
    # The claims it stands for are named "<template>-<statefulset>-<ordinal>".
    template_of: str | None = None
    request: str | None = None  # spec.resources.requests.storage, as written
    volume_mode: str | None = None
    selector: LabelSelector | None = None

    kind = "PersistentVolumeClaim"

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def is_template(self) -> bool:
        return self.template_of is not None

    @property
    def namespace(self) -> str:
        return self.meta.namespace or "default"

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[PersistentVolumeClaim, list[InputProblem]]:
        r = FieldReader(raw, source, f"PersistentVolumeClaim {_name(raw)}")
        pvc = cls(
            meta=_meta(r, namespaced=True),
            access_modes=r.strings("spec", "accessModes"),
            storage_class=r.string("spec", "storageClassName"),
            volume_name=r.string("spec", "volumeName") or None,
            phase=r.string("status", "phase"),
            source=source,
            raw=raw,
            request=r.string("spec", "resources", "requests", "storage"),
            volume_mode=r.string("spec", "volumeMode"),
            selector=_label_selector(r, "spec", "selector"),
        )
        return pvc, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class StorageClass:
    """A StorageClass."""

    meta: Meta
    provisioner: str
    parameters: Mapping[str, str]
    mount_options: tuple[str, ...]
    volume_binding_mode: str | None
    allowed_zones: tuple[str, ...]
    source: SourceMap = LIVE
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    kind = "StorageClass"

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def is_default(self) -> bool:
        return any(self.meta.annotations.get(a) == "true" for a in DEFAULT_CLASS_ANNOTATIONS)

    @property
    def is_efs(self) -> bool:
        return self.provisioner == EFS_DRIVER

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[StorageClass, list[InputProblem]]:
        r = FieldReader(raw, source, f"StorageClass {_name(raw)}")
        zones: list[str] = []
        for t_index, _term in enumerate(r.items("allowedTopologies")):
            for e_index, _expr in enumerate(
                r.items("allowedTopologies", t_index, "matchLabelExpressions")
            ):
                base = ("allowedTopologies", t_index, "matchLabelExpressions", e_index)
                if r.string(*base, "key") in ZONE_LABELS:
                    zones.extend(r.strings(*base, "values"))
        sc = cls(
            meta=_meta(r, namespaced=False),
            provisioner=r.string("provisioner") or "",
            parameters=r.string_map("parameters"),
            mount_options=r.strings("mountOptions"),
            volume_binding_mode=r.string("volumeBindingMode"),
            allowed_zones=tuple(zones),
            source=source,
            raw=raw,
        )
        return sc, r.problems


@dataclass(frozen=True, slots=True)
class ConfigMap:
    """Read for one purpose: a StorageClass's ``fileSystemIdConfigRef`` names the file
    system through a ConfigMap key (the driver's ``filesystem_id_finder.go``)."""

    meta: Meta
    data: Mapping[str, str]
    source: SourceMap = LIVE

    kind = "ConfigMap"

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def namespace(self) -> str:
        return self.meta.namespace or "default"

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[ConfigMap, list[InputProblem]]:
        r = FieldReader(raw, source, f"ConfigMap {_name(raw)}")
        return cls(_meta(r, namespaced=True), r.string_map("data"), source), r.problems


@dataclass(frozen=True, slots=True)
class PodVolume:
    """A pod volume that can be EFS: a PVC reference, an inline CSI volume or an in-tree
    ``nfs:`` volume."""

    name: str
    claim_name: str | None
    read_only: bool
    csi: CsiVolumeSource | None
    field_path: tuple[str | int, ...]
    nfs: NfsVolumeSource | None = None


@dataclass(frozen=True, slots=True)
class VolumeMount:
    """Where one container mounts one of its pod's volumes."""

    container: str
    volume: str
    mount_path: str
    read_only: bool
    sub_path: str | None


@dataclass(frozen=True, slots=True)
class SecurityContext:
    """The user, group and fsGroup a pod or container runs with."""

    run_as_user: int | None = None
    run_as_group: int | None = None
    fs_group: int | None = None
    fs_group_change_policy: str | None = None


@dataclass(frozen=True, slots=True)
class ContainerCommand:
    """A container's ``command`` followed by its ``args`` (what it runs, when the manifest
    says; an image's own entrypoint is not known)."""

    container: str
    init: bool
    words: tuple[str, ...]
    field_path: tuple[str | int, ...]  # of the container


@dataclass(frozen=True, slots=True, eq=False)
class Workload:
    """A Pod, or the pod template of a Deployment/StatefulSet/DaemonSet/Job/CronJob/ReplicaSet."""

    kind: str
    meta: Meta
    service_account: str
    node_name: str | None
    node_selector: Mapping[str, str]
    zones: tuple[str, ...]  # required node affinity on the zone label
    volumes: tuple[PodVolume, ...]
    volume_mounts: tuple[VolumeMount, ...]
    pod_security: SecurityContext
    container_security: Mapping[str, SecurityContext]
    commands: tuple[ContainerCommand, ...]
    claim_templates: tuple[PersistentVolumeClaim, ...]  # StatefulSet volumeClaimTemplates
    phase: str | None
    template_path: tuple[str, ...]  # where the pod spec sits inside the object
    source: SourceMap = LIVE
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def namespace(self) -> str:
        return self.meta.namespace or "default"

    @property
    def key(self) -> str:
        """``ns/name`` for a Pod, ``ns/kind/name`` (kind in lower case) for a template."""
        if self.kind == "Pod":
            return f"{self.namespace}/{self.name}"
        return f"{self.namespace}/{self.kind.lower()}/{self.name}"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[Workload, list[InputProblem]]:
        kind = str(raw.get("kind"))
        r = FieldReader(raw, source, f"{kind} {_name(raw)}")
        if kind == "Pod":
            spec_path: tuple[str, ...] = ("spec",)
        elif kind == "CronJob":
            spec_path = ("spec", "jobTemplate", "spec", "template", "spec")
        else:
            spec_path = ("spec", "template", "spec")
        volumes: list[PodVolume] = []
        for index, _volume in enumerate(r.items(*spec_path, "volumes")):
            base: tuple[str | int, ...] = (*spec_path, "volumes", index)
            csi = None
            if r.mapping(*base, "csi"):
                csi = CsiVolumeSource(
                    driver=r.string(*base, "csi", "driver") or "",
                    volume_handle="",
                    volume_attributes=r.string_map(*base, "csi", "volumeAttributes"),
                    read_only=bool(r.boolean(*base, "csi", "readOnly")),
                )
            claim = r.string(*base, "persistentVolumeClaim", "claimName")
            nfs = _nfs_source(r, *base)
            if claim is None and csi is None and nfs is None:
                continue
            volumes.append(
                PodVolume(
                    name=r.string(*base, "name") or "",
                    claim_name=claim,
                    read_only=bool(r.boolean(*base, "persistentVolumeClaim", "readOnly")),
                    csi=csi,
                    field_path=base,
                    nfs=nfs,
                )
            )
        mounts: list[VolumeMount] = []
        container_security: dict[str, SecurityContext] = {}
        commands: list[ContainerCommand] = []
        for group in ("initContainers", "containers"):
            for c_index, _container in enumerate(r.items(*spec_path, group)):
                cbase = (*spec_path, group, c_index)
                cname = r.string(*cbase, "name") or ""
                words = (*r.strings(*cbase, "command"), *r.strings(*cbase, "args"))
                if words:
                    commands.append(
                        ContainerCommand(cname, group == "initContainers", words, cbase)
                    )
                container_security[cname] = SecurityContext(
                    run_as_user=r.integer(*cbase, "securityContext", "runAsUser"),
                    run_as_group=r.integer(*cbase, "securityContext", "runAsGroup"),
                )
                for m_index, _mount in enumerate(r.items(*cbase, "volumeMounts")):
                    mbase = (*cbase, "volumeMounts", m_index)
                    mounts.append(
                        VolumeMount(
                            container=cname,
                            volume=r.string(*mbase, "name") or "",
                            mount_path=r.string(*mbase, "mountPath") or "",
                            read_only=bool(r.boolean(*mbase, "readOnly")),
                            sub_path=r.string(*mbase, "subPath"),
                        )
                    )
        meta = _meta(r, namespaced=True)
        templates: list[PersistentVolumeClaim] = []
        namespace = meta.namespace or "default"
        for t_index, template in enumerate(r.items("spec", "volumeClaimTemplates")):
            if not isinstance(template, Mapping):
                continue
            templated = dict(template)
            raw_metadata = templated.get("metadata")
            metadata = dict(raw_metadata) if isinstance(raw_metadata, Mapping) else {}
            # the StatefulSet controller creates the claims in the set's own namespace
            # (kubernetes pkg/controller/statefulset/stateful_set_utils.go)
            metadata["namespace"] = namespace
            templated["metadata"] = metadata
            sub_source = source.sub("spec", "volumeClaimTemplates", t_index)
            pvc, problems = PersistentVolumeClaim.from_raw(templated, sub_source)
            templates.append(replace(pvc, template_of=f"{namespace}/{kind.lower()}/{meta.name}"))
            r.problems.extend(problems)
        workload = cls(
            kind=kind,
            meta=meta,
            service_account=r.string(*spec_path, "serviceAccountName")
            or r.string(*spec_path, "serviceAccount")
            or "default",
            node_name=r.string(*spec_path, "nodeName"),
            node_selector=r.string_map(*spec_path, "nodeSelector"),
            zones=_zones_from_node_selector_terms(
                r,
                *spec_path,
                "affinity",
                "nodeAffinity",
                "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms",
            ),
            volumes=tuple(volumes),
            volume_mounts=tuple(mounts),
            pod_security=SecurityContext(
                run_as_user=r.integer(*spec_path, "securityContext", "runAsUser"),
                run_as_group=r.integer(*spec_path, "securityContext", "runAsGroup"),
                fs_group=r.integer(*spec_path, "securityContext", "fsGroup"),
                fs_group_change_policy=r.string(
                    *spec_path, "securityContext", "fsGroupChangePolicy"
                ),
            ),
            container_security=container_security,
            commands=tuple(commands),
            claim_templates=tuple(templates),
            phase=r.string("status", "phase"),
            template_path=spec_path,
            source=source,
            raw=raw,
        )
        return workload, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class ServiceAccount:
    """A ServiceAccount (its annotations name an IAM role for IRSA)."""

    meta: Meta
    source: SourceMap = LIVE

    kind = "ServiceAccount"

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def namespace(self) -> str:
        return self.meta.namespace or "default"

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def irsa_role_arn(self) -> str | None:
        return self.meta.annotations.get("eks.amazonaws.com/role-arn")

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[ServiceAccount, list[InputProblem]]:
        r = FieldReader(raw, source, f"ServiceAccount {_name(raw)}")
        return cls(meta=_meta(r, namespaced=True), source=source), r.problems


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    """A Node: its zone, region, instance and address."""

    meta: Meta
    zone: str | None
    region: str | None
    instance_id: str | None  # from spec.providerID aws:///<az>/<instance-id>
    internal_ip: str | None
    is_fargate: bool
    source: SourceMap = LIVE

    kind = "Node"

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def node_group(self) -> str | None:
        labels = self.meta.labels
        return labels.get("eks.amazonaws.com/nodegroup") or labels.get("karpenter.sh/nodepool")

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any], source: SourceMap) -> tuple[Node, list[InputProblem]]:
        r = FieldReader(raw, source, f"Node {_name(raw)}")
        meta = _meta(r, namespaced=False)
        zone = next((meta.labels[k] for k in ZONE_LABELS if k in meta.labels), None)
        region = next((meta.labels[k] for k in REGION_LABELS if k in meta.labels), None)
        provider = r.string("spec", "providerID") or ""
        instance_id = None
        if provider.startswith("aws://"):
            parts = [p for p in provider[len("aws://") :].split("/") if p]
            if parts and parts[-1].startswith("i-"):
                instance_id = parts[-1]
            if zone is None and len(parts) >= 2:
                zone = parts[-2]
        internal_ip = None
        for index, _address in enumerate(r.items("status", "addresses")):
            if r.string("status", "addresses", index, "type") == "InternalIP":
                internal_ip = r.string("status", "addresses", index, "address")
                break
        is_fargate = meta.labels.get("eks.amazonaws.com/compute-type") == "fargate"
        node = cls(meta, zone, region, instance_id, internal_ip, is_fargate, source)
        return node, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class Event:
    """An Event, and the object it is about."""

    meta: Meta
    involved_kind: str | None
    involved_namespace: str | None
    involved_name: str | None
    reason: str | None
    message: str
    type: str | None
    count: int | None
    last_seen: str | None
    source: SourceMap = LIVE

    kind = "Event"

    @property
    def involved_key(self) -> str:
        return f"{self.involved_namespace or 'default'}/{self.involved_name}"

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[Event, list[InputProblem]]:
        r = FieldReader(raw, source, f"Event {_name(raw)}")
        event = cls(
            meta=_meta(r, namespaced=True),
            involved_kind=r.string("involvedObject", "kind") or r.string("regarding", "kind"),
            involved_namespace=r.string("involvedObject", "namespace")
            or r.string("regarding", "namespace"),
            involved_name=r.string("involvedObject", "name") or r.string("regarding", "name"),
            reason=r.string("reason"),
            message=r.string("message") or r.string("note") or "",
            type=r.string("type"),
            count=r.integer("count"),
            last_seen=r.string("lastTimestamp") or r.string("eventTime"),
            source=source,
        )
        return event, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class CSIDriver:
    """A CSIDriver object: whether volumes attach and the driver's fsGroup policy."""

    meta: Meta
    attach_required: bool | None
    fs_group_policy: str | None
    source: SourceMap = LIVE

    kind = "CSIDriver"

    @property
    def name(self) -> str:
        return self.meta.name

    @classmethod
    def from_raw(
        cls, raw: Mapping[str, Any], source: SourceMap
    ) -> tuple[CSIDriver, list[InputProblem]]:
        r = FieldReader(raw, source, f"CSIDriver {_name(raw)}")
        driver = cls(
            meta=_meta(r, namespaced=False),
            attach_required=r.boolean("spec", "attachRequired"),
            fs_group_policy=r.string("spec", "fsGroupPolicy"),
            source=source,
        )
        return driver, r.problems


@dataclass(frozen=True, slots=True, eq=False)
class DriverDeployment:
    """The efs-csi node DaemonSet or controller Deployment: its images tell the driver version."""

    kind: str
    meta: Meta
    images: tuple[str, ...]
    service_account: str
    host_network: bool
    source: SourceMap = LIVE

    @property
    def driver_version(self) -> str | None:
        for image in self.images:
            # "repo:tag@sha256:..." keeps its tag; a digest alone says no version
            repository, _, tag = image.split("@", 1)[0].rpartition(":")
            if "aws-efs-csi-driver" in repository and tag:
                return tag.lstrip("v").split("-")[0]
        return None


def _name(raw: Mapping[str, Any]) -> str:
    metadata = raw.get("metadata")
    if isinstance(metadata, Mapping):
        name = metadata.get("name")
        namespace = metadata.get("namespace")
        if isinstance(name, str):
            return f"{namespace}/{name}" if isinstance(namespace, str) else name
    return "<unnamed>"


def driver_deployment_from_workload(workload: Workload) -> DriverDeployment | None:
    """Recognise the EFS CSI driver's own DaemonSet/Deployment among loaded workloads."""
    raw_spec = workload.raw
    r = FieldReader(raw_spec, workload.source, workload.kind)
    images = tuple(
        image
        for group in ("containers", "initContainers")
        for index, _ in enumerate(r.items(*workload.template_path, group))
        if (image := r.string(*workload.template_path, group, index, "image"))
    )
    if not any("aws-efs-csi-driver" in image for image in images):
        return None
    return DriverDeployment(
        kind=workload.kind,
        meta=workload.meta,
        images=images,
        service_account=workload.service_account,
        host_network=bool(r.boolean(*workload.template_path, "hostNetwork")),
        source=workload.source,
    )
