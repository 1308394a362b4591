"""Can the efs-csi-node service account assume its IRSA role? A role trust policy check.

IRSA (https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html):
the pod's projected token is exchanged with ``sts:AssumeRoleWithWebIdentity``; the role's
trust policy must allow that action for the cluster's OIDC provider
(``Principal.Federated = arn:aws:iam::<account>:oidc-provider/<issuer host/path>``), usually
with ``<issuer>:sub = system:serviceaccount:<namespace>:<name>`` and
``<issuer>:aud = sts.amazonaws.com`` conditions. When the exchange fails, efs-utils silently
moves on to the next credential source (efs-semantics.md §2.8 fall-through).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from efs_doctor.engine.iam.wildcard import glob_to_regex
from efs_doctor.model.aws import EksCluster, Role

TrustVerdict = Literal["ok", "fails", "unknown"]
ACTION = "sts:assumerolewithwebidentity"
_STRING_OPERATORS = {
    "stringequals": False,
    "stringlike": True,
    "stringequalsignorecase": False,
    "forallvalues:stringequals": False,
    "foranyvalue:stringequals": False,
    "forallvalues:stringlike": True,
    "foranyvalue:stringlike": True,
}


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _glob(pattern: str, value: str) -> bool:
    # glob_to_regex joins the pieces between stars so that matching stays polynomial
    return re.fullmatch(glob_to_regex(pattern), value, flags=re.DOTALL) is not None


def _issuer_path(cluster: EksCluster | None) -> str | None:
    if cluster is None or not cluster.oidc_issuer:
        return None
    return cluster.oidc_issuer.removeprefix("https://").rstrip("/")


def _condition_verdict(
    conditions: Mapping[str, Any], subject: str, issuer: str | None
) -> tuple[TrustVerdict, str]:
    for operator, block in conditions.items():
        if not isinstance(block, Mapping):
            return "unknown", f"condition {operator} is not an object"
        op = str(operator).lower()
        for key, raw in block.items():
            key_text = str(key)
            values = [str(v) for v in _listed(raw)]
            suffix = key_text.rsplit(":", 1)[-1].lower()
            if issuer is not None and not key_text.lower().startswith(issuer.lower() + ":"):
                return "fails", f"condition key {key_text} is for another OIDC issuer"
            if op not in _STRING_OPERATORS or suffix not in ("sub", "aud"):
                return "unknown", f"condition {operator} {key_text} is not evaluated here"
            like = _STRING_OPERATORS[op]
            wanted = subject if suffix == "sub" else "sts.amazonaws.com"
            if not any(_glob(v, wanted) if like else v == wanted for v in values):
                return "fails", f"{key_text} must be one of {values}; the token has {wanted}"
    return "ok", "conditions hold"


def web_identity_trust(
    role: Role | None, cluster: EksCluster | None, namespace: str, service_account: str
) -> tuple[TrustVerdict, str]:
    """Whether ``role``'s trust policy lets ``namespace/service_account`` assume it."""
    if role is None:
        return "unknown", "the role is not among the inputs (aws iam get-role)"
    document = role.trust_policy
    if not isinstance(document, Mapping):
        return "unknown", f"the trust policy of {role.name} is not among the inputs"
    subject = f"system:serviceaccount:{namespace}:{service_account}"
    issuer = _issuer_path(cluster)
    failures: list[str] = []
    unknowns: list[str] = []
    for index, statement in enumerate(_listed(document.get("Statement"))):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        actions = [str(a).lower() for a in _listed(statement.get("Action"))]
        if not any(_glob(a, ACTION) for a in actions):
            continue
        principal = statement.get("Principal")
        federated = (
            [str(f) for f in _listed(principal.get("Federated"))]
            if isinstance(principal, Mapping)
            else []
        )
        providers = [f for f in federated if ":oidc-provider/" in f]
        if not providers:
            failures.append(f"statement #{index} names no OIDC provider")
            continue
        if issuer is not None and not any(p.endswith("oidc-provider/" + issuer) for p in providers):
            failures.append(f"statement #{index} trusts {providers}, not the cluster's {issuer}")
            continue
        conditions = statement.get("Condition") or {}
        if not isinstance(conditions, Mapping):
            unknowns.append(f"statement #{index}: Condition is not an object")
            continue
        verdict, why = _condition_verdict(conditions, subject, issuer)
        if verdict == "ok":
            cluster_note = (
                "" if issuer else " (cluster OIDC issuer not known: provider not checked)"
            )
            if issuer is None:
                return "unknown", f"statement #{index} allows {subject}{cluster_note}"
            return "ok", f"statement #{index} allows {subject} via {providers[0]}"
        (failures if verdict == "fails" else unknowns).append(f"statement #{index}: {why}")
    if unknowns:
        return "unknown", "; ".join(unknowns)
    if failures:
        return "fails", "; ".join(failures)
    return "fails", f"no statement allows sts:AssumeRoleWithWebIdentity for {subject}"
