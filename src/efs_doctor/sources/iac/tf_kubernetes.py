"""Terraform Kubernetes and Helm resources -> the Kubernetes manifests the loader reads.

Schemas: hashicorp/kubernetes provider (``kubernetes_persistent_volume_v1`` etc., blocks are
lists of one: ``spec[0].persistent_volume_source[0].csi[0].volume_handle``;
https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs) and hashicorp/helm
(``helm_release``: ``values`` YAML strings, ``set`` name/value pairs). Each manifest carries a
field map so a finding on ``spec.mountOptions`` points at ``spec.mount_options`` of the
resource (or its line in the ``.tf`` file).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from efs_doctor.model.problems import ProblemLevel
from efs_doctor.model.source import FieldPath
from efs_doctor.sources.iac.helm import (
    efs_csi_service_accounts,
    efs_csi_storage_classes,
    is_efs_csi_chart,
    merge_values,
)
from efs_doctor.sources.iac.tf_context import TfContext, Unlinked, path_text
from efs_doctor.sources.iac.tf_plan import TfResource

Mapper = Callable[[TfContext, TfResource], None]


@dataclass(slots=True)
class _Manifest:
    """A Kubernetes object being built from a Terraform resource, with its field map."""

    ctx: TfContext
    res: TfResource
    kind: str
    out: dict[str, Any] = field(default_factory=dict)
    fields: dict[FieldPath, FieldPath] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def copy(self, model: FieldPath, tf: FieldPath) -> Any:
        try:
            value = self.ctx.get(self.res, tf)
        except Unlinked:
            self.missing.append(path_text(tf))
            return None
        if value is None or value in ([], {}):
            return None
        self._put(model, value)
        self.fields[model] = tf
        return value

    def _put(self, model: FieldPath, value: Any) -> None:
        node = self.out
        for part in model[:-1]:
            node = node.setdefault(str(part), {})
        node[str(model[-1])] = value

    def metadata(self, namespaced: bool) -> None:
        self.out["apiVersion"] = (
            "v1"
            if self.kind in ("PersistentVolume", "ServiceAccount")
            else ("storage.k8s.io/v1" if self.kind == "StorageClass" else "v1")
        )
        self.out["kind"] = self.kind
        self.copy(("metadata", "name"), ("metadata", 0, "name"))
        if namespaced:
            self.copy(("metadata", "namespace"), ("metadata", 0, "namespace"))
        self.copy(("metadata", "labels"), ("metadata", 0, "labels"))
        self.copy(("metadata", "annotations"), ("metadata", 0, "annotations"))
        self.fields[("metadata",)] = ("metadata", 0)

    def emit(self) -> None:
        """Add the object, unless a value it needs could not be linked: leaving it out could
        change what the object means (no ``iam`` option, no file system), so the object is
        not checked at all and the problem says why."""
        if self.missing:
            self.ctx.problem(
                self.res,
                f"{', '.join(self.missing)} known only after apply and not linked by the plan's "
                f"configuration; this {self.kind} is not checked",
            )
            return
        self.ctx.builder.kubernetes(self.out, self.ctx.source_for(self.res, self.fields))


def persistent_volume(ctx: TfContext, res: TfResource) -> None:
    m = _Manifest(ctx, res, "PersistentVolume")
    m.metadata(namespaced=False)
    spec = ("spec", 0)
    m.fields[("spec",)] = spec
    m.copy(("spec", "accessModes"), (*spec, "access_modes"))
    m.copy(("spec", "mountOptions"), (*spec, "mount_options"))
    m.copy(("spec", "storageClassName"), (*spec, "storage_class_name"))
    m.copy(("spec", "volumeMode"), (*spec, "volume_mode"))
    m.copy(("spec", "capacity"), (*spec, "capacity"))
    csi = (*spec, "persistent_volume_source", 0, "csi", 0)
    if res.value(csi) is not None or res.is_unknown(csi):
        m.fields[("spec", "csi")] = csi
        m.copy(("spec", "csi", "driver"), (*csi, "driver"))
        _volume_handle(m, (*csi, "volume_handle"))
        m.copy(("spec", "csi", "volumeAttributes"), (*csi, "volume_attributes"))
        m.copy(("spec", "csi", "readOnly"), (*csi, "read_only"))
    claim = (*spec, "claim_ref", 0)
    if isinstance(res.value(claim), Mapping):
        m.copy(("spec", "claimRef", "name"), (*claim, "name"))
        m.copy(("spec", "claimRef", "namespace"), (*claim, "namespace"))
    _node_affinity(m, (*spec, "node_affinity", 0, "required", 0, "node_selector_term"))
    m.emit()


def _volume_handle(m: _Manifest, tf: FieldPath) -> None:
    """The volume handle, linked when it is known only after apply. The plan lists the
    references an expression makes but not how it combines them, so a link read from the
    plan alone (no ``.tf`` beside it) is reported as an assumption."""
    ctx, res = m.ctx, m.res
    if not res.is_unknown(tf):
        m.copy(("spec", "csi", "volumeHandle"), tf)
        return
    try:
        linked = ctx.link(res, tf)
    except Unlinked:
        m.missing.append(path_text(tf))
        return
    if not isinstance(linked.value, str):
        m.missing.append(path_text(tf))
        return
    if not linked.confirmed:
        ctx.problem(
            res,
            f"volume_handle is known only after apply; the plan says it is made from "
            f"{_describe_targets(ctx, res, tf)} but not how (the .tf source was not found "
            f"beside the plan), so it is taken as {linked.value} alone",
            path=tf,
        )
    m._put(("spec", "csi", "volumeHandle"), linked.value)
    m.fields[("spec", "csi", "volumeHandle")] = tf


def _describe_targets(ctx: TfContext, res: TfResource, tf: FieldPath) -> str:
    names = [f"{t.address}.{'.'.join(a)}" for t, a in ctx.document.targets(res, tf)]
    return ", ".join(names) or "other values"


def _node_affinity(m: _Manifest, terms: FieldPath) -> None:
    raw_terms = m.res.value(terms)
    if not isinstance(raw_terms, list):
        return
    out = []
    for t_index, term in enumerate(raw_terms):
        expressions = []
        for e_index, expression in enumerate(
            term.get("match_expressions") or () if isinstance(term, Mapping) else ()
        ):
            if isinstance(expression, Mapping):
                expressions.append(
                    {
                        "key": expression.get("key"),
                        "operator": expression.get("operator"),
                        "values": list(expression.get("values") or ()),
                    }
                )
                m.fields[
                    (
                        "spec",
                        "nodeAffinity",
                        "required",
                        "nodeSelectorTerms",
                        t_index,
                        "matchExpressions",
                        e_index,
                    )
                ] = (*terms, t_index, "match_expressions", e_index)
        out.append({"matchExpressions": expressions})
    if out:
        m._put(("spec", "nodeAffinity"), {"required": {"nodeSelectorTerms": out}})
        m.fields[("spec", "nodeAffinity")] = terms[:-4]


def persistent_volume_claim(ctx: TfContext, res: TfResource) -> None:
    m = _Manifest(ctx, res, "PersistentVolumeClaim")
    m.metadata(namespaced=True)
    spec = ("spec", 0)
    m.fields[("spec",)] = spec
    m.copy(("spec", "accessModes"), (*spec, "access_modes"))
    # Left out, storage_class_name and volume_name are computed by the cluster: the claim
    # then uses the default class / binds to whatever volume matches, as in Kubernetes.
    m.copy(("spec", "storageClassName"), (*spec, "storage_class_name"))
    m.copy(("spec", "volumeName"), (*spec, "volume_name"))
    m.emit()


def storage_class(ctx: TfContext, res: TfResource) -> None:
    m = _Manifest(ctx, res, "StorageClass")
    m.metadata(namespaced=False)
    m.copy(("provisioner",), ("storage_provisioner",))
    _storage_class_parameters(m)
    m.copy(("mountOptions",), ("mount_options",))
    m.copy(("volumeBindingMode",), ("volume_binding_mode",))
    m.copy(("reclaimPolicy",), ("reclaim_policy",))
    topologies = res.value(("allowed_topologies",))
    if isinstance(topologies, list):
        out = []
        for t_index, topology in enumerate(topologies):
            expressions = []
            for e_index, expression in enumerate(
                topology.get("match_label_expressions") or ()
                if isinstance(topology, Mapping)
                else ()
            ):
                if isinstance(expression, Mapping):
                    expressions.append(
                        {
                            "key": expression.get("key"),
                            "values": list(expression.get("values") or ()),
                        }
                    )
                    m.fields[("allowedTopologies", t_index, "matchLabelExpressions", e_index)] = (
                        "allowed_topologies",
                        t_index,
                        "match_label_expressions",
                        e_index,
                    )
            out.append({"matchLabelExpressions": expressions})
        if out:
            m.out["allowedTopologies"] = out
    m.emit()


def _storage_class_parameters(m: _Manifest) -> None:
    """``parameters`` with each value known only after apply linked on its own: through its
    key's expression in the ``.tf`` file when it is beside the plan, else through the
    references the plan records for the whole map. A map attribute's references are not
    split per key in the plan (https://developer.hashicorp.com/terraform/internals/json-format,
    "Expression Representation"), so with several of them only ``fileSystemId`` can be told
    apart: the one file system id among them. A value that stays unlinked is named, and the
    StorageClass is not checked (efs-semantics: ``fileSystemId`` decides what mounts)."""
    ctx, res, path = m.ctx, m.res, ("parameters",)
    try:
        value = ctx.get(res, path)
    except Unlinked:
        pass
    else:
        if value:
            m._put(("parameters",), value)
            m.fields[("parameters",)] = path
        return
    known = res.value(path)
    if not isinstance(known, Mapping):
        m.missing.append(path_text(path))
        return
    out: dict[str, Any] = {}
    for key, item in known.items():
        if item is not None or not res.is_unknown((*path, key)):
            if item is not None:
                out[str(key)] = item
            continue
        try:
            out[str(key)] = ctx.link(res, (*path, key)).value
            continue
        except Unlinked:
            pass
        file_systems = {
            linked
            for target, attribute in ctx.document.targets(res, path)
            if target.type == "aws_efs_file_system" and attribute == ("id",)
            if isinstance(linked := ctx.attribute(target, attribute), str)
        }
        if key == "fileSystemId" and len(file_systems) == 1:
            out[str(key)] = file_systems.pop()
            ctx.problem(
                res,
                "parameters.fileSystemId is known only after apply: linked to the one file "
                f"system id the parameters refer to ({out[str(key)]})",
                ProblemLevel.DEBUG,
                path=(*path, key),
            )
            continue
        m.missing.append(path_text((*path, key)))
    if out:
        m._put(("parameters",), out)
        m.fields[("parameters",)] = path


def service_account(ctx: TfContext, res: TfResource) -> None:
    m = _Manifest(ctx, res, "ServiceAccount")
    m.metadata(namespaced=True)
    m.emit()


def kubernetes_manifest(ctx: TfContext, res: TfResource) -> None:
    """``kubernetes_manifest``: ``manifest`` is the object itself (provider docs)."""
    try:
        manifest = ctx.get(res, ("manifest",))
    except Unlinked:
        ctx.problem(res, "manifest is known only after apply and not linked; not checked")
        return
    if not isinstance(manifest, Mapping):
        return
    manifest = _link_nested(ctx, res, ("manifest",), manifest)
    if manifest is None:
        return
    fields = {
        ("metadata",): ("manifest", "metadata"),
        ("spec",): ("manifest", "spec"),
    }
    ctx.builder.kubernetes(manifest, ctx.source_for(res, fields))


def _link_nested(ctx: TfContext, res: TfResource, path: FieldPath, value: Any) -> Any:
    """Fill values unknown inside an object attribute from the attribute's references."""
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            linked = _link_nested(ctx, res, (*path, key), item)
            if linked is _DROP:
                return None
            out[key] = linked
        return out
    if isinstance(value, list):
        return [_link_nested(ctx, res, (*path, i), item) for i, item in enumerate(value)]
    if value is None and res.is_unknown(path):
        try:
            return ctx.link(res, path).value
        except Unlinked:
            ctx.problem(
                res,
                f"{path_text(path)} is known only after apply and not linked; object not checked",
                path=path,
            )
            return _DROP
    return value


