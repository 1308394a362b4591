"""Which top-level keys some reader of the loader looks at, so that a document can be
told, from its lines alone, to be nothing any of them takes (issue 22: a monorepo's Helm
values files are YAML mappings of keys no reader knows; parsing them only to drop them was
most of what was left of the loader's work on unowned files).

Each reader says its own keys: Kubernetes objects ``kind`` and ``apiVersion``
(``manifests.is_kubernetes``), the IaC inputs ``dispatch.IAC_KEYS``, the AWS CLI answers
``aws_snapshot.ANSWER_KEYS``, and policies ``aws_snapshot.POLICY_KEY``.
"""

from __future__ import annotations

from efs_doctor.sources.aws_snapshot import ANSWER_KEYS, POLICY_KEY
from efs_doctor.sources.iac.dispatch import IAC_KEYS
from efs_doctor.sources.manifests import OBJECT_KEYS

TAKEN_KEYS = frozenset({*OBJECT_KEYS, *IAC_KEYS, *ANSWER_KEYS, POLICY_KEY})


def untaken_key(key: str) -> bool:
    """True when no reader looks at a top-level mapping for ``key``: a mapping whose every
    key is one of these is skipped by all of them."""
    return key not in TAKEN_KEYS
