"""Helpers rules share: where a chain's volume is defined, who may suppress a finding on it,
and the YAML edits common fixes are made of."""

from __future__ import annotations

from typing import TYPE_CHECKING

from efs_doctor.findings import Fix, FixSafety, Location, YamlEdit
from efs_doctor.model.chain import MountChain
from efs_doctor.model.kubernetes import PersistentVolume, PersistentVolumeClaim, StorageClass
from efs_doctor.rules.base import at, object_key

if TYPE_CHECKING:
    from efs_doctor.engine.analysis import Context


def chain_subjects(chain: MountChain) -> list[str]:
    """Object keys along the chain; an ignore annotation on any of them applies."""
    objects: list[object] = [
        o for o in (chain.workload, chain.claim, chain.volume, chain.storage_class) if o is not None
    ]
    return [object_key(o) for o in objects]


def volume_definition(chain: MountChain) -> PersistentVolume | StorageClass | None:
    """The object that defines the mount: the PV, or for a planned volume its class."""
    if chain.volume is not None:
        return chain.volume
    if chain.planned is not None:
        return chain.planned.storage_class
    return None


def mount_options_location(chain: MountChain) -> Location:
    """``spec.mountOptions`` of the PV when present, else its ``spec.csi`` (the line a
    reader looks at for how it mounts); for a planned volume, the class's mountOptions."""
    if chain.volume is not None:
        pv = chain.volume
        if pv.mount_options:
            return at(pv, "spec", "mountOptions")
        return at(pv, "spec", "nfs" if pv.nfs is not None else "csi")
    if chain.nfs is not None and chain.workload is not None and chain.pod_volume is not None:
        return at(chain.workload, *chain.pod_volume.field_path, "nfs")
    if chain.planned is not None:
        sc = chain.planned.storage_class
        return at(sc, "mountOptions") if sc.mount_options else at(sc, "metadata", "name")
    return Location(None, object="<unknown volume>")


def yaml_edit(
    obj: PersistentVolume | StorageClass | PersistentVolumeClaim,
    operation: str,
    field: tuple[str, ...],
    value: str | bool | int,
    new_value: str | None = None,
) -> YamlEdit | None:
    """An edit of ``obj`` in the YAML file it came from; None for objects read live, from
    stdin or from infrastructure as code (a ``.tf`` file or template is not YAML to edit)."""
    from efs_doctor.sources.iac.source_map import iac_source

    if obj.source.path is None or obj.source.path == "<stdin>" or iac_source(obj) is not None:
        return None
    assert operation in ("append", "set", "remove", "replace", "delete")
    return YamlEdit(
        path=obj.source.path,
        kind=obj.kind,
        name=obj.meta.name,
        namespace=obj.meta.namespace,
        operation=operation,  # type: ignore[arg-type]
        field=field,
        value=value,
        new_value=new_value,
    )


def mount_option_fix(
    chain: MountChain, option: str, title: str, safety: FixSafety = FixSafety.SAFE
) -> Fix | None:
    """Add ``option`` to the PV's mountOptions (or the planned volume's class). For an object
    read from IaC the change is shown in the IaC's terms (a ``.tf`` diff, or what to add to
    the template) and never applied by ``--fix``."""
    from efs_doctor.sources.iac.source_map import iac_source

    target = volume_definition(chain)
    if target is None:
        return None
    if iac_source(target) is not None:
        from efs_doctor.sources.iac import fixes as iac  # here: only IaC objects need it

        found = iac.mount_option_fix(target, option)
        if found is None:
            return None
        return Fix(f"{title} ({found.title})", safety, (), found.patch or found.snippet)
    field = ("spec", "mountOptions") if isinstance(target, PersistentVolume) else ("mountOptions",)
    edit = yaml_edit(target, "append", field, option)
    return Fix(title, safety, (edit,) if edit is not None else ())


def volume_subjects(context: Context, pv: PersistentVolume) -> list[str]:
    """The PV's key plus those of the objects of the chain that mounts it, if any."""
    chain = context.chain_of_volume(pv.name)
    return chain_subjects(chain) if chain is not None else [object_key(pv)]


def volume_chain_label(context: Context, pv: PersistentVolume) -> str:
    chain = context.chain_of_volume(pv.name)
    return chain.label if chain is not None else f"PV {pv.name}"


def kubelet_error(pv_name: str, code: str, message: str) -> str:
    """The FailedMount event text for an error the CSI node plugin returns (§3.9)."""
    return (
        f'MountVolume.SetUp failed for volume "{pv_name}" : rpc error: '
        f"code = {code} desc = {message}"
    )