_DROP = object()


def helm_release(ctx: TfContext, res: TfResource) -> None:
    """The aws-efs-csi-driver chart: its service accounts with the annotations its values
    give them (IRSA role of the node and controller)."""
    chart = res.value(("chart",))
    if not isinstance(chart, str) or not is_efs_csi_chart(chart):
        return
    raw_documents = res.value(("values",)) or ()
    documents = [v for v in raw_documents if isinstance(v, str)]
    if len(documents) != len(raw_documents) or res.is_unknown(("values",)):
        # yamlencode() of a value known only after apply: what the chart creates (service
        # accounts and their roles, StorageClasses) cannot be told.
        ctx.problem(
            res,
            "values are known only after apply; the service accounts and StorageClasses the "
            "chart creates are not checked",
            path=("values",),
        )
        return
    settings: list[tuple[str, Any]] = []
    for key in ("set", "set_sensitive"):
        for index, entry in enumerate(res.value((key,)) or ()):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
                continue
            value = entry.get("value")
            if value is None and res.is_unknown((key, index, "value")):
                value = _link_set_value(ctx, res, key, str(entry["name"]))
                if value is None:
                    continue
            settings.append((str(entry["name"]), value))
    values, problems = merge_values(documents, settings)
    for problem in problems:
        ctx.problem(res, problem, path=("values",))
    namespace = res.value(("namespace",)) or "default"
    for manifest in efs_csi_service_accounts(values, str(namespace)):
        ctx.builder.kubernetes(manifest, ctx.source_for(res, {(): ("values",)}))
    for manifest in efs_csi_storage_classes(values):
        ctx.builder.kubernetes(manifest, ctx.source_for(res, {(): ("values",)}))


