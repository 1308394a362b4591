"""What the Terraform and CloudFormation readers share: labelled source maps, stand-in ids for
values not known before deploy, and :class:`InventoryBuilder`, which turns AWS-CLI-shaped and
Kubernetes documents into model objects exactly as the snapshot and manifest loaders do.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from efs_doctor.engine.iam import file_systems as arns
from efs_doctor.model.aws import (
    AccessPoint,
    CallerIdentity,
    FileSystem,
    FileSystemPolicy,
    ManagedPolicy,
    MountTarget,
    PodIdentityAssociation,
    Role,
    SecurityGroup,
    Subnet,
    Vpc,
)
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.model.source import LIVE, FieldPath, Location, Marks, SourceMap
from efs_doctor.sources.documents import Document
from efs_doctor.sources.iac.source_map import IacSourceMap
from efs_doctor.sources.manifests import add_kubernetes_document

Position = tuple[int, int]
Fields = Mapping[tuple[Any, ...], tuple[Any, ...]]
"""Model field path -> IaC input path (loosely typed so literal tuples fit)."""


def mapped_source(
    path: str | None,
    origin: Position | None,
    address: str,
    fields: Fields,
    position: Callable[[FieldPath], Position | None],
) -> IacSourceMap:
    """A source map for one model object: ``fields`` maps the object's own field paths (as the
    model reads them, e.g. ``("spec", "csi", "volumeHandle")``) to paths in the IaC input,
    which ``position`` turns into line/column when a finding asks (never before)."""

    def marks() -> Marks:
        found: dict[FieldPath, Position] = {}
        if origin is not None:
            found[()] = origin
        for model_path, input_path in fields.items():
            where = position(input_path)
            if where is not None:
                found[model_path] = where
        return found

    line, column = origin if origin is not None else (None, None)
    return IacSourceMap(path, line, column, _loader=marks, address=address)


def placeholder_id(prefix: str, key: str) -> str:
    """A stand-in id for a resource whose id is known only after deploy.

    It has the shape of a real id (``fs-`` + 17 lower-case hex, like the ids EFS and EC2 hand
    out) so the volume-handle grammar accepts it, starts with eight zeros so a reader sees it is
    not real, and is derived from the IaC address, so every reference to the same resource gets
    the same id and runs are reproducible.
    """
    import hashlib  # here: only IaC inputs need it, and it costs every start-up 3 ms

    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{prefix}-00000000{digest[:9]}"


def is_placeholder(value: str) -> bool:
    head, _, tail = value.partition("-")
    return bool(head) and tail.startswith("00000000") and len(tail) == 17


def file_system_arn(fs_id: str, region: str | None, account: str | None) -> str:
    """The ARN of a file system a template creates: an unknown region or account is ``*``,
    which matches itself in a policy's Resource."""
    return arns.file_system_arn(fs_id, region or "*", account or "*")


def access_point_arn(ap_id: str, region: str | None, account: str | None) -> str:
    return arns.access_point_arn(ap_id, region or "*", account or "*")


def role_arn(name: str, path: str | None, account: str | None, partition: str = "aws") -> str:
    """``arn:<partition>:iam::<account>:role<path><name>`` (IAM identifiers reference). An
    unknown account is left empty, so ``Role.account`` reads as unknown rather than wrong."""
    prefix = path if path and path.startswith("/") and path.endswith("/") else "/"
    return f"arn:{partition}:iam::{account or ''}:role{prefix}{name}"


@dataclass(slots=True)
class _PendingGroup:
    raw: dict[str, Any]
    source: SourceMap


@dataclass(slots=True)
class _PendingRole:
    raw: dict[str, Any]
    source: SourceMap


