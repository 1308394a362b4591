"""An access point id the driver accepts but efs-utils refuses, or an ``accesspoint=`` mount
option that contradicts the handle.

What it checks
--------------
For EFS PersistentVolumes: the access point in the ``volumeHandle`` must be ``fsap-``
followed by exactly 17 lower-case hex digits (efs-utils' check; the driver accepts 8-40);
an ``accesspoint=`` entry in ``mountOptions`` must have the same form and, when the handle
names an access point too, the same id.

Why it breaks mounts
--------------------
The driver forwards an 8-40 digit id, and efs-utils then exits with ``Access Point ID
fsap-... is malformed`` (efs-semantics.md §2.2, §2.4, error catalogue row 7). Two different
ids in handle and options make the driver fail with ``Found conflicting access point IDs in
mountOptions (...) and volumeHandle (...)`` (§3.4 step 8). ``accesspoint=`` in
``mountOptions`` is deprecated either way.

Example
-------
::

    volumeHandle: fs-0123456789abcdef0::fsap-0123abcd    # 8 hex digits

Use instead
-----------
The id exactly as ``aws efs describe-access-points`` prints it, in the handle only:
``fs-0123456789abcdef0::fsap-0123456789abcdef0``.

Limits
------
Whether the access point exists is checked by the access point rules (with AWS state).

Fix safety
----------
Safe when offered: removing an ``accesspoint=`` option that repeats the handle's id.

References
----------
- efs-semantics.md §2.2 (``accesspoint`` format), §3.2, §3.4
- aws/efs-utils ``src/efs_utils_common/mount_options.py``
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.findings import Confidence, Fix, FixSafety, Severity
from efs_doctor.model.volume_handle import VolumeHandleError, parse_volume_handle
from efs_doctor.rules.base import Result, RuleMeta, at
from efs_doctor.rules.kit import kubelet_error, volume_chain_label, volume_subjects, yaml_edit

META = RuleMeta(
    code="CSI014",
    slug="access-point-id-format",
    summary="access point id efs-utils refuses, or conflicting accesspoint= option",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="volume-handle-format",
)

EFS_UTILS_ID = re.compile(r"fsap-[0-9a-f]{17}")


def check(context: Context) -> Iterator[Result]:
    for pv in context.efs_volumes():
        assert pv.csi is not None
        try:
            handle = parse_volume_handle(pv.csi.volume_handle)
        except VolumeHandleError:
            continue  # CSI001
        label, subjects = volume_chain_label(context, pv), volume_subjects(context, pv)
        ap = handle.access_point_id
        if ap is not None and not EFS_UTILS_ID.fullmatch(ap):
            yield META.finding(
                f"PV {pv.name}: access point id {ap} has {len(ap) - 5} hex digits; the driver "
                "accepts it but efs-utils requires exactly 17",
                at(pv, "spec", "csi", "volumeHandle"),
                expected_error=f"Access Point ID {ap} is malformed",
                chain=label,
                subjects=subjects,
            )
        for index, option in enumerate(pv.mount_options):
            name, _, value = option.strip().lower().partition("=")
            if name != "accesspoint":
                continue
            where = at(pv, "spec", "mountOptions", index)
            if ap is not None and value != ap:
                error = (
                    f"Found conflicting access point IDs in mountOptions ({value}) and "
                    f"volumeHandle ({ap})"
                )
                yield META.finding(
                    f"PV {pv.name}: mountOptions name access point {value} but the handle "
                    f"names {ap}",
                    where,
                    expected_error=kubelet_error(pv.name, "InvalidArgument", error),
                    chain=label,
                    subjects=subjects,
                )
            elif ap is not None:
                edit = yaml_edit(pv, "remove", ("spec", "mountOptions"), option)
                yield META.finding(
                    f"PV {pv.name}: `{option}` in mountOptions repeats the handle's access "
                    "point and is deprecated",
                    where,
                    severity=Severity.INFO,
                    fix=Fix(
                        f"remove `{option}` from mountOptions",
                        FixSafety.SAFE,
                        (edit,) if edit else (),
                    ),
                    chain=label,
                    subjects=subjects,
                )
            elif not EFS_UTILS_ID.fullmatch(value):
                yield META.finding(
                    f"PV {pv.name}: `{option}` is not an access point id efs-utils accepts",
                    where,
                    expected_error=f"Access Point ID {value} is malformed",
                    chain=label,
                    subjects=subjects,
                )
            else:
                yield META.finding(
                    f"PV {pv.name}: the access point is given as `{option}` in mountOptions "
                    f"(deprecated); put it in the handle: {handle.file_system_id}::{value}",
                    where,
                    severity=Severity.LOW,
                    chain=label,
                    subjects=subjects,
                )