def _link_set_value(ctx: TfContext, res: TfResource, key: str, name: str) -> Any:
    """``set`` is a set: match the configuration's block by its constant ``name``."""
    expressions = res.config.get("expressions") if res.config else None
    blocks = expressions.get(key) if isinstance(expressions, Mapping) else None
    for index, block in enumerate(blocks if isinstance(blocks, list) else ()):
        name_expression = block.get("name") if isinstance(block, Mapping) else None
        if isinstance(name_expression, Mapping) and name_expression.get("constant_value") == name:
            try:
                return ctx.link(res, (key, index, "value")).value
            except Unlinked:
                break
    ctx.problem(res, f"set {name} is known only after apply and not linked; left out")
    return None


# Where the pod spec sits in each workload resource (kubernetes provider schemas), and the
# path of the same spec in the Kubernetes object.
WORKLOADS: dict[str, tuple[str, tuple[str | int, ...], tuple[str, ...]]] = {
    "kubernetes_pod": ("Pod", ("spec", 0), ("spec",)),
    "kubernetes_deployment": (
        "Deployment",
        ("spec", 0, "template", 0, "spec", 0),
        ("spec", "template", "spec"),
    ),
    "kubernetes_stateful_set": (
        "StatefulSet",
        ("spec", 0, "template", 0, "spec", 0),
        ("spec", "template", "spec"),
    ),
    "kubernetes_daemonset": (
        "DaemonSet",
        ("spec", 0, "template", 0, "spec", 0),
        ("spec", "template", "spec"),
    ),
    "kubernetes_daemon_set": (
        "DaemonSet",
        ("spec", 0, "template", 0, "spec", 0),
        ("spec", "template", "spec"),
    ),
    "kubernetes_job": ("Job", ("spec", 0, "template", 0, "spec", 0), ("spec", "template", "spec")),
    "kubernetes_cron_job": (
        "CronJob",
        ("spec", 0, "job_template", 0, "spec", 0, "template", 0, "spec", 0),
        ("spec", "jobTemplate", "spec", "template", "spec"),
    ),
}


