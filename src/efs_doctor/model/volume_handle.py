"""The EFS CSI driver's ``volumeHandle`` grammar, parsed exactly as the node plugin does.

Source: efs-semantics.md §3.2 (``parseVolumeId`` in kubernetes-sigs/aws-efs-csi-driver
``pkg/driver/node.go`` at v3.4.1):

* new form (driver v3.0.0+): ``<type>:<fsid>[:<path>[:<apid>]]``, type ``efs`` or ``s3files``,
  at most four fields;
* old form (all versions): ``<fsid>[:<path>[:<apid>]]``, at most three fields;
* ``fsid`` is ``fs-`` + 8-40 lower-case hex, ``apid`` is ``fsap-`` + 8-40 lower-case hex;
* the path is cleaned like Go's ``path.Clean`` and need not be absolute; empty means ``/``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

# \Z, not $: Python's "$" also matches before a trailing newline, Go's does not.
FILE_SYSTEM_ID = re.compile(r"^fs-[0-9a-f]{8,40}\Z")
ACCESS_POINT_ID = re.compile(r"^fsap-[0-9a-f]{8,40}\Z")
HANDLE_TYPES = ("efs", "s3files")


@dataclass(frozen=True, slots=True)
class VolumeHandle:
    raw: str
    type: str  # "efs" | "s3files"
    file_system_id: str
    subpath: str  # "/" when none
    access_point_id: str | None
    prefixed: bool  # written in the v3 "<type>:" form

    @property
    def mount_source(self) -> str:
        """The device argument the driver passes to ``mount -t efs``: ``<fsid>:<subpath>``."""
        return f"{self.file_system_id}:{self.subpath}"


class VolumeHandleError(ValueError):
    """The driver's own InvalidArgument message for a malformed handle."""


def go_path_clean(value: str) -> str:
    """Go's ``path.Clean``: like ``posixpath.normpath`` but a leading ``//`` becomes ``/``."""
    cleaned = posixpath.normpath(value)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def parse_volume_handle(handle: str, *, allow_prefix: bool = True) -> VolumeHandle:
    """Parse a PV's ``spec.csi.volumeHandle``; raises :class:`VolumeHandleError` with the
    message the driver returns. ``allow_prefix=False`` models drivers before v3.0.0."""
    tokens = handle.split(":")
    handle_type = "efs"
    prefixed = allow_prefix and tokens[0] in HANDLE_TYPES
    if prefixed:
        handle_type = tokens[0]
        tokens = tokens[1:]
        if len(tokens) > 3:
            raise VolumeHandleError(
                f"volume ID '{handle}' is invalid: Expected at most four fields separated by ':'"
            )
        if not tokens:  # only "efs" alone; "efs:" has an empty (invalid) id, checked below
            raise VolumeHandleError(f"volume ID '{handle}' is invalid: Missing file system ID")
    elif len(tokens) > 3:
        raise VolumeHandleError(
            f"volume ID '{handle}' is invalid: Expected at most three fields separated by ':'"
        )
    file_system_id = tokens[0]
    if not FILE_SYSTEM_ID.fullmatch(file_system_id):
        raise VolumeHandleError(
            f"volume ID '{handle}' is invalid: Expected a file system ID of the form "
            "'fs-[0-9a-f]{8,40}'"
        )
    subpath = "/"
    if len(tokens) >= 2 and tokens[1] != "":
        subpath = go_path_clean(tokens[1])
    access_point_id = None
    if len(tokens) == 3 and tokens[2] != "":
        access_point_id = tokens[2]
        if not ACCESS_POINT_ID.fullmatch(access_point_id):
            raise VolumeHandleError(
                f"volume ID '{handle}' has an invalid access point ID '{access_point_id}': "
                "Expected it to be of the form 'fsap-[0-9a-f]{8,40}'"
            )
    return VolumeHandle(handle, handle_type, file_system_id, subpath, access_point_id, prefixed)
