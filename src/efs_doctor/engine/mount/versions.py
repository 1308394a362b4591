"""Driver and efs-utils versions, and the behaviours that changed between them.

Defaults are the versions efs-semantics.md §0 pins: aws-efs-csi-driver v3.4.1 and efs-utils
v3.2.0. Version boundaries come from §2.11 (efs-utils CHANGELOG-*.md) and §3 (driver code
history).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, total_ordering

DEFAULT_CSI_DRIVER_VERSION = "3.4.1"
DEFAULT_EFS_UTILS_VERSION = "3.2.0"

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


@total_ordering
@dataclass(frozen=True, slots=True)
class Version:
    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> Version:
        """``"v3.4.1"``, ``"3.4"``, ``"2.1.10-eksbuild.1"``; raises ValueError otherwise."""
        match = _VERSION.match(text.strip())
        if match is None:
            raise ValueError(f"not a version: {text!r}")
        major, minor, patch = match.groups()
        return cls(int(major), int(minor or 0), int(patch or 0))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return (self.major, self.minor, self.patch) < (other.major, other.minor, other.patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@cache
def v(text: str) -> Version:
    return Version.parse(text)


@dataclass(frozen=True, slots=True)
class Versions:
    """The two versions a simulation runs under, and where each came from."""

    csi_driver: Version
    efs_utils: Version
    csi_driver_origin: str
    efs_utils_origin: str

    # --- efs-utils (§2.11) ------------------------------------------------------------
    @property
    def efs_proxy(self) -> bool:
        """v2.0.0: efs-proxy replaces stunnel; every mount attaches to 127.0.0.1 (§2.5)."""
        return self.efs_utils >= v("2.0.0")

    @property
    def pod_identity(self) -> bool:
        """v2.3.0: EKS Pod Identity in the credential chain (§2.8)."""
        return self.efs_utils >= v("2.3.0")

    @property
    def web_identity(self) -> bool:
        """v1.27.1: AssumeRoleWithWebIdentity from the IRSA environment (§2.11)."""
        return self.efs_utils >= v("1.27.1")

    @property
    def retries_access_point_denied(self) -> bool:
        """v2.4.2: ``access denied`` is retried for access-point mounts (§2.10)."""
        return self.efs_utils >= v("2.4.2")

    @property
    def rejects_azid(self) -> bool:
        """v3.0.0: ``azid`` is an S3 Files option, rejected for EFS (§2.2)."""
        return self.efs_utils >= v("3.0.0")

    @property
    def mount_target_ip_option(self) -> bool:
        """v1.31.1: ``mounttargetip`` and the botocore fallback (§2.11)."""
        return self.efs_utils >= v("1.31.1")

    @property
    def az_option(self) -> bool:
        return self.efs_utils >= v("1.30.1")

    @property
    def region_option(self) -> bool:
        return self.efs_utils >= v("2.1.0")

    @property
    def region_regex(self) -> bool:
        """v3.2.0: the ``region`` value is validated against a pattern (§2.2)."""
        return self.efs_utils >= v("3.2.0")

    # --- CSI driver (§3) ----------------------------------------------------------------
    @property
    def prefixed_handles(self) -> bool:
        """v3.0.0: ``efs:``/``s3files:`` prefix in volume handles (§3.2)."""
        return self.csi_driver >= v("3.0.0")

    @property
    def path_attribute(self) -> bool:
        """The deprecated ``path`` volume attribute is accepted before v3.0.0 (§3.3)."""
        return self.csi_driver < v("3.0.0")

    @property
    def validates_mount_target_ip(self) -> bool:
        return self.csi_driver >= v("3.0.1")

    @property
    def rejects_crossaccount_flag(self) -> bool:
        return self.csi_driver >= v("3.0.0")

    @property
    def mount_target_ip_map(self) -> bool:
        return self.csi_driver >= v("3.1.0")

    @property
    def drops_awscredsuri(self) -> bool:
        return self.csi_driver >= v("1.4.2")


def _parse_tag(tag: str | None) -> Version | None:
    """An image tag read from a manifest: a version, or None when it is not one."""
    if not tag:
        return None
    try:
        return Version.parse(tag)
    except ValueError:  # "latest", or digits past int()'s limit
        return None


def resolve_versions(
    csi_driver: str | None, efs_utils: str | None, daemonset_version: str | None
) -> Versions:
    """The driver version: the option, else the efs-csi DaemonSet image tag, else the pinned
    default. efs-utils: the option, else the version bundled with the pinned driver; for an
    older driver only a lower bound is known (driver 2.0.0 moved to efs-utils 2.0.0, §3.1)."""
    tag = _parse_tag(daemonset_version)
    if csi_driver:
        driver, driver_origin = Version.parse(csi_driver), "--csi-driver-version"
    elif tag is not None:
        driver, driver_origin = tag, "efs-csi-node image tag"
    else:
        driver = Version.parse(DEFAULT_CSI_DRIVER_VERSION)
        driver_origin = "default"  # efs-semantics.md §0 pins it
        if daemonset_version:  # "latest", a digest: the manifest does not say which version
            shown = daemonset_version if len(daemonset_version) <= 40 else "(too long)"
            driver_origin += f"; the efs-csi-node image tag {shown!r} is not a version"
    if efs_utils:
        return Versions(driver, Version.parse(efs_utils), driver_origin, "--efs-utils-version")
    if driver >= v(DEFAULT_CSI_DRIVER_VERSION):
        bundled, origin = v(DEFAULT_EFS_UTILS_VERSION), "bundled with the driver"  # §0
    elif driver >= v("2.0.0"):
        bundled, origin = v("2.0.0"), "at least 2.0.0 for driver >= 2.0.0; assumed"  # §3.1
    else:
        bundled, origin = v("1.36.0"), "1.x for driver < 2.0.0; assumed 1.36.0"  # §3.1
    return Versions(driver, bundled, driver_origin, origin)