def workload(ctx: TfContext, res: TfResource) -> None:
    """A workload's pod spec: the claims it mounts, its service account and placement."""
    kind, tf_spec, k8s_spec = WORKLOADS[res.type.removesuffix("_v1").removesuffix("_v2")]
    m = _Manifest(ctx, res, kind)
    m.metadata(namespaced=True)
    m.out["apiVersion"] = (
        "v1" if kind == "Pod" else ("batch/v1" if kind in ("Job", "CronJob") else "apps/v1")
    )
    m.fields[k8s_spec] = tf_spec
    m.copy((*k8s_spec, "serviceAccountName"), (*tf_spec, "service_account_name"))
    m.copy((*k8s_spec, "nodeName"), (*tf_spec, "node_name"))
    m.copy((*k8s_spec, "nodeSelector"), (*tf_spec, "node_selector"))
    context = (*tf_spec, "security_context", 0)
    for key, attribute in (
        ("runAsUser", "run_as_user"),
        ("runAsGroup", "run_as_group"),
        ("fsGroup", "fs_group"),
    ):
        m.copy((*k8s_spec, "securityContext", key), (*context, attribute))
    volumes = []
    for index, volume in enumerate(res.value((*tf_spec, "volume")) or ()):
        claim = (
            _first(volume.get("persistent_volume_claim")) if isinstance(volume, Mapping) else None
        )
        if not isinstance(claim, Mapping) or not isinstance(volume.get("name"), str):
            continue
        volumes.append(
            {
                "name": volume["name"],
                "persistentVolumeClaim": {
                    "claimName": claim.get("claim_name"),
                    "readOnly": bool(claim.get("read_only")),
                },
            }
        )
        m.fields[(*k8s_spec, "volumes", len(volumes) - 1)] = (*tf_spec, "volume", index)
    if volumes:
        m._put((*k8s_spec, "volumes"), volumes)
    for tf_key, k8s_key in (("init_container", "initContainers"), ("container", "containers")):
        containers = []
        for index, container in enumerate(res.value((*tf_spec, tf_key)) or ()):
            if not isinstance(container, Mapping):
                continue
            mounts = [
                {
                    "name": mount.get("name"),
                    "mountPath": mount.get("mount_path"),
                    "readOnly": bool(mount.get("read_only")),
                    "subPath": mount.get("sub_path") or None,
                }
                for mount in container.get("volume_mount") or ()
                if isinstance(mount, Mapping)
            ]
            security = _first(container.get("security_context"))
            out: dict[str, Any] = {"name": container.get("name"), "volumeMounts": mounts}
            if isinstance(security, Mapping):
                out["securityContext"] = {
                    "runAsUser": security.get("run_as_user"),
                    "runAsGroup": security.get("run_as_group"),
                }
            containers.append(out)
            m.fields[(*k8s_spec, k8s_key, len(containers) - 1)] = (*tf_spec, tf_key, index)
        if containers:
            m._put((*k8s_spec, k8s_key), containers)
    if kind == "StatefulSet":
        _claim_templates(m)
    m.emit()


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else None


