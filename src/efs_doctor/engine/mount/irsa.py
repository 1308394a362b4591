"""Can an EFS CSI service account assume the role it is given (IRSA annotation or EKS Pod
Identity association)? The inventory's role, cluster and association handed to the IAM
engine's trust evaluation (:mod:`efs_doctor.engine.iam.trust`).

The credential chain of the mount simulator and the identity rule (IDN002) both ask here, so
they get the same answer from the same inputs. When the exchange fails, efs-utils silently
moves on to the next credential source (efs-semantics.md §2.8 fall-through).
"""

from __future__ import annotations

from efs_doctor.engine.iam.trust import (
    TrustDecision,
    issuer_path,
    pod_identity_trust,
    web_identity_trust,
)
from efs_doctor.model.aws import EksCluster, PodIdentityAssociation
from efs_doctor.model.chain import NODE_SERVICE_ACCOUNT
from efs_doctor.model.inventory import Inventory

IRSA_SESSION = "efs-mount-helper"  # RoleSessionName efs-utils uses (efs-semantics.md §2.8 step 6)
IRSA_TOKEN_FILE = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"


def cluster_of(inventory: Inventory, name: str | None = None) -> EksCluster | None:
    """The cluster named ``name``, else the only cluster among the inputs (None: not loaded,
    or several and nothing says which)."""
    clusters = list(inventory.clusters.values())
    if name:
        named = [c for c in clusters if c.name == name]
        return named[0] if len(named) == 1 else None
    return clusters[0] if len(clusters) == 1 else None


def _role_missing(role_arn: str, requester: str) -> TrustDecision:
    why = f"the role {role_arn} is not among the inputs (aws iam get-role)"
    return TrustDecision("unknown", why, requester, unknown=(why,))


def irsa_trust(
    inventory: Inventory, role_arn: str, namespace: str, service_account: str
) -> TrustDecision:
    """Whether ``namespace/service_account`` can assume ``role_arn`` with its projected token.
    The node plugin's efs-utils names its session ``efs-mount-helper``; the controller's
    session name is not known."""
    role = inventory.role_by_name_or_arn(role_arn)
    if role is None:
        return _role_missing(role_arn, f"system:serviceaccount:{namespace}:{service_account}")
    cluster = cluster_of(inventory)
    return web_identity_trust(
        role.trust_policy,
        role.arn,
        issuer=issuer_path(cluster.oidc_issuer) if cluster is not None else None,
        namespace=namespace,
        service_account=service_account,
        session_name=IRSA_SESSION if service_account == NODE_SERVICE_ACCOUNT else None,
    )


def association_trust(inventory: Inventory, association: PodIdentityAssociation) -> TrustDecision:
    """Whether EKS Pod Identity can assume the associated role for the association's service
    account."""
    role = inventory.role_by_name_or_arn(association.role_arn)
    key = f"{association.namespace}/{association.service_account}"
    if role is None:
        return _role_missing(association.role_arn, f"EKS Pod Identity for {key}")
    cluster = cluster_of(inventory, association.cluster_name)
    return pod_identity_trust(
        role.trust_policy,
        role.arn,
        namespace=association.namespace,
        service_account=association.service_account,
        cluster_name=association.cluster_name or (cluster.name if cluster else None),
        cluster_arn=cluster.arn if cluster is not None else None,
    )
