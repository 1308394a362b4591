"""Rendering of ``efs-doctor inventory``: loaded objects and resolved mount chains."""

from __future__ import annotations

from typing import Any

from efs_doctor.model.chain import MountChain, class_file_system_id
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.source import Location, SourceMap


def _where(source: SourceMap | None) -> str:
    if source is None or source.path is None:
        return "live"
    return str(Location(source.path, source.line))


def _location_json(source: SourceMap | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {"path": source.path, "line": source.line, "column": source.column}


def chain_steps(chain: MountChain, inventory: Inventory) -> list[tuple[str, str, SourceMap | None]]:
    """(kind, name, source) for each link of the chain, in mount order."""
    steps: list[tuple[str, str, SourceMap | None]] = []
    if chain.workload is not None:
        steps.append((chain.workload.kind, chain.workload.key, chain.workload.source))
    if chain.claim is not None:
        template = " (volumeClaimTemplate)" if chain.claim.is_template else ""
        steps.append(("PersistentVolumeClaim", chain.claim.key + template, chain.claim.source))
    if chain.volume is not None:
        handle = chain.volume.csi.volume_handle if chain.volume.csi else ""
        steps.append(("PersistentVolume", f"{chain.volume.name} ({handle})", chain.volume.source))
    elif chain.planned is not None:
        steps.append(("PersistentVolume", f"planned: {chain.planned.handle}", None))
    if chain.storage_class is not None:
        steps.append(("StorageClass", chain.storage_class.name, chain.storage_class.source))
    if chain.file_system_id:
        fs = chain.file_system
        steps.append(("FileSystem", chain.file_system_id, fs.source if fs else None))
    if chain.access_point_id:
        ap = chain.access_point
        steps.append(("AccessPoint", chain.access_point_id, ap.source if ap else None))
    if chain.policy is not None:
        label = "known absent (default policy)" if chain.policy.absent else "user-defined"
        steps.append(("FileSystemPolicy", label, chain.policy.source))
    for mt in chain.mount_targets:
        groups = chain.mount_target_groups.get(mt.id)
        group_text = ", ".join(groups) if groups is not None else "security groups not provided"
        steps.append(
            ("MountTarget", f"{mt.id} {mt.availability_zone_name} [{group_text}]", mt.source)
        )
        for group_id in groups or ():
            sg = inventory.security_groups.get(group_id)
            if sg is not None:
                steps.append(("SecurityGroup", f"{sg.id} ({sg.name})", sg.source))
    if chain.node_service_account is not None:
        sa = chain.node_service_account
        role = sa.irsa_role_arn or "no IRSA role"
        steps.append(("ServiceAccount", f"{sa.key} ({role})", sa.source))
    return steps


def inventory_text(
    inventory: Inventory, chains: list[MountChain], contexts: list[str | None] | None = None
) -> str:
    """``contexts``: each chain's context, shown when there are several."""
    named = contexts if contexts is not None else [None] * len(chains)
    several = len(set(named)) > 1
    lines = [f"Loaded {len(inventory.files)} file(s), {inventory.object_count} object(s):"]
    for kind, count in inventory.summary().items():
        lines.append(f"  {kind:<24} {count}")
    lines.append("")
    lines.append(f"Mount chains: {len(chains)}")
    for index, (chain, context) in enumerate(zip(chains, named, strict=True), 1):
        where = f"  (in {context})" if several and context else ""
        lines.append(f"\n[{index}] {chain.label}{where}")
        steps = chain_steps(chain, inventory)
        for depth, (kind, name, source) in enumerate(steps):
            arrow = "  " + ("-> " if depth else "   ")
            lines.append(f"{arrow}{kind} {name}  @ {_where(source) if source else 'not loaded'}")
        if chain.handle_error:
            lines.append(f"   ! {chain.handle_error}")
        lines.extend(f"   note: {note}" for note in chain.notes)
    classes = [sc for sc in inventory.storage_classes.values() if sc.is_efs]
    if not chains and classes:
        listed = ", ".join(
            f"{sc.name} (file system {class_file_system_id(sc, inventory) or 'not known'})"
            for sc in classes
        )
        lines.append(f"  (no claim or PV uses the EFS StorageClasses: {listed})")
    elif not chains:
        lines.append("  (no EFS volumes found: no PV or StorageClass uses efs.csi.aws.com)")
    return "\n".join(lines) + "\n"


def inventory_json(
    inventory: Inventory, chains: list[MountChain], contexts: list[str | None] | None = None
) -> dict[str, Any]:
    named = contexts if contexts is not None else [None] * len(chains)
    return {
        "schema_version": 1,
        "files": inventory.files,
        "objects": dict(inventory.summary()),
        "problems": [
            {
                "path": p.location.path,
                "line": p.location.line,
                "column": p.location.column,
                "level": p.level.value,
                "message": p.message,
            }
            for p in inventory.problems
        ],
        "chains": [
            {
                "context": context,
                "pod": chain.pod_key,
                "pvc": chain.claim_key,
                "pvc_is_template": chain.claim is not None and chain.claim.is_template,
                "pv": chain.volume_name,
                "planned": chain.planned is not None,
                "storage_class": chain.storage_class.name if chain.storage_class else None,
                "file_system_id": chain.file_system_id,
                "access_point_id": chain.access_point_id,
                "subpath": chain.handle.subpath if chain.handle else None,
                "volume_handle_error": chain.handle_error,
                "mount_targets": [
                    {
                        "id": mt.id,
                        "availability_zone": mt.availability_zone_name,
                        "security_groups": chain.mount_target_groups.get(mt.id),
                    }
                    for mt in chain.mount_targets
                ],
                "links": [
                    {"kind": kind, "name": name, "location": _location_json(source)}
                    for kind, name, source in chain_steps(chain, inventory)
                ],
                "notes": list(chain.notes),
            }
            for chain, context in zip(chains, named, strict=True)
        ],
    }
