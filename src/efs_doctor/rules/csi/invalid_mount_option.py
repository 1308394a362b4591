"""A mount option NFS, efs-utils or the CSI driver refuses (CIFS-style ``dir_mode``,
``file_mode``, ``uid=``, NFSv3, ``crossaccount`` ...): the mount fails.

What it checks
--------------
The ``mountOptions`` of EFS PersistentVolumes and of EFS StorageClasses, lower-cased as the
driver passes them, for:

- options of other file systems that the Linux NFS client rejects (``dir_mode``,
  ``file_mode``, ``uid``, ``gid``, ``username``, ``password``, ``iocharset``, ...);
- NFS versions EFS does not serve (``nfsvers=3``, ``vers=3``; EFS speaks NFSv4.0 and 4.1);
- options efs-utils rejects (``capath``, ``azid``, ``port`` with TLS);
- ``crossaccount``, which the driver (v3.0.0+) refuses as a mount flag;
- ``awscredsuri``, which the driver drops without a word (v1.4.2+).

Why it breaks mounts
--------------------
efs-utils passes every option it does not consume to ``mount.nfs4`` (efs-semantics.md §2.2),
which fails with ``mount.nfs4: an incorrect mount option was specified`` (causes.md
``invalid-mount-option``); efs-utils and the driver reject their own forbidden options
earlier with the messages quoted in each finding (§2.4, §3.4). Ownership and modes cannot be
set by mount options on NFS at all: use an access point (POSIX user, root directory
permissions) instead.

Example
-------
::

    mountOptions:
      - dir_mode=0777
      - file_mode=0777

Use instead
-----------
Remove the option. For ownership and permissions use an access point (``uid``/``gid`` and
``directoryPerms`` in a StorageClass, or ``PosixUser``/``CreationInfo``); for an
availability zone use ``az=<zone>``; for cross-account mounts use the ``crossaccount``
volume attribute.

Limits
------
The list of options other file systems use is not exhaustive; unknown NFS options are not
reported.

Fix safety
----------
Safe: the options removed never take effect (the mount fails with them), so removing them
grants nothing.

References
----------
- efs-semantics.md §2.2, §2.4, §3.4; causes.md ``invalid-mount-option``
- https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-mount-cmd-general.html
- nfs(5) for the options the Linux NFS client accepts
"""

from __future__ import annotations

from collections.abc import Iterator

from efs_doctor.engine.analysis import Context
from efs_doctor.engine.mount.admission import CROSSACCOUNT_FLAG
from efs_doctor.engine.mount.options import nfs_option_refusal, validate_efs_options
from efs_doctor.engine.mount.versions import Versions
from efs_doctor.findings import Confidence, Fix, FixSafety, Severity
from efs_doctor.model.kubernetes import PersistentVolume, StorageClass
from efs_doctor.rules.base import Result, RuleMeta, at, object_key
from efs_doctor.rules.kit import volume_chain_label, volume_subjects, yaml_edit

META = RuleMeta(
    code="CSI012",
    slug="invalid-mount-option",
    summary="mount option that NFS, efs-utils or the CSI driver refuses",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    needs=("manifests",),
    cause="invalid-mount-option",
)
# Options whose own validation needs others beside them (they are judged with the mount, not
# alone: an `iam` or `awsprofile` without the rest is CSI004's or the simulation's).
IAM_ONLY = frozenset({"iam", "awsprofile", "awscredsuri", "accesspoint"})


def _problem(option: str, tls: bool, versions: Versions) -> tuple[str, str, Severity] | None:
    """(why, expected error, severity) for one lower-cased option, as the mount engine judges
    it: the driver's flag checks, efs-utils' validation, then mount.nfs4 (§3.4, §2.4, §2.2)."""
    name, eq, value = option.partition("=")
    name = name.strip()
    if name == "crossaccount" and versions.rejects_crossaccount_flag:
        return (
            "`crossaccount` is refused as a mount option by the CSI driver; use the "
            "`crossaccount` volume attribute",
            CROSSACCOUNT_FLAG.message,
            Severity.CRITICAL,
        )
    if name == "awscredsuri" and versions.drops_awscredsuri:
        return (
            "`awscredsuri` is dropped by the CSI driver (not supported), so it has no effect",
            "",
            Severity.LOW,
        )
    alone: dict[str, str | None] = {name: value.strip() if eq else None}
    if tls and name != "tls":
        alone["tls"] = None
    refused = validate_efs_options(alone, versions) if name not in IAM_ONLY else None
    if refused is not None:
        return f"`{option}`: {refused.message}", refused.message, Severity.CRITICAL
    kernel = nfs_option_refusal(name, alone[name])
    if kernel is not None:
        return f"`{option}` is {kernel.why}", kernel.message, Severity.CRITICAL
    return None


def _check_object(
    context: Context, obj: PersistentVolume | StorageClass, tls: bool
) -> Iterator[Result]:
    field = ("spec", "mountOptions") if isinstance(obj, PersistentVolume) else ("mountOptions",)
    for index, option in enumerate(obj.mount_options):
        found = _problem(option.strip().lower(), tls, context.versions)
        if found is None:
            continue
        why, error, severity = found
        edit = yaml_edit(obj, "remove", field, option)
        if isinstance(obj, PersistentVolume):
            chain, subjects = volume_chain_label(context, obj), volume_subjects(context, obj)
            label = f"PV {obj.name}"
        else:
            chain, subjects, label = (
                f"StorageClass {obj.name}",
                [object_key(obj)],
                (f"StorageClass {obj.name}"),
            )
        yield META.finding(
            f"{label}: mount option {why}",
            at(obj, *field, index),
            severity=severity,
            expected_error=error or None,
            fix=Fix(
                f"remove `{option}` from mountOptions", FixSafety.SAFE, (edit,) if edit else ()
            ),
            chain=chain,
            subjects=subjects,
        )


def check(context: Context) -> Iterator[Result]:
    for pv in context.efs_volumes():
        chain = context.chain_of_volume(pv.name)
        tls = context.uses_tls(chain) if chain is not None else True
        yield from _check_object(context, pv, tls)
    for sc in context.efs_storage_classes():
        yield from _check_object(context, sc, True)
