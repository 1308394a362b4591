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
# Words one of which every match of _STORAGE contains: a text holding none of them cannot
# match, and a substring test is many times cheaper than the pattern's alternation tried
# at every character (most files of a monorepo hold none: issue 22).
_STORAGE_WORDS = (
    "PersistentVolume",
    "StorageClass",
    "CSIDriver",
    "persistentVolumeClaim",
    "volumeClaimTemplates",
    "claimName",
    "nfs",
    "efs.csi.aws.com",
    "efs-csi",
)
# In a patch (a file or an inline patch of a kustomization), any change of volumes.
_VOLUMES = re.compile(r"\bvolumes\b")


def storage_related(text: str) -> bool:
    if not any(word in text for word in _STORAGE_WORDS):
        return False
    return _STORAGE.search(text) is not None


def touches_volumes(text: str) -> bool:
    return "volumes" in text and _VOLUMES.search(text) is not None


class Relevance:
    """The test, remembering each file's answers: an overlay's base files are shared by
    its sibling overlays, and each is read and searched once."""

    def __init__(self, text_of: Callable[[str], str]) -> None:
        self._text_of = text_of
        self._storage: dict[str, bool] = {}
        self._volumes: dict[str, bool] = {}

    def __call__(self, inputs: Iterable[str], patches: Iterable[str]) -> bool:
        """True when one of ``inputs`` mentions EFS storage or one of ``patches`` (files,
        or kustomization files holding inline patches) changes volumes."""
        return any(self._answer(self._volumes, touches_volumes, p) for p in patches) or any(
            self._answer(self._storage, storage_related, p) for p in inputs
        )

    def _answer(self, memo: dict[str, bool], test: Callable[[str], bool], path: str) -> bool:
        answer = memo.get(path)
        if answer is None:
            answer = memo[path] = test(self._text_of(path))
        return answer
