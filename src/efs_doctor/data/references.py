"""Public sources of the EFS, EFS CSI driver and efs-utils behaviours efs-doctor models, by the
section of the team's research notes (``efs-semantics.md``) that describes each behaviour.

Code and tests cite those sections for developers. Users do not have the notes, so whatever a
user sees (a simulated step's ``source``, rule pages, ``efs-doctor rule``) cites the public
pages and files each section itself rests on, from this one table: :func:`section_url` gives a
section's first source, :func:`references` all of them, and :func:`citations` /
:func:`without_citations` find and drop section citations in documentation text.

Source files are pinned to the releases the simulator models by default (aws/efs-utils v3.2.0,
kubernetes-sigs/aws-efs-csi-driver v3.4.1), so a link shows the code that was read. Built from
the sources each section lists; reviewed 2026-07.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reference:
    title: str
    url: str


_EFS_UTILS = "https://github.com/aws/efs-utils/blob/v3.2.0/"
_CSI = "https://github.com/kubernetes-sigs/aws-efs-csi-driver/blob/v3.4.1/"
_CSI_ISSUES = "https://github.com/kubernetes-sigs/aws-efs-csi-driver/issues/"
_EFS_UG = "https://docs.aws.amazon.com/efs/latest/ug/"
_IAM_UG = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"


def _utils(path: str, what: str) -> Reference:
    return Reference(f"efs-utils {path.rsplit('/', 1)[-1]} ({what})", _EFS_UTILS + path)


def _csi(path: str, what: str) -> Reference:
    return Reference(f"aws-efs-csi-driver {path.rsplit('/', 1)[-1]} ({what})", _CSI + path)


def _efs(page: str, title: str) -> Reference:
    return Reference(f"Amazon EFS User Guide: {title}", f"{_EFS_UG}{page}.html")


def _iam(page: str, title: str) -> Reference:
    return Reference(f"IAM User Guide: {title}", f"{_IAM_UG}{page}.html")


_NFS_IAM = _efs("iam-access-control-nfs-efs", "IAM to control file system data access")
_TROUBLESHOOTING = _efs("troubleshooting-efs-mounting", "troubleshooting mount issues")
_ACCESS_POINTS = _efs("efs-access-points", "access points")
_NODE_GO = _csi("pkg/driver/node.go", "NodePublishVolume")
_CONTROLLER_GO = _csi("pkg/driver/controller.go", "CreateVolume")
_MOUNT_OPTIONS = _utils("src/efs_utils_common/mount_options.py", "mount option parsing")
_DNS_RESOLVER = _utils("src/mount_efs/dns_resolver.py", "DNS name and fallback")
_CREDENTIALS = _utils("src/efs_utils_common/aws_credentials.py", "IAM credential chain")
_DNS_NAME = _efs("mounting-fs-mount-cmd-dns-name", "mounting with a DNS name")
NFS_MANUAL = Reference(
    "nfs(5): Linux NFS mount options", "https://man7.org/linux/man-pages/man5/nfs.5.html"
)

# efs-semantics.md section -> the public sources that section cites, most direct first (a
# step cites the first; rule pages list them all, so keep each list short).
SECTIONS: dict[str, tuple[Reference, ...]] = {
    "1": (
        Reference(
            "Kubernetes: StorageClass mount options",
            "https://kubernetes.io/docs/concepts/storage/storage-classes/#mount-options",
        ),
    ),
    "2.2": (
        _MOUNT_OPTIONS,
        _utils("src/efs_utils_common/constants.py", "options efs-utils consumes or rejects"),
    ),
    "2.4": (_MOUNT_OPTIONS, _utils("src/mount_efs/__init__.py", "mount.efs main")),
    "2.5": (
        _utils("src/efs_utils_common/proxy.py", "local proxy and port"),
        _utils("README.md", "efs-proxy"),
    ),
    "2.6": (_utils("src/efs_utils_common/metadata.py", "region lookup"),),
    "2.7": (_DNS_RESOLVER, _DNS_NAME),
    "2.8": (_CREDENTIALS,),
    "2.9": (
        _utils("src/efs_utils_common/certificate_utils.py", "TLS client certificate"),
        _ACCESS_POINTS,
    ),
    "2.10": (_utils("src/efs_utils_common/mount_utils.py", "mount.nfs4 and its retries"),),
    "3.1": (_csi("deploy/kubernetes/base/node-daemonset.yaml", "node plugin"),),
    "3.2": (_NODE_GO,),
    "3.3": (_NODE_GO,),
    "3.4": (_NODE_GO,),
    "3.5": (
        _csi("docs/iam-policy-create.md", "IAM set-up"),
        Reference(
            "Amazon EKS User Guide: Amazon EFS CSI driver",
            "https://docs.aws.amazon.com/eks/latest/userguide/efs-csi.html",
        ),
    ),
    "3.6": (_NODE_GO, _csi("charts/aws-efs-csi-driver/templates/csidriver.yaml", "CSIDriver")),
    "3.7": (_csi("docs/parameters.md", "StorageClass parameters"), _CONTROLLER_GO),
    "3.8": (
        Reference(
            "AWS managed policy AmazonEFSCSIDriverPolicy",
            "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
            "AmazonEFSCSIDriverPolicy.html",
        ),
        _CONTROLLER_GO,
    ),
    "3.9": (
        Reference("aws-efs-csi-driver issue 262 (DeadlineExceeded)", f"{_CSI_ISSUES}262"),
        Reference("aws-efs-csi-driver issue 637 (a FailedMount event)", f"{_CSI_ISSUES}637"),
    ),
    "4.1": (_NFS_IAM,),
    "4.2": (_NFS_IAM,),
    "4.3": (
        _NFS_IAM,
        Reference(
            "Service Authorization Reference: Amazon EFS",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/"
            "list_amazonelasticfilesystem.html",
        ),
    ),
    "4.4": (_NFS_IAM, _iam("reference_policies_evaluation-logic", "policy evaluation logic")),
    "4.5": (
        _NFS_IAM,
        _iam("reference_policies_elements_condition_operators", "condition operators"),
    ),
    "4.6": (_efs("create-file-system-policy", "creating file system policies"),),
    "4.7": (
        _TROUBLESHOOTING,
        _efs("accessing-fs-nfs-permissions", "NFS permissions and root squashing"),
    ),
    "4.8": (_NFS_IAM, _TROUBLESHOOTING),
    "5": (_ACCESS_POINTS, _efs("API_CreationInfo", "CreationInfo")),
    "6": (_efs("network-access", "network access, security groups"), _DNS_NAME),
    "9 question 9": (
        Reference(
            "Kubernetes: persistent volume access modes",
            "https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes",
        ),
    ),
    "10": (_TROUBLESHOOTING,),
}

# Rows of the error catalogue (§7), points of §8 and open questions (§9): the section whose
# sources they rest on.
ALIASES: dict[str, str] = {
    "7 row 2": "3.2",
    "7 row 3": "2.4",
    "7 rows 25-26": "6",
    "7 row 28": "3.6",
    "7 rows 29-30": "3.3",
    "7 row 31": "3.4",
    "7 row 34": "3.2",
    "8 point 4": "4.5",
    "8 point 5": "3.5",
    "8 point 6": "4.5",
    "8 point 8": "1",
    "8 point 11": "4.2",
    "9 question 1": "4.5",
    "9 question 2": "4.5",
    "9 question 3": "5",
    "9 question 7": "5",
    "9 question 8": "5",
}

# One citation of a section: ``efs-semantics.md §3.4``, ``§7 row 31``, ``§9 Q3``, with an
# optional annotation in parentheses; or a mention of the other internal notes.
_PART = r"(?:rows?|steps?|items?|points?|questions?|Q)\s*\d+(?:\s*(?:-|and)\s*\d+)?"
_SECTION = rf"§\s?(?P<section>\d+(?:\.\d+)?(?:\s+{_PART})?)"
CITATION = re.compile(
    rf"(?:efs-semantics\.md\s+)?{_SECTION}(?:\s+\[(?:SRC|DOC|RPT|INF)\])?(?:\s+\([^()]*\))?"
    r"|causes\.md(?:\s+``[a-z0-9-]+``)?"
    r"|contracts\.md(?:\s+\"[^\"]*\")?"
)
# Anything that still names the notes after the citations are gone.
MENTION = re.compile(r"efs-semantics\.md|contracts\.md|causes\.md|§")


def _key(section: str) -> str:
    key = re.sub(r"\s+", " ", section.strip())
    key = re.sub(r"\bQ\s*(\d+)", r"question \1", key)
    return ALIASES.get(key, key)


def references(section: str) -> tuple[Reference, ...]:
    """The public sources of efs-semantics.md ``section`` (``"3.4"``, ``"7 row 31"``,
    ``"9 Q3"``); a step or item of a section has the section's sources. KeyError for a
    section the table does not know."""
    key = _key(section)
    if key not in SECTIONS and " " in key and key.split()[0] in SECTIONS:
        key = key.split()[0]
    return SECTIONS[key]


def section_url(section: str) -> str:
    """The most direct public source of ``section``: what a step cites when no input file
    decides it."""
    return references(section)[0].url


def citations(text: str) -> list[str]:
    """The sections ``text`` cites, in order (``"3.4"``, ``"7 row 31"``, ...)."""
    return [m.group("section") for m in CITATION.finditer(text) if m.group("section")]


_PARENTHESIS = re.compile(r"[ \t]*\n?[ \t]*\(([^()]*)\)")
_SEPARATOR = re.compile(r"(\s*[;,]\s*)")
_LEADING_CITATION = re.compile(rf"^(?:(?:{CITATION.pattern})\s*(?:,\s*)?)+:\s*")


def _is_citation(item: str) -> bool:
    rest = CITATION.sub("", item)
    return CITATION.search(item) is not None and not re.sub(r"[\s,;]", "", rest)


def _without_citation_items(content: str) -> str:
    """A parenthesis' content without the items (between ``;`` and ``,``) that are only
    citations; ``efs-semantics.md §10: a, b`` keeps ``a, b``."""
    content = _LEADING_CITATION.sub("", content)
    segments = re.split(r"\s*;\s*", content)
    kept = []
    for segment in segments:
        if CITATION.search(segment):
            items = re.split(r"\s*,\s*", segment)
            segment_kept = ", ".join(i for i in items if not _is_citation(i))
        else:
            segment_kept = segment
        if segment_kept.strip():
            kept.append(segment_kept)
    return "; ".join(kept)


def without_citations(text: str) -> str:
    """``text`` with its citations of the internal notes removed: a parenthesis that only
    cites goes, one that also says something keeps what it says."""

    def replace(match: re.Match[str]) -> str:
        content = match.group(1)
        if not CITATION.search(content):
            return match.group(0)
        kept = _without_citation_items(content)
        if not kept:
            return ""
        return match.group(0)[: match.group(0).index("(")] + f"({kept})"

    return _PARENTHESIS.sub(replace, text)
