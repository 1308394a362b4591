"""Which EFS file system an NFS server name or address stands for.

An in-tree ``nfs:`` volume names its server directly. EFS answers NFS at
``<file-system-id>.efs.<region>.amazonaws.com`` (resolves to the mount target in the
client's zone), ``<az>.<file-system-id>.efs.<region>.amazonaws.com`` (the mount target in
that zone) and each mount target's IP address (EFS User Guide, "Mounting on Amazon EC2 with
a DNS name" and "Mounting with an IP address":
https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-mount-cmd-dns-name.html,
https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-mount-cmd-ip-addr.html). An address is
EFS only when it is a mount target's among the inputs.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from efs_doctor.model.aws import MountTarget

_NAME = re.compile(
    r"(?:(?P<zone>[a-z]{2}(?:-[a-z]+)+-\d+[a-z])\.)?"
    r"(?P<fs>fs-[^.\s/]+)\.efs\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)"
    r"\.amazonaws\.com(?:\.cn)?\.?",
    re.IGNORECASE,
)

_ID = re.compile(r"fs-[0-9a-f]{8,40}")

ServerKind = Literal["dns", "zone-dns", "ip"]


@dataclass(frozen=True, slots=True)
class EfsServer:
    kind: ServerKind
    name: str  # as written
    file_system_id: str
    region: str | None
    zone: str | None  # the zone the name or address pins, if any
    mount_target: MountTarget | None = None  # for an address

    @property
    def placeholder(self) -> bool:
        """The name carries a template placeholder (``fs-${EFS_ID}``), not a file system id."""
        return _ID.fullmatch(self.file_system_id) is None


def efs_server(server: str, mount_targets: Iterable[MountTarget]) -> EfsServer | None:
    """The EFS file system behind ``server``, or None when nothing says it is EFS."""
    text = server.strip()
    match = _NAME.fullmatch(text)
    if match is not None:
        zone = match.group("zone")
        return EfsServer(
            "zone-dns" if zone else "dns",
            text,
            match.group("fs"),
            match.group("region").lower(),
            zone.lower() if zone else None,
        )
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return None
    for mt in mount_targets:
        if mt.ip_address == text and mt.file_system_id:
            return EfsServer("ip", text, mt.file_system_id, None, mt.availability_zone_name, mt)
    return None
