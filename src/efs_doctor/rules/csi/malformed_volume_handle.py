"""The PV's ``volumeHandle`` is not one the EFS CSI driver can parse: the mount is refused
before efs-utils runs.

What it checks
--------------
Every EFS PersistentVolume's ``spec.csi.volumeHandle`` against the driver's grammar
(``parseVolumeId``): ``[efs:]fs-<8-40 lower-case hex>[:<path>[:fsap-<8-40 lower-case hex>]]``.
The ``efs:`` prefix is understood from driver v3.0.0 on; when the loaded node DaemonSet runs an
older driver, a prefixed handle is reported too.

Why it breaks mounts
--------------------
The node plugin parses the handle first and answers ``InvalidArgument`` with the messages
quoted in the finding (efs-semantics.md §3.2): upper-case hex, a missing ``fs-``, more than
three (or four, with the prefix) ``:``-separated fields, or a template placeholder left in
the manifest never reach EFS.

Example
-------
::

    csi:
      driver: efs.csi.aws.com
      volumeHandle: fs-0123ABCD        # upper-case hex

Use instead
-----------
The id exactly as ``aws efs describe-file-systems`` prints it, optionally with a sub-path
and an access point: ``fs-0123abcd``, ``fs-0123abcd:/data``,
``fs-0123abcd::fsap-0123456789abcdef0``.

Limits
------
Checks the grammar only; whether the file system exists is for the network and
authorization rules, which need AWS state. An empty handle on a PV the API server refuses
(``spec.csi.volumeHandle: Required value``) is K8S002's: that PV never reaches the driver.

Fix safety
----------
Safe when offered: only for a handle that becomes valid by lower-casing it (EFS ids are
lower-case, so it names the same file system).

References
----------
- efs-semantics.md §3.2 (``volumeHandle`` grammar, errors), §7 row 34
- kubernetes-sigs/aws-efs-csi-driver ``pkg/driver/node.go`` ``parseVolumeId``
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Fix, FixSafety, Severity
from efs_doctor.model.volume_handle import VolumeHandleError, parse_volume_handle
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import kubelet_error, volume_chain_label, volume_subjects, yaml_edit

META = RuleMeta(
    code="CSI001",
    slug="malformed-volume-handle",
    summary="volumeHandle the CSI driver cannot parse",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="volume-handle-format",
)


def _error(handle: str, allow_prefix: bool) -> str | None:
    try:
        parse_volume_handle(handle, allow_prefix=allow_prefix)
    except VolumeHandleError as error:
        return str(error)
    return None


def check(context: Context) -> Iterator[Result]:
    old_driver = context.driver_at_least(3, 0, 0) is False
    for pv in context.efs_volumes():
        assert pv.csi is not None
        handle = pv.csi.volume_handle
        error = _error(handle, allow_prefix=not old_driver)
        if error is None or context.simulator.rejection_of(pv) is not None:
            continue  # a PV the API server refuses never reaches the driver (K8S002)
        fix = None
        if handle.lower() != handle and _error(handle.lower(), not old_driver) is None:
            edit = yaml_edit(pv, "set", ("spec", "csi", "volumeHandle"), handle.lower())
            fix = Fix("lower-case the volumeHandle", FixSafety.SAFE, (edit,) if edit else ())
        why = error
        if old_driver and _error(handle, allow_prefix=True) is None:
            why += " (the `efs:` prefix needs driver v3.0.0 or later)"
        yield META.finding(
            f"PV {pv.name}: volumeHandle {handle!r} is rejected by the CSI driver: {why}",
            at(pv, "spec", "csi", "volumeHandle"),
            expected_error=kubelet_error(pv.name, "InvalidArgument", error),
            fix=fix,
            chain=volume_chain_label(context, pv),
            subjects=volume_subjects(context, pv),
        )