def _claim_templates(m: _Manifest) -> None:
    templates = []
    for index, template in enumerate(m.res.value(("spec", 0, "volume_claim_template")) or ()):
        if not isinstance(template, Mapping):
            continue
        metadata, spec = _first(template.get("metadata")), _first(template.get("spec"))
        if not isinstance(metadata, Mapping) or not isinstance(spec, Mapping):
            continue
        templates.append(
            {
                "metadata": {"name": metadata.get("name")},
                "spec": {
                    "accessModes": list(spec.get("access_modes") or ()),
                    "storageClassName": spec.get("storage_class_name"),
                },
            }
        )
        m.fields[("spec", "volumeClaimTemplates", len(templates) - 1)] = (
            "spec",
            0,
            "volume_claim_template",
            index,
        )
    if templates:
        m._put(("spec", "volumeClaimTemplates"), templates)


MAPPERS: dict[tuple[str, str], Mapper] = {
    ("managed", "kubernetes_persistent_volume"): persistent_volume,
    ("managed", "kubernetes_persistent_volume_v1"): persistent_volume,
    ("managed", "kubernetes_persistent_volume_claim"): persistent_volume_claim,
    ("managed", "kubernetes_persistent_volume_claim_v1"): persistent_volume_claim,
    ("managed", "kubernetes_storage_class"): storage_class,
    ("managed", "kubernetes_storage_class_v1"): storage_class,
    ("managed", "kubernetes_service_account"): service_account,
    ("managed", "kubernetes_service_account_v1"): service_account,
    ("managed", "kubernetes_manifest"): kubernetes_manifest,
    ("managed", "helm_release"): helm_release,
    **{("managed", f"{base}{suffix}"): workload for base in WORKLOADS for suffix in ("", "_v1")},
}
