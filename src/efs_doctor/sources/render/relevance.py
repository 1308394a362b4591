"""Whether a unit is worth rendering: does any of its files mention EFS storage?

A cheap text test, so that a monorepo of a thousand kustomizations renders only the few
that matter (issue 15). It errs on the side of rendering: a false positive costs one
render, a false negative hides a chain.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# Objects a mount chain is made of, and the driver itself (its CSIDriver and service
# accounts are read from manifests too).
_STORAGE = re.compile(
    r"\b(PersistentVolume|PersistentVolumeClaim|StorageClass|CSIDriver)\b"
    r"|\bpersistentVolumeClaim\b|\bvolumeClaimTemplates\b|\bclaimName\b"
    r"|^\s*[\"']?nfs[\"']?\s*:|efs\.csi\.aws\.com|\befs-csi",
    re.MULTILINE,
)
# In a patch (a file or an inline patch of a kustomization), any change of volumes.
_VOLUMES = re.compile(r"\bvolumes\b")


def storage_related(text: str) -> bool:
    return _STORAGE.search(text) is not None


def touches_volumes(text: str) -> bool:
    return _VOLUMES.search(text) is not None


def relevant(inputs: Iterable[str], patches: Iterable[str], text_of: Callable[[str], str]) -> bool:
    """True when one of ``inputs`` mentions EFS storage or one of ``patches`` (files,
    or kustomization files holding inline patches) changes volumes."""
    return any(touches_volumes(text_of(path)) for path in patches) or any(
        storage_related(text_of(path)) for path in inputs
    )
