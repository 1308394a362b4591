"""Which file system policy each file system has, once every input is read.

Several inputs may give a policy for the same file system. Load order never decides between
them:

- a policy read from ``<stem>_corrected<ext>`` supersedes the one read from ``<stem><ext>`` in
  the same folder: that is the file ``scan --fix`` writes next to the original
  (:func:`corrected_path`), and a re-scan of the folder checks the corrected policy, with a
  warning that the original is not evaluated;
- copies with the same content (the same answer saved twice) are one policy;
- any other two are an input problem naming both, and the file system's policy is unknown
  (contracts.md): neither is evaluated.

A bare policy document whose Resource names no file system belongs to the only file system
the inputs know, if there is exactly one.
"""

from __future__ import annotations

import contextlib
import os

from efs_doctor.model.aws import FileSystemPolicy
from efs_doctor.model.chain import class_file_system_id
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.model.volume_handle import VolumeHandleError, parse_volume_handle

CORRECTED_SUFFIX = "_corrected"


def corrected_path(path: str) -> str:
    """``aws/policy.json`` -> ``aws/policy_corrected.json``: where a fix writes the corrected
    policy, and the name that makes it supersede the original (:func:`settle_policies`)."""
    root, ext = os.path.splitext(path)
    return f"{root}{CORRECTED_SUFFIX}{ext or '.json'}"


def settle_policies(inventory: Inventory) -> None:
    """Attach bare policies, then settle file systems with several policies (module
    docstring). Called once, after every input is read."""
    _attach_bare_policies(inventory)
    for fs_id, found in list(inventory.policy_inputs.items()):
        if len(found) < 2:
            continue
        kept = _without_superseded(found, inventory.problems)
        kept = _without_copies(kept, inventory.problems)
        if len(kept) == 1:
            inventory.policies[fs_id] = kept[0]
            continue
        inventory.policies.pop(fs_id, None)
        others = " and ".join(str(p.source.location()) for p in kept[1:])
        inventory.problems.append(
            InputProblem(
                kept[0].source.location(),
                f"file system policy for {fs_id} conflicts with {others}: "
                f"{'neither' if len(kept) == 2 else 'none'} is used, so the file system's "
                "policy is unknown; keep only the one EFS has "
                "(aws efs describe-file-system-policy)",
            )
        )


def _without_superseded(
    found: list[FileSystemPolicy], problems: list[InputProblem]
) -> list[FileSystemPolicy]:
    by_path = {os.path.normpath(p.source.path): p for p in found if p.source.path}
    kept = []
    for policy in found:
        path = policy.source.path
        newer = by_path.get(os.path.normpath(corrected_path(path))) if path else None
        if newer is None:
            kept.append(policy)
            continue
        problems.append(
            InputProblem(
                newer.source.location(),
                f"file system policy for {policy.file_system_id}: this corrected policy "
                f"supersedes {policy.source.location()} (a <name>{CORRECTED_SUFFIX}.json "
                "next to its original replaces it); the original is not evaluated, and EFS "
                "keeps using it until the corrected one is applied",
                ProblemLevel.WARNING,
            )
        )
    return kept


def _without_copies(
    found: list[FileSystemPolicy], problems: list[InputProblem]
) -> list[FileSystemPolicy]:
    kept: list[FileSystemPolicy] = []
    for policy in found:
        same = next((k for k in kept if k.document == policy.document), None)
        if same is None:
            kept.append(policy)
            continue
        problems.append(
            InputProblem(
                policy.source.location(),
                f"file system policy for {policy.file_system_id}: the same as "
                f"{same.source.location()}; read once",
                ProblemLevel.DEBUG,
            )
        )
    return kept


def _attach_bare_policies(inventory: Inventory) -> None:
    """Attach policy documents whose Resource names no file system to the only one known."""
    pending = [key for key in inventory.policy_inputs if key.startswith("?")]
    if not pending:
        return
    known = set(inventory.file_systems)
    views = inventory.views()
    for pv in (pv for view in views for pv in view.persistent_volumes.values()):
        if pv.is_efs and pv.csi is not None:
            # the driver's handle grammar: a handle it refuses names no file system
            with contextlib.suppress(VolumeHandleError):
                known.add(parse_volume_handle(pv.csi.volume_handle).file_system_id)
    for view in views:
        for sc in view.storage_classes.values():
            fs_id = class_file_system_id(sc, view) if sc.is_efs else None
            if fs_id:
                known.add(fs_id)
    for key in pending:
        inventory.policies.pop(key, None)
        for policy in inventory.policy_inputs.pop(key):
            if len(known) == 1:
                fs_id = next(iter(known))
                inventory.add_policy(
                    FileSystemPolicy(
                        fs_id, policy.document, policy.text, policy.source, policy.text_source
                    )
                )
                continue
            inventory.unplaced_policies.append(policy)
            inventory.problems.append(
                InputProblem(
                    policy.source.location(),
                    "IAM policy document names no file system in its Resource and "
                    f"{'no' if not known else len(known)} file systems are known; "
                    "add the file system ARN to Resource; not checked (explain takes it as "
                    "the policy of the file system its error text is about)",
                    ProblemLevel.WARNING,
                )
            )
