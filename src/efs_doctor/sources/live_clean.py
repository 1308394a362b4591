"""Making live answers safe and stable to keep: AWS CLI shapes, and no secrets.

Live answers are cleaned once, before they become inventory objects *and* before a snapshot
writes them, so live mode and an offline scan of its snapshot read the same data.

* AWS (boto3): what ``aws ... --output json`` would print for the same call: datetimes as
  ISO 8601 strings, no ``ResponseMetadata``, no pagination tokens.
* Kubernetes: objects as ``kubectl get -o json`` shows them, minus what could carry a secret
  and is not needed to simulate a mount: container ``env`` values (except a short list of
  AWS/CSI settings that are names, paths or ARNs), secret-looking words in container
  ``command``/``args`` (:func:`redact_words`), the ``last-applied-configuration``
  annotation; minus noise: ``managedFields`` and the node image list.
"""

from __future__ import annotations

import base64
import datetime
import re
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


# A word naming a secret: its value (after = or :, or the next argument) is redacted.
SECRET_NAME = r"[A-Za-z0-9_.-]*(?:pass|secret|token|key|credential|auth|pwd)[A-Za-z0-9_.-]*"
_ASSIGNED = re.compile(rf"(?i)(\b{SECRET_NAME}\s*[=:]\s*)(['\"]?)[^\s'\"]+\2")
_FLAG = re.compile(rf"(?i)^--?{SECRET_NAME}$")
_ACCESS_KEY = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
# Long runs of key-like characters mixing cases and digits: keys, tokens, JWTs.
_OPAQUE = re.compile(r"[A-Za-z0-9+/=_.-]{24,}")


def _opaque(match: re.Match[str]) -> str:
    word = match.group(0)
    mixed = any(c.isdigit() for c in word) + any(c.islower() for c in word)
    mixed += any(c.isupper() for c in word)
    is_path = word.startswith(("/", "./", "http:", "https:"))
    return REDACTED if mixed == 3 and not is_path else word


def redact_words(words: list[Any]) -> list[Any]:
    """Container ``command``/``args`` with what looks like a secret replaced: values given
    to a name such as ``password``/``token``/``key`` (``--password=x``, ``--token x``,
    ``DB_PASS=x`` inside a script), AWS access key ids and long opaque tokens. Everything
    else stays: rules read these (an init container running ``chown``, AUTH008)."""
    cleaned: list[Any] = []
    after_flag = False
    for word in words:
        if not isinstance(word, str):
            cleaned.append(word)
            continue
        if after_flag:
            cleaned.append(REDACTED)
            after_flag = False
            continue
        after_flag = bool(_FLAG.match(word))
        text = _ASSIGNED.sub(lambda m: m.group(1) + REDACTED, word)
        text = _ACCESS_KEY.sub(REDACTED, text)
        cleaned.append(_OPAQUE.sub(_opaque, text))
    return cleaned


def _clean_container(container: dict[str, Any]) -> None:
    for entry in container.get("env") or ():
        if isinstance(entry, dict) and "value" in entry and str(entry.get("name")) not in KEPT_ENV:
            entry["value"] = REDACTED
    for key in ("command", "args"):
        if isinstance(container.get(key), list):
            container[key] = redact_words(container[key])


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
    for spec in _pod_specs(obj):
        for group in CONTAINER_GROUPS:
            for container in spec.get(group) or ():
                if isinstance(container, dict):
                    _clean_container(container)
    return obj


def clean_cluster(answer: dict[str, Any]) -> dict[str, Any]:
    """describe-cluster without the (public, bulky) certificate authority data."""
    cluster = answer.get("cluster")
    if isinstance(cluster, dict):
        cluster.pop("certificateAuthority", None)
    return answer
