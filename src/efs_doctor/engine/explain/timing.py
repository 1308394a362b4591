"""How long a mount took to fail, read from the timestamps of pasted log lines.

A mount that nothing answers on TCP 2049 fails only after tens of seconds (efs-utils gives each
mount.nfs4 attempt 15 s and retries, efs-semantics.md §2.10; a blocked security group or NACL
drops packets silently, §6), while an answer from the server (access denied, no such file) or
from the helper itself (option, DNS, credential errors) comes back at once.

The driver logs with klog (``I0223 13:05:03.634040``, no year), efs-utils' mount.log with
``2021-03-04 14:43:20,403``; only two lines in the same format are compared.
"""

from __future__ import annotations

import re
from datetime import datetime

_KLOG = re.compile(r"^\s*[IWEF](\d{2})(\d{2})\s+(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?")
_ATTEMPT = re.compile(
    r"Mounting cmd|NodePublishVolume: mounting|Executing: \"\S*mount\.nfs|options=\{|"
    r"Mounting arguments",
    re.IGNORECASE,
)
_FAILURE = re.compile(
    r"Mount failed|Failed to mount|mount failed|GRPC error|failed due to|- ERROR -",
    re.IGNORECASE,
)
# Past a day apart, two lines are not one mount attempt and its failure.
_MAX_SECONDS = 86_400.0


def _stamp(line: str) -> tuple[str, datetime] | None:
    try:
        klog = _KLOG.match(line)
        if klog is not None:
            month, day, hour, minute, second, fraction = klog.groups()
            micro = int((fraction or "0").ljust(6, "0"))
            return "klog", datetime(
                2000, int(month), int(day), int(hour), int(minute), int(second), micro
            )
        iso = _ISO.match(line)
        if iso is not None:
            year, month, day, hour, minute, second, fraction = iso.groups()
            micro = int((fraction or "0").ljust(6, "0"))
            return "iso", datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second), micro
            )
    except ValueError:  # a 13th month or a 61st second: not a timestamp after all
        return None
    return None


def mount_seconds(clean: str) -> float | None:
    """Seconds from the first timestamped mount attempt to the first failure after it."""
    start: tuple[str, datetime] | None = None
    for line in clean.split("\n"):
        stamped = _stamp(line)
        if stamped is None:
            continue
        if start is None:
            if _ATTEMPT.search(line):
                start = stamped
            continue
        if _FAILURE.search(line) and stamped[0] == start[0]:
            seconds = (stamped[1] - start[1]).total_seconds()
            return seconds if 0 <= seconds <= _MAX_SECONDS else None
    return None
