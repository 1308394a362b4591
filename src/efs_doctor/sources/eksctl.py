"""eksctl ``ClusterConfig`` files (``apiVersion: eksctl.io/v1alpha5``), recognised by content.

What a config says about who the EFS CSI driver is becomes the objects the AWS CLI and
Kubernetes answers give once the cluster exists, so the engines read it the same way:

- ``iam.serviceAccounts``: the ServiceAccount eksctl creates, annotated
  ``eks.amazonaws.com/role-arn`` with its role (not with ``roleOnly``), and the role with the
  policies the entry attaches (``attachPolicyARNs``, ``attachPolicy``,
  ``wellKnownPolicies.efsCSIController``);
- ``iam.podIdentityAssociations``: a Pod Identity association (``eks
  list-pod-identity-associations`` shape) and, for a role eksctl creates, the role with the
  trust eksctl writes for EKS Pod Identity;
- ``addons`` named ``aws-efs-csi-driver``: ``serviceAccountRoleARN`` (or the role eksctl
  creates from ``wellKnownPolicies``/``attachPolicyARNs``) annotates both of the driver's
  service accounts (``sources/iac/helm.py``), ``podIdentityAssociations`` become associations;
- node groups' ``iam.instanceRoleARN`` and ``withAddonPolicies.efs``: the node role;
- node groups' ``securityGroups`` and ``subnets`` (through ``vpc.subnets``): a NodeGroup, where
  its nodes will run, for the network checks that have no Node to pair with.

Schema: https://eksctl.io/usage/schema/ (``pkg/apis/eksctl.io/v1alpha5/types.go``, ``iam.go``,
``addon.go`` of eksctl-io/eksctl at 99984adb6164ece593c0728523b7f497ea61d60e). A role eksctl
names at deploy time has no ARN before then: it gets a stand-in name, said once per role.
The config names no account; the role of a Pod Identity association is in the cluster's
account, so those tell it; else ARNs of roles eksctl creates have an empty account (unknown).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from efs_doctor.model.aws import EksCluster, NodeGroup, Subnet
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.sources.documents import Document
from efs_doctor.sources.iac.common import InventoryBuilder, placeholder_id, role_arn
from efs_doctor.sources.iac.helm import ADDON, ADDON_NAMESPACE, efs_csi_addon_service_accounts

# A key of vpc.subnets may be the zone itself (eksctl AZSubnetMappingFromMap) or an alias
# such as "private-one": only a key shaped like a zone name (us-west-2a, us-west-2-lax-1a) is
# taken for one.
_ZONE_NAME = re.compile(r"^[a-z]{2}(?:-[a-z0-9]+)+-\d+[a-z]$")
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
# The trust eksctl gives a role it creates for EKS Pod Identity (eksctl
# pkg/apis/eksctl.io/v1alpha5/iam.go, EKSServicePrincipalTrustStatement; EKS User Guide,
# https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html).
POD_IDENTITY_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    ],
}


def is_eksctl_config(data: Any) -> bool:
    return (
        isinstance(data, Mapping)
        and data.get("kind") == "ClusterConfig"
        and str(data.get("apiVersion", "")).startswith("eksctl.io/")
    )


@cache
def _well_known() -> dict[str, Any]:
    from efs_doctor.data import read_text

    policies = json.loads(read_text("eksctl_well_known_policies.json"))["Policies"]
    assert isinstance(policies, dict)
    return policies


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[tuple[int, Mapping[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class _Config:
    """One ClusterConfig being read."""

    def __init__(self, document: Document, inventory: Inventory) -> None:
        self.data: Mapping[str, Any] = document.data
        self.source = document.source
        self.builder = InventoryBuilder(inventory)
        metadata = _mapping(self.data.get("metadata"))
        self.cluster = _text(metadata.get("name")) or "cluster"
        self.region = _text(metadata.get("region"))
        self.account = self._cluster_account()
        # The cluster's OIDC issuer exists only once the cluster does. With iam.withOIDC
        # eksctl creates the provider and writes every IRSA trust against it, so a stand-in
        # issuer keeps those trusts true by construction (and checkable) before deploy.
        self.issuer: str | None = None
        if _mapping(self.data.get("iam")).get("withOIDC") is True:
            stand_in = placeholder_id("id", f"eksctl#{self.cluster}").split("-", 1)[1].upper()
            self.issuer = f"oidc.eks.{self.region or 'us-east-1'}.amazonaws.com/id/{stand_in}"

    def _cluster_account(self) -> str | None:
        """The cluster's account, when the config tells it: the role of a Pod Identity
        association is in the cluster's account (another account's role is its
        ``targetRoleARN``; https://docs.aws.amazon.com/eks/latest/userguide/pod-id-assign-target-role.html)."""
        entries = list(_items(_mapping(self.data.get("iam")).get("podIdentityAssociations")))
        for _, addon in _items(self.data.get("addons")):
            entries.extend(_items(addon.get("podIdentityAssociations")))
        accounts = set()
        for _, entry in entries:
            parts = str(entry.get("roleARN") or "").split(":")
            if len(parts) >= 6 and parts[2] == "iam" and len(parts[4]) == 12:
                accounts.add(parts[4])
        return accounts.pop() if len(accounts) == 1 else None

    def irsa_trust(self, namespace: str | None, name: str | None) -> Mapping[str, Any] | None:
        """The trust eksctl writes for an IRSA role (eksctl pkg/iam/oidc/api.go,
        MakeAssumeRolePolicyDocument*): the cluster's OIDC provider, ``aud`` sts.amazonaws.com,
        and ``sub`` the service account when the role is for one; None without OIDC."""
        if self.issuer is None:
            return None
        provider = f"arn:aws:iam::{self.account or ''}:oidc-provider/{self.issuer}"
        conditions = {f"{self.issuer}:aud": "sts.amazonaws.com"}
        if namespace and name:
            conditions[f"{self.issuer}:sub"] = f"system:serviceaccount:{namespace}:{name}"
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringEquals": conditions},
                }
            ],
        }

    def problem(self, path: tuple[str | int, ...], message: str, level: ProblemLevel) -> None:
        self.builder.problem(self.source.location(*path), message, level)

    # ---- roles ------------------------------------------------------------------------
    def role(
        self,
        path: tuple[str | int, ...],
        entry: Mapping[str, Any],
        *,
        arn_key: str,
        stand_in: str,
        trust: Mapping[str, Any] | None,
        policy_keys: tuple[str, str, str] = (
            "attachPolicyARNs",
            "attachPolicy",
            "wellKnownPolicies",
        ),
    ) -> str:
        """The role an entry names or has eksctl create; a role eksctl creates is added with
        the policies the entry attaches."""
        given = _text(entry.get(arn_key))
        if given is not None:
            return given
        name = _text(entry.get("roleName"))
        if name is None:
            name = stand_in
            self.problem(
                path,
                f"eksctl names this role at deploy time; {name} stands for it",
                ProblemLevel.DEBUG,
            )
        arn = role_arn(name, None, self.account)
        arns_key, inline_key, well_known_key = policy_keys
        raw: dict[str, Any] = {
            "RoleName": name,
            "Arn": arn,
            "AttachedManagedPolicies": [
                {"PolicyArn": a, "PolicyName": a.rsplit("/", 1)[-1]}
                for a in entry.get(arns_key) or ()
                if isinstance(a, str)
            ],
            "RolePolicyList": [],
        }
        if trust is not None:
            raw["AssumeRolePolicyDocument"] = trust
        inline = entry.get(inline_key)
        if isinstance(inline, Mapping):
            raw["RolePolicyList"].append({"PolicyName": inline_key, "PolicyDocument": inline})
        well_known = _mapping(entry.get(well_known_key))
        if well_known.get("efsCSIController") is True:
            vendored = _well_known()["efsCSIController"]
            raw["RolePolicyList"].append(
                {"PolicyName": vendored["PolicyName"], "PolicyDocument": vendored["Document"]}
            )
        boundary = _text(entry.get("permissionsBoundary") or entry.get("permissionsBoundaryARN"))
        if boundary is not None:
            raw["PermissionsBoundary"] = {"PermissionsBoundaryArn": boundary}
        self.builder.role(raw, self.source.sub(*path))
        return arn

    def service_account(
        self, path: tuple[str | int, ...], namespace: str, name: str, role: str | None
    ) -> None:
        metadata: dict[str, Any] = {"name": name, "namespace": namespace}
        if role is not None:
            metadata["annotations"] = {IRSA_ANNOTATION: role}
        manifest = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata}
        self.builder.kubernetes(manifest, self.source.sub(*path))

    def association(
        self, path: tuple[str | int, ...], namespace: str, service_account: str, role: str
    ) -> None:
        raw = {
            "clusterName": self.cluster,
            "namespace": namespace,
            "serviceAccount": service_account,
            "roleArn": role,
        }
        self.builder.pod_identity(raw, self.source.sub(*path))

    # ---- sections -----------------------------------------------------------------------
    def read(self) -> None:
        account = self.account or ""
        arn = f"arn:aws:eks:{self.region}:{account}:cluster/{self.cluster}" if self.region else None
        issuer = f"https://{self.issuer}" if self.issuer else None
        cluster = EksCluster(self.cluster, arn, issuer, None, None, None, self.source)
        self.builder.inventory.clusters.setdefault(self.cluster, cluster)
        iam = _mapping(self.data.get("iam"))
        for i, entry in _items(iam.get("serviceAccounts")):
            self.iam_service_account(("iam", "serviceAccounts", i), entry)
        for i, entry in _items(iam.get("podIdentityAssociations")):
            self.pod_identity(("iam", "podIdentityAssociations", i), entry)
        for i, addon in _items(self.data.get("addons")):
            if str(addon.get("name", "")).lower() == ADDON:
                self.efs_addon(("addons", i), addon)
        for key in ("nodeGroups", "managedNodeGroups"):
            for i, group in _items(self.data.get(key)):
                self.node_group((key, i), group)
                self.node_placement((key, i), group, managed=key == "managedNodeGroups")
        self.builder.finish()

    def iam_service_account(self, path: tuple[str | int, ...], entry: Mapping[str, Any]) -> None:
        metadata = _mapping(entry.get("metadata"))
        name = _text(metadata.get("name"))
        if name is None:
            self.problem(
                path, "service account without metadata.name; skipped", ProblemLevel.WARNING
            )
            return
        namespace = _text(metadata.get("namespace")) or "default"  # eksctl's default
        role = self.role(
            path,
            entry,
            arn_key="attachRoleARN",
            stand_in=f"eksctl-{self.cluster}-addon-iamserviceaccount-{namespace}-{name}",
            trust=self.irsa_trust(namespace, name),
        )
        if entry.get("roleOnly") is True:
            return  # eksctl creates the role only; the service account is someone else's
        self.service_account(path, namespace, name, role)

    def pod_identity(self, path: tuple[str | int, ...], entry: Mapping[str, Any]) -> None:
        namespace = _text(entry.get("namespace"))
        name = _text(entry.get("serviceAccountName"))
        if namespace is None or name is None:
            self.problem(
                path,
                "pod identity association without namespace or serviceAccountName; skipped",
                ProblemLevel.WARNING,
            )
            return
        role = self.role(
            path,
            entry,
            arn_key="roleARN",
            stand_in=f"eksctl-{self.cluster}-podidentityrole-{namespace}-{name}",
            trust=POD_IDENTITY_TRUST,
            policy_keys=("permissionPolicyARNs", "permissionPolicy", "wellKnownPolicies"),
        )
        self.association(path, namespace, name, role)
        if entry.get("createServiceAccount") is True:
            self.service_account(path, namespace, name, None)

    def efs_addon(self, path: tuple[str | int, ...], addon: Mapping[str, Any]) -> None:
        associations = _items(addon.get("podIdentityAssociations"))
        for i, entry in associations:
            where = (*path, "podIdentityAssociations", i)
            name = _text(entry.get("serviceAccountName"))
            if name is None:
                self.problem(
                    where, "association without serviceAccountName; skipped", ProblemLevel.WARNING
                )
                continue
            namespace = _text(entry.get("namespace")) or ADDON_NAMESPACE
            role = self.role(
                where,
                entry,
                arn_key="roleARN",
                stand_in=f"eksctl-{self.cluster}-addon-{ADDON}-{name}",
                trust=POD_IDENTITY_TRUST,
                policy_keys=("permissionPolicyARNs", "permissionPolicy", "wellKnownPolicies"),
            )
            self.association(where, namespace, name, role)
        if associations:
            return
        if addon.get("useDefaultPodIdentityAssociations") is True:
            self.problem(
                path,
                f"{ADDON}: the pod identity associations EKS recommends are created at "
                "deploy time; the driver's roles are not checked",
                ProblemLevel.WARNING,
            )
            return
        wants_role = (
            any(addon.get(k) for k in ("serviceAccountRoleARN", "attachPolicyARNs", "attachPolicy"))
            or _mapping(addon.get("wellKnownPolicies")).get("efsCSIController") is True
        )
        if not wants_role:
            return  # the add-on without a role: both service accounts carry no annotation
        role = self.role(
            path,
            addon,
            arn_key="serviceAccountRoleARN",
            stand_in=f"eksctl-{self.cluster}-addon-{ADDON}",
            # eksctl knows no service account of this add-on, so the trust names none
            # (eksctl pkg/actions/addon/create.go, getKnownServiceAccountLocation).
            trust=self.irsa_trust(None, None),
        )
        for manifest in efs_csi_addon_service_accounts(role):
            self.builder.kubernetes(manifest, self.source.sub(*path))

    def node_group(self, path: tuple[str | int, ...], group: Mapping[str, Any]) -> None:
        iam = _mapping(group.get("iam"))
        given = _text(iam.get("instanceRoleARN"))
        efs = _mapping(iam.get("withAddonPolicies")).get("efs") is True
        if given is None and not efs:
            return
        name = _text(group.get("name")) or str(path[-1])
        raw: dict[str, Any] = {
            "RoleName": (given or "").rsplit("/", 1)[-1]
            or _text(iam.get("instanceRoleName"))
            or f"eksctl-{self.cluster}-nodegroup-{name}-NodeInstanceRole",
            "RolePolicyList": [],
            "AttachedManagedPolicies": [
                {"PolicyArn": a, "PolicyName": a.rsplit("/", 1)[-1]}
                for a in iam.get("attachPolicyARNs") or ()
                if isinstance(a, str)
            ],
        }
        raw["Arn"] = given or role_arn(raw["RoleName"], None, self.account)
        if efs:
            vendored = _well_known()["nodeGroupEfs"]
            raw["RolePolicyList"].append(
                {"PolicyName": vendored["PolicyName"], "PolicyDocument": vendored["Document"]}
            )
        self.builder.role(raw, self.source.sub(*path))

    # ---- where nodes run ------------------------------------------------------------------
    def node_placement(
        self, path: tuple[str | int, ...], group: Mapping[str, Any], *, managed: bool
    ) -> None:
        """The node group's security groups and subnets as eksctl gives them to its nodes
        (eksctl ``pkg/cfn/builder/nodegroup.go`` addResourcesForSecurityGroups,
        ``managed_launch_template.go``; ``pkg/vpc/vpc.go`` SelectNodeGroupSubnets). Groups
        eksctl creates at deploy time (a node group's local group, the shared node group
        eksctl makes, the cluster security group of a new cluster) have no id yet: left out."""
        security = _mapping(group.get("securityGroups"))
        groups = [g for g in security.get("attachIDs") or () if isinstance(g, str) and g]
        vpc = _mapping(self.data.get("vpc"))
        shared = _text(vpc.get("sharedNodeSecurityGroup"))
        # withShared (default true) is not supported for managed node groups (types.go)
        if not managed and security.get("withShared") is not False and shared is not None:
            groups.append(shared)
        name = _text(group.get("name")) or str(path[-1])
        node_group = NodeGroup(
            name,
            self.cluster,
            tuple(dict.fromkeys(groups)),
            self.node_subnets(group),
            self.source.sub(*path),
        )
        self.builder.inventory.node_groups.setdefault(node_group.id, node_group)

    def node_subnets(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        """Ids of the subnets the nodes go in: ``subnets`` entries (a key of ``vpc.subnets``
        or a subnet id), else the subnets of ``availabilityZones``, else every subnet of the
        node group's kind (private with ``privateNetworking``, else public). Empty when any
        of them cannot be told, so a range covering the others never passes for all."""
        kinds = ("private", "public") if group.get("privateNetworking") is True else ("public",)
        subnets = _mapping(_mapping(self.data.get("vpc")).get("subnets"))
        own = [
            (("vpc", "subnets", kind, key), key, _mapping(spec))
            for kind in kinds
            for key, spec in _mapping(subnets.get(kind)).items()
        ]
        named = [e for e in group.get("subnets") or () if isinstance(e, str)]
        zones = [z for z in group.get("availabilityZones") or () if isinstance(z, str)]
        ids: list[str] = []
        if named:
            for entry in named:
                # by key, else by id (eksctl pkg/vpc/vpc.go findInConfiguredVPC)
                found = next((o for o in own if entry in (o[1], o[2].get("id"))), None)
                subnet_id = self.subnet_id(*found) if found else None
                if subnet_id is None and entry.startswith("subnet-"):
                    subnet_id = entry
                if subnet_id is None:
                    return ()
                ids.append(subnet_id)
            return tuple(ids)
        if zones:  # an entry's zone is its az, else its key (eksctl AZSubnetMappingFromMap)
            own = [
                o for o in own if (_text(o[2].get("az")) or o[1]) in zones and o[0][2] == kinds[0]
            ]
        else:
            own = [o for o in own if o[0][2] == kinds[0]]
        for path, key, spec in own:
            subnet_id = self.subnet_id(path, key, spec)
            if subnet_id is None:
                return ()
            ids.append(subnet_id)
        return tuple(ids)

    def subnet_id(
        self, path: tuple[str | int, ...], key: str, spec: Mapping[str, Any]
    ) -> str | None:
        """A ``vpc.subnets`` entry's id; an entry giving its CIDR becomes a Subnet (with a
        stand-in id when eksctl creates it), unless the AWS answers already hold it."""
        cidr = _text(spec.get("cidr"))
        subnet_id = _text(spec.get("id"))
        if subnet_id is None and cidr is None:
            return None
        subnet_id = subnet_id or placeholder_id("subnet", f"eksctl#{self.cluster}#{key}")
        if cidr is not None and subnet_id not in self.builder.inventory.subnets:
            vpc_id = _text(_mapping(self.data.get("vpc")).get("id"))
            zone = _text(spec.get("az")) or (key if _ZONE_NAME.match(key) else None)
            self.builder.inventory.subnets[subnet_id] = Subnet(
                subnet_id, vpc_id, zone, None, cidr, self.source.sub(*path)
            )
        return subnet_id


def add_eksctl_document(document: Document, inventory: Inventory) -> None:
    """Add what an eksctl ClusterConfig says about the cluster's identities. Never raises
    for bad input: fields of the wrong type are skipped."""
    config = _Config(document, inventory)
    config.read()
    inventory.problems.append(
        InputProblem(
            document.source.location(),
            f"eksctl ClusterConfig {config.cluster}"
            + (f" ({config.region})" if config.region else ""),
            ProblemLevel.DEBUG,
        )
    )
