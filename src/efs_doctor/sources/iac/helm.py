"""The aws-efs-csi-driver Helm chart as IaC installs it (Terraform ``helm_release``, CDK
``Custom::AWSCDK-EKS-HelmChart``), and the EKS add-on of the same name (Terraform
``aws_eks_addon``, eksctl ``addons``): which service accounts they create, with which
annotations.

Chart defaults (kubernetes-sigs/aws-efs-csi-driver ``charts/aws-efs-csi-driver/values.yaml``,
efs-semantics.md §3.1, §3.5): ``controller.serviceAccount`` and ``node.serviceAccount`` each
have ``create: true``, ``annotations: {}`` and the names ``efs-csi-controller-sa`` /
``efs-csi-node-sa``; ``eks.amazonaws.com/role-arn`` there is how IRSA is configured.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from efs_doctor.model.problems import InputProblem
from efs_doctor.sources.documents import parse_yaml

CHART = "aws-efs-csi-driver"
DEFAULT_NAMES = {"controller": "efs-csi-controller-sa", "node": "efs-csi-node-sa"}


def is_efs_csi_chart(chart: str) -> bool:
    """``aws-efs-csi-driver``, or a URL/OCI reference ending in it (with a version)."""
    tail = chart.rstrip("/").rsplit("/", 1)[-1]
    return tail == CHART or tail.startswith(f"{CHART}-")


def set_path(name: str) -> list[str]:
    """Helm ``--set`` key syntax: dots separate keys, ``\\.`` is a literal dot."""
    parts, current, index = [], [], 0
    while index < len(name):
        char = name[index]
        if char == "\\" and index + 1 < len(name):
            current.append(name[index + 1])
            index += 2
            continue
        if char == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = _merge(base[key], value)
        elif isinstance(value, Mapping):
            base[key] = _merge({}, value)
        else:
            base[key] = value
    return base


def merge_values(
    documents: Sequence[str], settings: Sequence[tuple[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """Values YAML documents in order, then ``set`` entries, as Helm applies them."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for position, text in enumerate(documents):
        found: list[InputProblem] = []
        for document in parse_yaml(f"values[{position}]", text, found):
            if isinstance(document.data, Mapping):
                _merge(values, document.data)
        problems.extend(f"Helm values: {p.message}" for p in found)
    for name, value in settings:
        _set(values, set_path(name), value)
    return values, problems


_INDEXED = re.compile(r"^(.+)\[(\d{1,4})\]$")


def _set(values: dict[str, Any], path: list[str], value: Any) -> None:
    """One ``--set`` entry; ``name[<n>]`` addresses item n of a list (Helm's --set syntax,
    https://helm.sh/docs/intro/using_helm/#the-format-and-limitations-of---set)."""
    node: Any = values
    steps: list[str | int] = []
    for part in path:
        match = _INDEXED.match(part)
        steps.extend([match.group(1), int(match.group(2))] if match else [part])
    for step, following in zip(steps, [*steps[1:], None], strict=True):
        last = following is None
        if isinstance(step, int):
            if not isinstance(node, list):
                return
            while len(node) <= step:
                node.append(None)
            if last:
                node[step] = value
                return
            if not isinstance(node[step], dict | list):
                node[step] = [] if isinstance(following, int) else {}
            node = node[step]
            continue
        if not isinstance(node, dict):
            return
        if last:
            node[step] = value
            return
        child = node.get(step)
        if not isinstance(child, dict | list):
            child = [] if isinstance(following, int) else {}
            node[step] = child
        node = child


def efs_csi_service_accounts(values: Mapping[str, Any], namespace: str) -> list[dict[str, Any]]:
    """ServiceAccount manifests the chart creates with these values."""
    manifests = []
    for component, default_name in DEFAULT_NAMES.items():
        section = values.get(component)
        account = section.get("serviceAccount") if isinstance(section, Mapping) else None
        account = account if isinstance(account, Mapping) else {}
        if account.get("create", True) in (False, "false"):
            continue
        name = account.get("name") or default_name
        annotations = account.get("annotations")
        metadata: dict[str, Any] = {"name": str(name), "namespace": namespace}
        if isinstance(annotations, Mapping) and annotations:
            metadata["annotations"] = {str(k): str(v) for k, v in annotations.items()}
        manifests.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata})
    return manifests


def efs_csi_storage_classes(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """StorageClass manifests the chart creates from ``storageClasses`` (its
    ``templates/storageclass.yaml``: name, annotations, mountOptions, parameters,
    reclaimPolicy, volumeBindingMode; the provisioner is always efs.csi.aws.com)."""
    manifests = []
    entries = values.get("storageClasses")
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            continue
        metadata: dict[str, Any] = {"name": entry["name"]}
        if isinstance(entry.get("annotations"), Mapping):
            metadata["annotations"] = dict(entry["annotations"])
        manifest: dict[str, Any] = {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": metadata,
            "provisioner": "efs.csi.aws.com",
        }
        for key in ("mountOptions", "parameters", "reclaimPolicy", "volumeBindingMode"):
            if entry.get(key) is not None:
                manifest[key] = entry[key]
        manifests.append(manifest)
    return manifests


ADDON = "aws-efs-csi-driver"
ADDON_NAMESPACE = "kube-system"


def efs_csi_addon_service_accounts(role_arn: str | None) -> list[dict[str, Any]]:
    """The ServiceAccounts the EKS add-on manages, annotated with its service account role.

    The add-on takes one role and uses it for both of the driver's service accounts: the EKS
    User Guide widens the role's IRSA trust to ``system:serviceaccount:kube-system:efs-csi-*``
    for that reason (https://docs.aws.amazon.com/eks/latest/userguide/add-ons-aws-efs-csi-driver.html),
    and the add-on has no separate node role
    (https://github.com/aws/containers-roadmap/issues/2820)."""
    manifests = []
    for name in DEFAULT_NAMES.values():
        metadata: dict[str, Any] = {"name": name, "namespace": ADDON_NAMESPACE}
        if role_arn:
            metadata["annotations"] = {"eks.amazonaws.com/role-arn": role_arn}
        manifests.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata})
    return manifests
