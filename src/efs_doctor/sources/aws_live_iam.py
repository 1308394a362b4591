"""The IAM roles that can mount, read live: whole account in one call, or role by role.

Roles that matter (efs-semantics.md §3.5): the IRSA roles annotated on the EFS CSI driver's
service accounts, the roles of its Pod Identity associations, and the roles of the node
instance profiles. ``GetAccountAuthorizationDetails`` answers for all of them in one or a
few pages; its answer is cut down to those roles and the managed policies attached to them
(or used as their permissions boundary). When it is denied, per-role ``Get``/``List`` calls
fetch the same facts and are assembled into the same shape (``RoleDetailList`` and
``Policies``), which the offline loader reads like the real answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from efs_doctor.sources.aws_calls import AwsCaller
    from efs_doctor.sources.live_records import Collection

AUTHORIZATION_FILE = "aws/iam/get-account-authorization-details.json"
ROLES_FILE = "aws/iam/roles-from-per-role-calls.json"


def role_name(arn: str) -> str:
    """``arn:aws:iam::123456789012:role/some/path/name`` -> ``name``."""
    return arn.rsplit("/", 1)[-1]


def _instance_profiles(instances: Iterable[Mapping[str, Any]]) -> set[str]:
    """The instance profile ARNs of ``instances`` (describe-instances items)."""
    return {
        str(i["IamInstanceProfile"]["Arn"])
        for i in instances
        if isinstance(i.get("IamInstanceProfile"), Mapping) and i["IamInstanceProfile"].get("Arn")
    }


def _policy_arns(roles: Iterable[Mapping[str, Any]]) -> set[str]:
    arns = set()
    for role in roles:
        for attached in role.get("AttachedManagedPolicies") or ():
            if attached.get("PolicyArn"):
                arns.add(str(attached["PolicyArn"]))
        boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if boundary:
            arns.add(str(boundary))
    return arns


def filter_authorization(
    answer: Mapping[str, Any], role_arns: set[str], profile_arns: set[str]
) -> dict[str, Any]:
    """The authorization details cut down to the roles that can mount."""
    names = {role_name(a) for a in role_arns}
    kept = []
    for role in answer.get("RoleDetailList") or ():
        profiles = {str(p.get("Arn")) for p in role.get("InstanceProfileList") or ()}
        if role.get("Arn") in role_arns or role.get("RoleName") in names or profiles & profile_arns:
            kept.append(role)
    wanted = _policy_arns(kept)
    policies = [p for p in answer.get("Policies") or () if p.get("Arn") in wanted]
    return {"RoleDetailList": kept, "Policies": policies}


def collect_roles(
    caller: AwsCaller,
    collection: Collection,
    pool: ThreadPoolExecutor,
    *,
    role_arns: set[str],
    instances: Iterable[Mapping[str, Any]],
    authorization: Mapping[str, Any] | None,
) -> None:
    """Add the roles that can mount to ``collection``: ``role_arns`` (IRSA, Pod Identity)
    and the roles of the ``instances``' profiles, from the ``authorization`` details when
    they were read, else by per-role calls."""
    profile_arns = _instance_profiles(instances)
    if not role_arns and not profile_arns:
        return
    if authorization is not None:
        collection.add_document(
            AUTHORIZATION_FILE, filter_authorization(authorization, role_arns, profile_arns)
        )
        return
    _PerRole(caller, collection, pool).run(role_arns, profile_arns)


class _PerRole:
    """The fallback: GetInstanceProfile, GetRole, List/GetRolePolicy, ListAttachedRolePolicies,
    GetPolicy and GetPolicyVersion, for the wanted roles only."""

    def __init__(self, caller: AwsCaller, collection: Collection, pool: ThreadPoolExecutor) -> None:
        self.call = caller.call
        self.collection = collection
        self.pool = pool
        self.profiles: list[Mapping[str, Any]] = []

    def run(self, role_arns: set[str], profile_arns: set[str]) -> None:
        profiles = [p for p in self.pool.map(self._profile, sorted(profile_arns)) if p]
        self.profiles = profiles
        names = {role_name(a) for a in role_arns}
        names |= {str(r.get("RoleName")) for p in profiles for r in p.get("Roles") or ()}
        roles = [r for r in self.pool.map(self._role, sorted(names)) if r]
        if not roles:
            return
        policies = [p for p in self.pool.map(self._policy, sorted(_policy_arns(roles))) if p]
        self.collection.add_document(ROLES_FILE, {"RoleDetailList": roles, "Policies": policies})

    def _profile(self, arn: str) -> Mapping[str, Any] | None:
        answer = self.call("iam", "GetInstanceProfile", arn, InstanceProfileName=role_name(arn))
        profile = answer.get("InstanceProfile") if isinstance(answer, dict) else None
        return profile if isinstance(profile, Mapping) else None

    def _role(self, name: str) -> dict[str, Any] | None:
        answer = self.call(
            "iam", "GetRole", name, expected=frozenset({"NoSuchEntity"}), RoleName=name
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("Role"), Mapping):
            return None
        role = dict(answer["Role"])
        role["RolePolicyList"] = self._inline(name)
        attached = self.call("iam", "ListAttachedRolePolicies", name, RoleName=name)
        if isinstance(attached, dict):
            role["AttachedManagedPolicies"] = list(attached.get("AttachedPolicies") or ())
        role["InstanceProfileList"] = [
            p for p in self.profiles if any(r.get("RoleName") == name for r in p.get("Roles") or ())
        ]
        return role

    def _inline(self, name: str) -> list[dict[str, Any]]:
        listed = self.call("iam", "ListRolePolicies", name, RoleName=name)
        if not isinstance(listed, dict):
            return []
        documents = []
        for policy_name in listed.get("PolicyNames") or ():
            got = self.call(
                "iam",
                "GetRolePolicy",
                f"{name} {policy_name}",
                RoleName=name,
                PolicyName=policy_name,
            )
            if isinstance(got, dict):
                documents.append(
                    {"PolicyName": policy_name, "PolicyDocument": got.get("PolicyDocument")}
                )
        return documents

    def _policy(self, arn: str) -> dict[str, Any] | None:
        got = self.call("iam", "GetPolicy", arn, PolicyArn=arn)
        policy = got.get("Policy") if isinstance(got, dict) else None
        if not isinstance(policy, Mapping):
            return None
        version_id = str(policy.get("DefaultVersionId") or "")
        version = self.call(
            "iam", "GetPolicyVersion", f"{arn} {version_id}", PolicyArn=arn, VersionId=version_id
        )
        detail = dict(policy)
        found = version.get("PolicyVersion") if isinstance(version, dict) else None
        if isinstance(found, Mapping):  # else the failed call is already an Inconclusive
            detail["PolicyVersionList"] = [{**found, "IsDefaultVersion": True}]
        return detail
