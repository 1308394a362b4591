"""Everything loaded (Kubernetes objects and AWS state), plus what could not be loaded and why.

An :class:`Inventory` is built once by :class:`InventoryBuilder` (in ``sources``) and is
read-only afterwards; its lookups are dictionaries keyed by the ids the chains follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from efs_doctor.model.aws import (
    AccessPoint,
    CallerIdentity,
    EksCluster,
    FileSystem,
    FileSystemPolicy,
    Instance,
    InstanceProfile,
    ManagedPolicy,
    MountTarget,
    NetworkAcl,
    NetworkInterface,
    NodeGroup,
    PodIdentityAssociation,
    Role,
    SecurityGroup,
    Subnet,
    Vpc,
    VpcDnsAttribute,
)
from efs_doctor.model.kubernetes import (
    ConfigMap,
    CSIDriver,
    DriverDeployment,
    Event,
    Node,
    PersistentVolume,
    PersistentVolumeClaim,
    ServiceAccount,
    StorageClass,
    Workload,
)
from efs_doctor.model.problems import InputProblem, ProblemLevel


@dataclass(slots=True)
class Inventory:
    # Kubernetes, keyed by name or "namespace/name"
    persistent_volumes: dict[str, PersistentVolume] = field(default_factory=dict)
    claims: dict[str, PersistentVolumeClaim] = field(default_factory=dict)
    storage_classes: dict[str, StorageClass] = field(default_factory=dict)
    workloads: list[Workload] = field(default_factory=list)
    service_accounts: dict[str, ServiceAccount] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    csi_drivers: dict[str, CSIDriver] = field(default_factory=dict)
    # Read for fileSystemIdConfigRef only; not counted among the objects (issue 16).
    config_maps: dict[str, ConfigMap] = field(default_factory=dict)
    driver_deployments: list[DriverDeployment] = field(default_factory=list)
    # AWS, keyed by id/ARN
    file_systems: dict[str, FileSystem] = field(default_factory=dict)
    policies: dict[str, FileSystemPolicy] = field(default_factory=dict)  # by file system id
    # Every policy read, by file system id in input order (add_policy); several for one file
    # system are settled by sources.file_system_policies, never by load order.
    policy_inputs: dict[str, list[FileSystemPolicy]] = field(default_factory=dict)
    # Policy documents whose Resource names no file system ("*", absent) when the inputs know
    # no single file system to attach them to: `explain` takes one as the policy of the file
    # system its text is about; nothing else evaluates them.
    unplaced_policies: list[FileSystemPolicy] = field(default_factory=list)
    mount_targets: dict[str, MountTarget] = field(default_factory=dict)
    mount_target_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # mt id -> sgs
    access_points: dict[str, AccessPoint] = field(default_factory=dict)
    security_groups: dict[str, SecurityGroup] = field(default_factory=dict)
    network_interfaces: dict[str, NetworkInterface] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)
    vpcs: dict[str, Vpc] = field(default_factory=dict)
    vpc_dns: dict[tuple[str, str], VpcDnsAttribute] = field(default_factory=dict)
    network_acls: dict[str, NetworkAcl] = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)  # by ARN
    managed_policies: dict[str, ManagedPolicy] = field(default_factory=dict)  # by ARN
    instance_profiles: dict[str, InstanceProfile] = field(default_factory=dict)  # by ARN
    clusters: dict[str, EksCluster] = field(default_factory=dict)
    pod_identity_associations: list[PodIdentityAssociation] = field(default_factory=list)
    node_groups: dict[str, NodeGroup] = field(default_factory=dict)  # by NodeGroup.id
    caller: CallerIdentity | None = None
    # What was read and what went wrong
    files: list[str] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    aws_sections: set[str] = field(default_factory=set)  # which AWS answers were provided
    # sections of which an answer could not be read whole (a listing that is not a list):
    # what it held is unknown, so the section does not count as provided
    aws_unreadable: set[str] = field(default_factory=set)
    # The context these project objects belong to: a PATH argument, a rendered Kustomize
    # root or Helm chart. With several, ``contexts`` holds one inventory per context, each
    # sharing this one's AWS and cluster objects, and this one's project fields stay empty.
    context: str = ""
    # the PATH argument the context was found under (a rendered unit: the directory
    # argument holding it): one repository, whose contexts share StorageClasses defined once
    argument: str = ""
    contexts: list[Inventory] = field(default_factory=list)
    # objects defined more than once in this context (the last definition is used)
    duplicates: int = 0
    # Kustomize roots and Helm charts not rendered whole (no renderer, a renderer error, a
    # remote base not fetched), by name, with why: the scan is incomplete
    unrendered: dict[str, str] = field(default_factory=dict)

    def new_context(self, name: str, argument: str = "") -> Inventory:
        """An inventory for the context ``name``: its own project objects (what a project
        ships links only within its context, docs/contracts.md "Contexts"), and every other
        field (AWS answers, Nodes, CSIDrivers, the driver's deployments, events, files,
        problems) this inventory's own: what an account or a cluster has once."""
        return replace(
            self,
            persistent_volumes={},
            claims={},
            storage_classes={},
            workloads=[],
            service_accounts={},
            config_maps={},
            context=name,
            argument=argument or name,
            contexts=[],
            duplicates=0,
        )

    def views(self) -> list[Inventory]:
        """One inventory per context, each complete for the engines (its project objects
        and the shared ones); this inventory itself when there is one context."""
        return self.contexts or [self]

    def add_policy(self, policy: FileSystemPolicy) -> None:
        """A file system policy read from the inputs; the first for its file system stands
        until ``sources.file_system_policies.settle_policies`` has seen them all."""
        self.policy_inputs.setdefault(policy.file_system_id, []).append(policy)
        self.policies.setdefault(policy.file_system_id, policy)

    # ---- questions the engines ask -------------------------------------------------
    @property
    def errors(self) -> list[InputProblem]:
        return [p for p in self.problems if p.level is ProblemLevel.ERROR]

    @property
    def object_count(self) -> int:
        return (
            sum(_project_count(view) for view in self.views())
            + _service_account_count(self.views())
            + len(self.nodes)
            + len(self.events)
            + len(self.csi_drivers)
            + len(self.file_systems)
            + len(self.policies)
            + len(self.unplaced_policies)
            + len(self.mount_targets)
            + len(self.access_points)
            + len(self.security_groups)
            + len(self.network_interfaces)
            + len(self.subnets)
            + len(self.vpcs)
            + len(self.vpc_dns)
            + len(self.network_acls)
            + len(self.instances)
            + len(self.roles)
            + len(self.managed_policies)
            + len(self.instance_profiles)
            + len(self.clusters)
            + len(self.pod_identity_associations)
            + len(self.node_groups)
            + (1 if self.caller else 0)
        )

    @property
    def is_empty(self) -> bool:
        """Nothing to check: no object, and no unit that could not be rendered (which is
        an input that leaves the scan incomplete, not an absent one)."""
        return self.object_count == 0 and not self.unrendered

    def has(self, section: str) -> bool:
        """Whether AWS answers of this kind were among the inputs (e.g. "security-groups"),
        each read whole: only then does an object missing from them not exist."""
        return section in self.aws_sections and section not in self.aws_unreadable

    def mount_targets_of(self, file_system_id: str) -> list[MountTarget]:
        return [mt for mt in self.mount_targets.values() if mt.file_system_id == file_system_id]

    def security_groups_of_mount_target(self, mount_target: MountTarget) -> tuple[str, ...] | None:
        """The mount target's security groups: from describe-mount-target-security-groups or
        from its network interface. None when neither was provided."""
        groups = self.mount_target_groups.get(mount_target.id)
        if groups is not None:
            return groups
        eni = self.network_interfaces.get(mount_target.network_interface_id or "")
        return eni.group_ids if eni is not None else None

    def default_storage_class(self) -> StorageClass | None:
        defaults = [sc for sc in self.storage_classes.values() if sc.is_default]
        return defaults[0] if len(defaults) == 1 else None

    def service_account(self, namespace: str, name: str) -> ServiceAccount | None:
        return self.service_accounts.get(f"{namespace}/{name}")

    def vpc_dns_value(self, vpc_id: str, attribute: str) -> bool | None:
        found = self.vpc_dns.get((vpc_id, attribute))
        return found.value if found is not None else None

    def instance_of_node(self, node: Node) -> Instance | None:
        if node.instance_id and node.instance_id in self.instances:
            return self.instances[node.instance_id]
        for instance in self.instances.values():
            if instance.private_dns_name and instance.private_dns_name == node.name:
                return instance
        return None

    def role_of_instance_profile(self, profile_arn: str) -> Role | None:
        profile = self.instance_profiles.get(profile_arn)
        role_arns: Iterable[str] = profile.role_arns if profile is not None else ()
        for arn in role_arns:
            if arn in self.roles:
                return self.roles[arn]
        for role in self.roles.values():
            if profile_arn in role.instance_profile_arns:
                return role
        return None

    def role_by_name_or_arn(self, value: str) -> Role | None:
        if value in self.roles:
            return self.roles[value]
        name = value.rsplit("/", 1)[-1]
        return next((r for r in self.roles.values() if r.name == name), None)

    def pod_identity_association(
        self, namespace: str, service_account: str
    ) -> PodIdentityAssociation | None:
        """The EKS Pod Identity association of ``namespace/service_account`` (at most one per
        service account)."""
        for association in self.pod_identity_associations:
            if (
                association.namespace == namespace
                and association.service_account == service_account
            ):
                return association
        return None

    def pod_identity_role(self, namespace: str, service_account: str) -> str | None:
        association = self.pod_identity_association(namespace, service_account)
        return association.role_arn if association is not None else None

    def events_for(self, kind: str, key: str) -> list[Event]:
        return [e for e in self.events if e.involved_kind == kind and e.involved_key == key]

    def summary(self) -> Mapping[str, int]:
        views = self.views()
        counts = {
            "PersistentVolume": sum(len(v.persistent_volumes) for v in views),
            "PersistentVolumeClaim": sum(len(v.claims) for v in views),
            "StorageClass": sum(len(v.storage_classes) for v in views),
            "Workload": sum(len(v.workloads) for v in views),
            "ServiceAccount": _service_account_count(views),
            "Node": len(self.nodes),
            "Event": len(self.events),
            "CSIDriver": len(self.csi_drivers),
            "FileSystem": len(self.file_systems),
            "FileSystemPolicy": len(self.policies) + len(self.unplaced_policies),
            "MountTarget": len(self.mount_targets),
            "AccessPoint": len(self.access_points),
            "SecurityGroup": len(self.security_groups),
            "NetworkInterface": len(self.network_interfaces),
            "Subnet": len(self.subnets),
            "Vpc": len(self.vpcs),
            "VpcAttribute": len(self.vpc_dns),
            "NetworkAcl": len(self.network_acls),
            "Instance": len(self.instances),
            "Role": len(self.roles),
            "ManagedPolicy": len(self.managed_policies),
            "InstanceProfile": len(self.instance_profiles),
            "EksCluster": len(self.clusters),
            "PodIdentityAssociation": len(self.pod_identity_associations),
            "NodeGroup": len(self.node_groups),
            "CallerIdentity": 1 if self.caller else 0,
        }
        return {k: v for k, v in counts.items() if v}


def _project_count(inventory: Inventory) -> int:
    return (
        len(inventory.persistent_volumes)
        + len(inventory.claims)
        + len(inventory.storage_classes)
        + len(inventory.workloads)
    )


def _service_account_count(views: list[Inventory]) -> int:
    """Service accounts, the driver's (in every context) counted once."""
    if len(views) == 1:
        return len(views[0].service_accounts)
    return len({id(sa) for view in views for sa in view.service_accounts.values()})