@dataclass(slots=True)
class InventoryBuilder:
    """Collects documents read from one IaC input and adds them to the inventory at the end
    (security group rules and role policies arrive as separate resources).

    It records no ``Inventory.aws_sections``: a plan or template describes the resources it
    manages, not all that exist (an access point, a mount target or a role made elsewhere is
    simply not in it), so "not among the inputs" stays unknown rather than "does not
    exist"."""

    inventory: Inventory
    groups: dict[str, _PendingGroup] = field(default_factory=dict)
    roles: dict[str, _PendingRole] = field(default_factory=dict)  # by role name
    loose_rules: list[tuple[str, str, dict[str, Any], SourceMap]] = field(default_factory=list)
    loose_policies: list[tuple[str, str, Mapping[str, Any], SourceMap]] = field(
        default_factory=list
    )
    loose_attachments: list[tuple[str, str, SourceMap]] = field(default_factory=list)
    # Objects a rule or policy of which could not be read: left out whole, since a group
    # missing a rule or a role missing a policy would be narrower than the real one.
    incomplete: dict[str, tuple[Location, str]] = field(default_factory=dict)
    policies_added: int = 0

    @property
    def problems(self) -> list[InputProblem]:
        return self.inventory.problems

    def problem(self, location: Location, message: str, level: ProblemLevel) -> None:
        self.inventory.problems.append(InputProblem(location, message, level))

    # ---- AWS objects, in the shapes the AWS CLI prints ------------------------------
    def file_system(self, raw: Mapping[str, Any], source: SourceMap) -> None:
        fs, found = FileSystem.from_raw(raw, source)
        self.problems.extend(found)
        if fs.id:
            self.inventory.file_systems[fs.id] = fs

    def policy(
        self, fs_id: str, document: Mapping[str, Any] | None, text: str | None, source: SourceMap
    ) -> None:
        """A file system policy; ``document=None`` is a known absence (default policy)."""
        self.policies_added += 1
        if document is not None and text is None:
            text = json.dumps(document, indent=2)
        self.inventory.add_policy(FileSystemPolicy(fs_id, document, text, source))

    def mount_target(
        self, raw: Mapping[str, Any], groups: tuple[str, ...] | None, source: SourceMap
    ) -> None:
        mt, found = MountTarget.from_raw(raw, source)
        self.problems.extend(found)
        if mt.id:
            self.inventory.mount_targets[mt.id] = mt
            if groups is not None:
                self.inventory.mount_target_groups[mt.id] = groups

    def access_point(self, raw: Mapping[str, Any], source: SourceMap) -> None:
        ap, found = AccessPoint.from_raw(raw, source)
        self.problems.extend(found)
        if ap.id:
            self.inventory.access_points[ap.id] = ap

    def security_group(self, raw: dict[str, Any], source: SourceMap) -> None:
        """``raw`` in describe-security-groups shape; rules from separate resources are added
        with :meth:`security_group_rule` before :meth:`finish`."""
        group_id = str(raw.get("GroupId") or "")
        if group_id:
            self.groups[group_id] = _PendingGroup(raw, source)

    def security_group_rule(
        self, group_id: str, direction: str, permission: dict[str, Any], source: SourceMap
    ) -> None:
        self.loose_rules.append((group_id, direction, permission, source))

    def subnet(self, raw: Mapping[str, Any], source: SourceMap) -> None:
        subnet, found = Subnet.from_raw(raw, source)
        self.problems.extend(found)
        if subnet.id:
            self.inventory.subnets[subnet.id] = subnet

    def vpc(self, raw: Mapping[str, Any], source: SourceMap) -> None:
        vpc, found = Vpc.from_raw(raw, source)
        self.problems.extend(found)
        if vpc.id:
            self.inventory.vpcs[vpc.id] = vpc

    def role(self, raw: dict[str, Any], source: SourceMap) -> None:
        """``raw`` in get-account-authorization-details RoleDetail shape."""
        name = str(raw.get("RoleName") or "")
        if name:
            self.roles[name] = _PendingRole(raw, source)

    def role_policy(
        self, role: str, name: str, document: Mapping[str, Any], source: SourceMap
    ) -> None:
        self.loose_policies.append((role, name, document, source))

    def role_attachment(self, role: str, policy_arn: str, source: SourceMap) -> None:
        self.loose_attachments.append((role, policy_arn, source))

    def managed_policy(
        self, arn: str, name: str | None, document: Mapping[str, Any] | None, source: SourceMap
    ) -> None:
        self.inventory.managed_policies[arn] = ManagedPolicy(arn, name, document, source)

    def pod_identity(self, raw: Mapping[str, Any], source: SourceMap) -> None:
        association, found = PodIdentityAssociation.from_raw(raw, source)
        self.problems.extend(found)
        self.inventory.pod_identity_associations.append(association)

    def caller(self, account: str, arn: str | None, source: SourceMap) -> None:
        if self.inventory.caller is None:
            self.inventory.caller = CallerIdentity(account, arn, source)

    def mark_incomplete(self, key: str, location: Location, reason: str) -> None:
        """Leave out the security group (by id) or role (by name) ``key``; ``"*sg"`` / ``"*role"``
        leave out every security group / role of this input."""
        self.incomplete.setdefault(key, (location, reason))

    def _left_out(self, key: str, wildcard: str, what: str) -> bool:
        found = self.incomplete.get(key) or self.incomplete.get(wildcard)
        if found is None:
            return False
        location, reason = found
        self.problem(location, f"{what} not checked: {reason}", ProblemLevel.WARNING)
        return True

    # ---- Kubernetes objects ----------------------------------------------------------
    def kubernetes(self, raw: Mapping[str, Any], source: SourceMap) -> None:
        add_kubernetes_document(Document(raw, source), self.inventory, self.problems)

    # ---- the end ---------------------------------------------------------------------
    def finish(self) -> None:
        self._finish_groups()
        self._finish_roles()

    def _finish_groups(self) -> None:
        for group_id, direction, permission, source in self.loose_rules:
            reversed_rule = self._points_the_wrong_way(group_id, direction, permission)
            if reversed_rule is not None:
                self.problem(source.location(), reversed_rule, ProblemLevel.WARNING)
            pending = self.groups.get(group_id)
            if pending is None:
                self.problem(
                    source.location(),
                    f"security group rule for {group_id}, which is not among the inputs; "
                    "the rule is not applied",
                    ProblemLevel.WARNING,
                )
                continue
            key = "IpPermissions" if direction == "ingress" else "IpPermissionsEgress"
            pending.raw.setdefault(key, []).append(permission)
        for group_id, pending in self.groups.items():
            if self._left_out(group_id, "*sg", f"security group {group_id}"):
                continue
            group, found = SecurityGroup.from_raw(pending.raw, pending.source)
            self.problems.extend(found)
            self.inventory.security_groups[group_id] = group

    def _points_the_wrong_way(
        self, group_id: str, direction: str, permission: dict[str, Any]
    ) -> str | None:
        """A standalone ingress rule that admits TCP 2049 *from* a mount target's security
        group into another group: NFS connections go from the node to the mount target, so it
        is the mount target's group that must admit TCP 2049 from the nodes (EFS User Guide,
        https://docs.aws.amazon.com/efs/latest/ug/network-access.html); this rule admits
        nothing a mount needs. Said instead of dropping it silently."""
        if direction != "ingress":
            return None
        efs_groups = {g for groups in self.inventory.mount_target_groups.values() for g in groups}
        if not efs_groups or group_id in efs_groups:
            return None
        parsed, _ = SecurityGroup.from_raw(
            {"GroupId": group_id, "IpPermissions": [permission]}, LIVE
        )
        rule = parsed.ingress[0] if parsed.ingress else None
        if rule is None or not rule.covers_tcp_port(2049):
            return None
        sources = [g for g in rule.group_ids if g in efs_groups]
        if not sources:
            return None
        return (
            f"this rule admits TCP 2049 into {group_id} from {sources[0]}, the mount targets' "
            "security group: it points the wrong way (NFS connects from the nodes to the mount "
            f"targets, so {sources[0]} must admit TCP 2049 from the nodes' group or subnets)"
        )

    def _finish_roles(self) -> None:
        for role_name, name, document, source in self.loose_policies:
            pending = self.roles.get(role_name)
            if pending is None:
                self._missing_role(role_name, source)
                continue
            pending.raw.setdefault("RolePolicyList", []).append(
                {"PolicyName": name, "PolicyDocument": document}
            )
        for role_name, policy_arn, source in self.loose_attachments:
            pending = self.roles.get(role_name)
            if pending is None:
                self._missing_role(role_name, source)
                continue
            pending.raw.setdefault("AttachedManagedPolicies", []).append(
                {"PolicyArn": policy_arn, "PolicyName": policy_arn.rsplit("/", 1)[-1]}
            )
        for name, pending in self.roles.items():
            if self._left_out(name, "*role", f"IAM role {name}"):
                continue
            role, found = Role.from_raw(pending.raw, pending.source)
            self.problems.extend(found)
            if role.arn:
                self.inventory.roles[role.arn] = role
            for arn in role.attached_policy_arns:
                self._add_vendored(arn, pending.source)

    def _add_vendored(self, arn: str, source: SourceMap) -> None:
        from efs_doctor.sources.iac.managed_policies import aws_managed_policy

        if arn in self.inventory.managed_policies:
            return
        vendored = aws_managed_policy(arn)
        if vendored is not None:
            self.inventory.managed_policies[arn] = vendored

    def _missing_role(self, role: str, source: SourceMap) -> None:
        self.problem(
            source.location(),
            f"policy for IAM role {role}, which is not among the inputs; not applied",
            ProblemLevel.DEBUG,
        )
