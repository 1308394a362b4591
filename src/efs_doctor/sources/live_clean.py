"""Making live answers safe and stable to keep: AWS CLI shapes, and no secrets.

Live answers are cleaned once, before they become inventory objects *and* before a snapshot
writes them, so live mode and an offline scan of its snapshot read the same data.

* AWS (boto3): what ``aws ... --output json`` would print for the same call: datetimes as
  ISO 8601 strings, no ``ResponseMetadata``, no pagination tokens.
* Kubernetes: objects as ``kubectl get -o json`` shows them, minus what could carry a secret
  and is not needed to simulate a mount: container ``env`` values (except a short list of
  AWS/CSI settings that are names, paths or ARNs), ``command``/``args`` of containers that
  are not the EFS CSI driver's, the ``last-applied-configuration`` annotation; minus noise:
  ``managedFields`` and the node image list.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Mapping
from typing import Any

REDACTED = "<redacted by efs-doctor>"

# Environment variables whose values say which identity, region or endpoint the AWS SDK and
# efs-utils use (efs-semantics.md §2.8, §3.5); none of them is itself a credential.
KEPT_ENV = frozenset(
    {
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_STS_REGIONAL_ENDPOINTS",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_EC2_METADATA_DISABLED",
        "AWS_USE_FIPS_ENDPOINT",
        "CSI_ENDPOINT",
        "CSI_NODE_NAME",
    }
)
DRIVER_IMAGE = "aws-efs-csi-driver"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
PAGINATION_KEYS = frozenset({"NextToken", "nextToken", "Marker", "NextMarker", "IsTruncated"})
CONTAINER_GROUPS = ("containers", "initContainers", "ephemeralContainers")


def cli_shape(answer: Any) -> Any:
    """A boto3 answer as the AWS CLI prints it (JSON types only)."""
    if isinstance(answer, Mapping):
        return {
            str(k): cli_shape(v)
            for k, v in answer.items()
            if k != "ResponseMetadata" and k not in PAGINATION_KEYS
        }
    if isinstance(answer, list | tuple):
        return [cli_shape(v) for v in answer]
    if isinstance(answer, datetime.datetime | datetime.date):
        return answer.isoformat()
    if isinstance(answer, bytes):
        return base64.b64encode(answer).decode("ascii")
    return answer


def _pod_specs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The pod spec of a Pod, or of a workload's template (CronJob: two levels down)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    if obj.get("kind") == "Pod":
        return [spec]
    found: list[dict[str, Any]] = []
    template = spec.get("template")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        found.append(template["spec"])
    job = spec.get("jobTemplate")
    if isinstance(job, dict):
        found.extend(_pod_specs({"kind": "Job", "spec": job.get("spec")}))
    return found


def _is_driver(specs: list[dict[str, Any]]) -> bool:
    return any(
        DRIVER_IMAGE in str(container.get("image", ""))
        for spec in specs
        for group in CONTAINER_GROUPS
        for container in spec.get(group) or ()
        if isinstance(container, dict)
    )


def _clean_container(container: dict[str, Any], keep_args: bool) -> None:
    for entry in container.get("env") or ():
        if isinstance(entry, dict) and "value" in entry and str(entry.get("name")) not in KEPT_ENV:
            entry["value"] = REDACTED
    if not keep_args:
        for key in ("command", "args"):
            if container.get(key):
                container[key] = [REDACTED]


def clean_kubernetes_object(obj: dict[str, Any]) -> dict[str, Any]:
    """Remove secrets and noise from one Kubernetes object, in place; returns it."""
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("managedFields", None)
        annotations = metadata.get("annotations")
        if isinstance(annotations, dict):
            annotations.pop(LAST_APPLIED, None)
    if obj.get("kind") == "Node":
        status = obj.get("status")
        if isinstance(status, dict):
            status.pop("images", None)
    specs = _pod_specs(obj)
    keep_args = _is_driver(specs)
    for spec in specs:
        for group in CONTAINER_GROUPS:
            for container in spec.get(group) or ():
                if isinstance(container, dict):
                    _clean_container(container, keep_args)
    return obj


def clean_cluster(answer: dict[str, Any]) -> dict[str, Any]:
    """describe-cluster without the (public, bulky) certificate authority data."""
    cluster = answer.get("cluster")
    if isinstance(cluster, dict):
        cluster.pop("certificateAuthority", None)
    return answer
