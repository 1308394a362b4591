"""A ``volumeAttributes`` key or value the EFS CSI driver rejects, including the ``path``
attribute removed in driver v3.0.0.

What it checks
--------------
Each key of an EFS PV's ``spec.csi.volumeAttributes`` against the keys the node plugin
honours (``encryptInTransit``, ``mounttargetip``, ``mounttargetipmap``, ``crossaccount``,
``storage.kubernetes.io/csiProvisionerIdentity``; case-insensitive), and the values of the
boolean and IP address ones. ``path`` is accepted (deprecated) before driver v3.0.0: with an
older driver loaded it is reported as deprecated instead of rejected.

Why it breaks mounts
--------------------
NodePublishVolume walks the attributes first and fails with ``InvalidArgument``: ``Volume
context property <key> not supported.`` for an unknown key, ``... must be a boolean value``
for a bad ``encryptInTransit``/``crossaccount`` and, from v3.0.1, ``... is not a valid IP
address`` for a bad ``mounttargetip`` (efs-semantics.md §3.3). ``az`` is not an attribute:
it belongs in ``mountOptions`` (``az=us-east-1a``).

Example
-------
::

    csi:
      volumeHandle: fs-0123456789abcdef0
      volumeAttributes:
        path: /data                # removed in v3.0.0

Use instead
-----------
A sub-path goes in the handle: ``volumeHandle: fs-0123456789abcdef0:/data``. An availability
zone goes in ``mountOptions`` as ``az=<zone>``.

Limits
------
When the driver version is not among the inputs, the current driver (v3.x) is assumed.

Fix safety
----------
Safe for ``path``: moving it into the handle mounts the same directory. No fix for other keys.

References
----------
- efs-semantics.md §3.3 (attributes honoured), §7 rows 29-30
- kubernetes-sigs/aws-efs-csi-driver ``pkg/driver/node.go``; ``CHANGELOG-3.x.md`` (v3.0.0
  removes ``path``)
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.options import volume_attribute_rejections
from efs_doctor.findings import Confidence, Fix, FixSafety, Severity
from efs_doctor.model.kubernetes import PersistentVolume
from efs_doctor.model.volume_handle import VolumeHandleError, parse_volume_handle
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import kubelet_error, volume_chain_label, volume_subjects, yaml_edit

META = RuleMeta(
    code="CSI007",
    slug="unsupported-volume-attribute",
    summary="volumeAttributes key or value the CSI driver rejects (incl. removed `path`)",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="volume-attributes-invalid",
)


def check(context: Context) -> Iterator[Result]:
    # Which keys and values the driver accepts is the mount engine's (engine/mount/options.py),
    # for the driver version the simulation runs under.
    for pv in context.efs_volumes():
        assert pv.csi is not None
        rejections = volume_attribute_rejections(pv.csi.volume_attributes, context.versions)
        for rejection in rejections:
            key = rejection.field
            value = pv.csi.volume_attributes[key]
            detail = ""
            fix = None
            if key.lower() == "path":
                detail = " (`path` was removed in driver v3.0.0; put the sub-path in the handle)"
                fix = _path_fix(pv, key, value)
            elif key.lower() == "az":
                detail = " (`az` is a mount option: add `az=<zone>` to mountOptions)"
            elif "[" in value or "<" in value:
                detail = " (a documentation placeholder left in the manifest)"
            yield META.finding(
                f"PV {pv.name}: volume attribute {key}={value!r} is rejected by the CSI "
                f"driver {context.versions.csi_driver}{detail}",
                at(pv, "spec", "csi", "volumeAttributes", key),
                expected_error=kubelet_error(pv.name, rejection.code, rejection.message),
                fix=fix,
                chain=volume_chain_label(context, pv),
                subjects=volume_subjects(context, pv),
            )


def _path_fix(pv: PersistentVolume, key: str, value: str) -> Fix | None:
    assert pv.csi is not None
    try:
        handle = parse_volume_handle(pv.csi.volume_handle)
    except VolumeHandleError:
        return None
    if handle.subpath != "/" or not value.startswith("/"):
        return None
    prefix = "efs:" if handle.prefixed else ""
    new_handle = f"{prefix}{handle.file_system_id}:{value}"
    if handle.access_point_id:
        new_handle += f":{handle.access_point_id}"
    edits = [
        yaml_edit(pv, "set", ("spec", "csi", "volumeHandle"), new_handle),
        yaml_edit(pv, "delete", ("spec", "csi", "volumeAttributes", key), ""),
    ]
    return Fix(
        f"move the path into the handle: {new_handle}",
        FixSafety.SAFE,
        tuple(e for e in edits if e is not None),
    )
