"""``export admission-policy``: which file systems an admission policy must guard, and why.

Pure (no I/O). The answers are EFS's decisions as the mount engine's authorizer asks the IAM
engine for them (``engine.mount.authorization.Authorizer.client_access``, the same question
a simulated mount asks), for a client that reaches a mount target from inside the VPC
without an access point:

- **iam**: an anonymous client (no ``iam`` mount option) over TLS is denied ClientMount with
  the cause ``iam-option-missing`` (AUTH001's): the file system admits only IAM principals;
- **tls**: an anonymous client without TLS is denied with ``policy-secure-transport-no-tls``
  (AUTH004's): the policy denies ``aws:SecureTransport`` false.

A file system whose policy is not among the inputs, or whose answer is undecided, is not
guarded; :class:`Requirement` says why, for the header of the exported policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from efs_doctor.model.chain import is_efs_access_point_class
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.volume_handle import VolumeHandleError, parse_volume_handle

IAM_CAUSE = "iam-option-missing"  # causes.md; AUTH001 reports it
TLS_CAUSE = "policy-secure-transport-no-tls"  # causes.md; AUTH004 reports it


@dataclass(frozen=True, slots=True)
class Answer:
    """One requirement of one file system: ``needed`` (None: not decided) and why."""

    needed: bool | None
    reason: str


@dataclass(frozen=True, slots=True)
class Requirement:
    file_system_id: str
    iam: Answer
    tls: Answer
    policy_source: str  # where the policy was read, or why it is unknown


@dataclass(frozen=True, slots=True)
class AdmissionFacts:
    requirements: tuple[Requirement, ...]  # by file system id

    @property
    def iam_file_systems(self) -> tuple[str, ...]:
        return tuple(r.file_system_id for r in self.requirements if r.iam.needed)

    @property
    def tls_file_systems(self) -> tuple[str, ...]:
        return tuple(r.file_system_id for r in self.requirements if r.tls.needed)

    @property
    def undecided(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.iam.needed is None or r.tls.needed is None)


def file_systems_in(inventory: Inventory) -> list[str]:
    """Every file system the inputs name: described, with a policy, or used by a PV or an
    access point StorageClass; sorted."""
    found = set(inventory.file_systems) | set(inventory.policies)
    for pv in inventory.persistent_volumes.values():
        if pv.is_efs and pv.csi is not None:
            try:
                handle = parse_volume_handle(pv.csi.volume_handle)
            except VolumeHandleError:
                continue  # the driver refuses the volume anyway (CSI001)
            if handle.type == "efs":
                found.add(handle.file_system_id)
    for storage_class in inventory.storage_classes.values():
        fs_id = storage_class.parameters.get("fileSystemId")
        if is_efs_access_point_class(storage_class) and fs_id:
            found.add(fs_id)
    return sorted(found)


def _answer(status: str, cause: str | None, wanted: str, reason: str | None) -> Answer:
    if status == "failed":
        return Answer(cause == wanted, reason or "")
    if status == "ok":
        return Answer(False, "allowed")
    return Answer(None, reason or "undecided")


def admission_facts(inventory: Inventory) -> AdmissionFacts:
    from efs_doctor.engine.mount.authorization import Authorizer
    from efs_doctor.engine.mount.view import InventoryView

    authorizer = Authorizer(InventoryView(inventory))
    requirements = []
    for fs_id in file_systems_in(inventory):
        _parsed, known, description, _source = authorizer.file_system_policy(fs_id)
        if not known:
            unknown = Answer(None, description)
            requirements.append(Requirement(fs_id, unknown, unknown, description))
            continue
        answers = []
        for tls, wanted in ((True, IAM_CAUSE), (False, TLS_CAUSE)):
            decided = authorizer.client_access(
                fs_id, None, tls=tls, access_point=None, source_ip=None, region=None
            )
            answers.append(_answer(decided.status, decided.cause, wanted, decided.reason))
        requirements.append(Requirement(fs_id, answers[0], answers[1], description))
    return AdmissionFacts(tuple(requirements))
