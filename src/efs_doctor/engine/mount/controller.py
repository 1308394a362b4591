"""The EFS CSI controller as an AWS caller: whom it calls EFS as, and whether that role's own
policies allow each call CreateVolume and DeleteVolume make (efs-semantics.md §3.7, §3.8).

Its credentials come from the AWS SDK for Go's default chain in the controller pod: web
identity (IRSA on ``efs-csi-controller-sa``), then the container provider (EKS Pod
Identity), then the node's instance role from IMDS. Unlike efs-utils, the SDK does not move
on when a configured source fails: a role the service account cannot assume is an error
(``WebIdentityErr``, causes.md ``irsa-trust-policy``). Trust is the IAM engine's answer
(``irsa.py``). A service account that is not among the inputs (and no Pod Identity
association for it) leaves the role unknown: the EKS guide gives the controller its own
IRSA role.

The calls (aws-efs-csi-driver v3.4.1 ``pkg/driver/controller.go``): ``DescribeAccessPoints``
when uid or gid is left to the GID allocator; ``DescribeFileSystems`` when
``enforceZoneAffinity`` is true, and, before v2.3.1, when both uid and gid are set (the
existence check v2.3.1 removed); ``CreateAccessPoint`` with the request tag
``efs.csi.aws.com/cluster=true`` unless ``enableTagging`` is false, which also authorizes
``TagResource`` (elasticfilesystem:CreateAction); at delete, ``DeleteAccessPoint`` on an
access point carrying that tag. AccessDenied on any of them reads ``Access Denied. Please
ensure you have the right AWS permissions: Access denied``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from efs_doctor.engine.iam.context_value import ContextValue
from efs_doctor.engine.iam.permissions import Permission, permission
from efs_doctor.engine.iam.trust import TrustDecision
from efs_doctor.engine.mount.golang import parse_go_bool
from efs_doctor.engine.mount.irsa import association_trust, irsa_trust
from efs_doctor.engine.mount.placement import Placement
from efs_doctor.engine.mount.versions import Version, Versions
from efs_doctor.engine.mount.view import InventoryView
from efs_doctor.model.chain import CONTROLLER_SERVICE_ACCOUNT, DRIVER_NAMESPACE
from efs_doctor.model.kubernetes import ServiceAccount

# The tag the driver puts on the access points it creates (DefaultTagKey/DefaultTagValue).
TAG_KEY = "efs.csi.aws.com/cluster"
TAG_VALUE = "true"
DESCRIBE_FILE_SYSTEMS = "elasticfilesystem:DescribeFileSystems"
DESCRIBE_ACCESS_POINTS = "elasticfilesystem:DescribeAccessPoints"
CREATE_ACCESS_POINT = "elasticfilesystem:CreateAccessPoint"
TAG_RESOURCE = "elasticfilesystem:TagResource"
DELETE_ACCESS_POINT = "elasticfilesystem:DeleteAccessPoint"
ACCESS_DENIED = "Access Denied. Please ensure you have the right AWS permissions: Access denied"
_REQUEST_TAG = "aws:requesttag/"
_RESOURCE_TAG = "aws:resourcetag/"
_DESCRIBE_ON_FIXED_IDS_REMOVED = Version(2, 3, 1)

Phase = Literal["create", "delete"]


@dataclass(frozen=True, slots=True)
class Call:
    action: str
    phase: Phase
    context: Mapping[str, ContextValue]


@dataclass(frozen=True, slots=True)
class ControllerRole:
    """``role_arn`` None: not known (``why`` says which input is missing)."""

    role_arn: str | None
    how: str
    service_account: ServiceAccount | None
    trust: TrustDecision | None = None  # IRSA / Pod Identity: can the SA assume the role
    why: str = ""


def tagging(parameters: Mapping[str, str]) -> bool | None:
    """enableTagging (default true); None when strconv.ParseBool refuses it."""
    written = parameters.get("enableTagging")
    return True if written is None else parse_go_bool(written)


def controller_calls(parameters: Mapping[str, str], tags: bool, versions: Versions) -> list[Call]:
    """The EFS calls CreateVolume and DeleteVolume make for a class, in the order they are
    made, each with the request values known for it."""
    allocates = "uid" not in parameters or "gid" not in parameters
    zone_affinity = parse_go_bool(parameters.get("enforceZoneAffinity", "false")) is True
    request_tags: dict[str, ContextValue] = (
        {f"{_REQUEST_TAG}{TAG_KEY}": TAG_VALUE, "aws:tagkeys": (TAG_KEY,)} if tags else {}
    )
    calls: list[Call] = []
    if allocates:
        calls.append(Call(DESCRIBE_ACCESS_POINTS, "create", {}))
    elif versions.csi_driver < _DESCRIBE_ON_FIXED_IDS_REMOVED:
        calls.append(Call(DESCRIBE_FILE_SYSTEMS, "create", {}))
    calls.append(Call(CREATE_ACCESS_POINT, "create", dict(request_tags)))
    if tags:
        tagged = {**request_tags, "elasticfilesystem:createaction": "CreateAccessPoint"}
        calls.append(Call(TAG_RESOURCE, "create", tagged))
    if zone_affinity and DESCRIBE_FILE_SYSTEMS not in {c.action for c in calls}:
        calls.append(Call(DESCRIBE_FILE_SYSTEMS, "create", {}))
    resource_tag = {f"{_RESOURCE_TAG}{TAG_KEY}": TAG_VALUE} if tags else {}
    calls.append(Call(DELETE_ACCESS_POINT, "delete", resource_tag))
    return calls


def _absent(key: str) -> bool:
    # The driver sends no other tag and its access points carry no other tag; without tags
    # the request has no aws:TagKeys.
    return key.startswith((_REQUEST_TAG, _RESOURCE_TAG)) or key == "aws:tagkeys"


def decide_calls(view: InventoryView, role_arn: str, calls: Sequence[Call]) -> list[Permission]:
    """The IAM engine's answer for each call, from the role's own policies."""
    policies = view.role_policies(role_arn)
    return [
        permission(
            policies, role_arn, call.action, resource=None, context=call.context, absent=_absent
        )
        for call in calls
    ]


def controller_service_account(view: InventoryView) -> ServiceAccount | None:
    """The controller's service account: the Deployment's, else efs-csi-controller-sa."""
    inventory = view.inventory
    for deployment in inventory.driver_deployments:
        if deployment.kind == "Deployment":
            namespace = deployment.meta.namespace or DRIVER_NAMESPACE
            found = inventory.service_account(namespace, deployment.service_account)
            if found is not None:
                return found
    return next(
        (sa for sa in inventory.service_accounts.values() if sa.name == CONTROLLER_SERVICE_ACCOUNT),
        None,
    )


def controller_role(view: InventoryView, placements: Sequence[Placement]) -> ControllerRole:
    """The role the controller calls EFS as; ``placements``: where it may run (their
    instance role is the last source of the chain)."""
    sa = controller_service_account(view)
    namespace = sa.namespace if sa is not None else DRIVER_NAMESPACE
    name = sa.name if sa is not None else CONTROLLER_SERVICE_ACCOUNT
    inventory = view.inventory
    association = inventory.pod_identity_association(namespace, name)
    if sa is not None and sa.irsa_role_arn:
        role_arn = sa.irsa_role_arn
        trust = irsa_trust(inventory, role_arn, namespace, name)
        return ControllerRole(_arn(view, role_arn), "IRSA annotation", sa, trust)
    if association is not None:
        trust = association_trust(inventory, association)
        role_arn = association.role_arn
        return ControllerRole(_arn(view, role_arn), "Pod Identity association", sa, trust)
    if sa is None:
        return ControllerRole(
            None,
            "",
            None,
            why=f"{namespace}/{name} is not among the inputs: the controller's IRSA role or "
            "Pod Identity association is not known",
        )
    roles = {p.instance_role.arn if p.instance_role else None for p in placements}
    if len(roles) != 1 or None in roles:
        return ControllerRole(
            None,
            "",
            sa,
            why=f"{namespace}/{name} has no role of its own, and the instance role of the "
            "node the controller runs on is not known",
        )
    return ControllerRole(roles.pop(), f"node instance role (no role on {name})", sa)


def _arn(view: InventoryView, role_arn: str) -> str:
    role = view.role(role_arn)
    return role.arn if role is not None else role_arn
