"""Policy documents as the AWS CLI saves them, unwrapped into a :class:`ParsedPolicy`.

Accepted forms: a bare policy; ``aws efs describe-file-system-policy`` output
(``{"FileSystemId", "Policy": "<JSON string>"}``) and its known-absent form
(``{"FileSystemId", "Error": {"Code": "PolicyNotFound"}}``, contracts.md); ``aws iam
get-role-policy``/``get-user-policy`` (``{"PolicyDocument": ...}``); ``aws iam
get-policy-version`` (``{"PolicyVersion": {"Document": ...}}``). Pure: takes text, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from efs_doctor.engine.iam.model import JsonPath, PolicyKind
from efs_doctor.engine.iam.parsed import (
    ParsedPolicy,
    PolicyTextError,
    decode_policy_text,
    parse_policy,
)
from efs_doctor.engine.iam.positions import json_marks, locate

_WRAPPERS: tuple[JsonPath, ...] = (("Policy",), ("PolicyDocument",), ("PolicyVersion", "Document"))


@dataclass(frozen=True, slots=True)
class PolicyInput:
    parsed: ParsedPolicy | None  # None: the file system is known to have no policy
    file_system_id: str | None = None

    @property
    def known_absent(self) -> bool:
        return self.parsed is None


def _dig(document: object, path: JsonPath) -> object | None:
    current = document
    for part in path:
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def read_policy_input(
    text: str, *, kind: PolicyKind = "resource", path: str | None = None
) -> PolicyInput:
    """Raises :class:`PolicyTextError` when the text (or an embedded policy string) is not JSON."""
    document = decode_policy_text(text)
    fs_id = None
    if isinstance(document, Mapping):
        raw_id = document.get("FileSystemId")
        fs_id = raw_id if isinstance(raw_id, str) else None
        error = document.get("Error")
        if isinstance(error, Mapping) and error.get("Code") == "PolicyNotFound":
            return PolicyInput(None, fs_id)
    if not isinstance(document, Mapping) or "Statement" in document:
        return PolicyInput(parse_policy(document, kind=kind, path=path, text=text), fs_id)
    for prefix in _WRAPPERS:
        inner = _dig(document, prefix)
        if inner is None:
            continue
        marks = json_marks(text)
        if isinstance(inner, str):
            # A policy embedded as a JSON string: positions inside it are not file positions,
            # so every problem points at the string itself.
            where = locate(marks, prefix) or (1, 1)
            try:
                inner_document = decode_policy_text(inner)
            except PolicyTextError as bad:
                raise PolicyTextError(
                    f"{'.'.join(map(str, prefix))} string: {bad.message} (its line {bad.line}, "
                    f"column {bad.column})",
                    where[0],
                    where[1],
                ) from None
            parsed = parse_policy(
                inner_document, kind=kind, path=path, text=inner, marks={(): where}
            )
            return PolicyInput(parsed, fs_id)
        rerooted = {
            key[len(prefix) :]: pos for key, pos in marks.items() if key[: len(prefix)] == prefix
        }
        return PolicyInput(parse_policy(inner, kind=kind, path=path, marks=rerooted), fs_id)
    return PolicyInput(parse_policy(document, kind=kind, path=path, text=text), fs_id)
