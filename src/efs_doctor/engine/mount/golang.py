"""The two Go standard-library behaviours the CSI driver's messages and parsing depend on:
``strconv.ParseBool`` (volume attributes, StorageClass parameters; efs-semantics.md §3.3) and
``%q`` quoting in its error texts (``pkg/driver/node.go``)."""

from __future__ import annotations

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
GO_FALSE = _FALSE  # the spellings ParseBool reads as false (admission policies restate them)


def parse_go_bool(value: str) -> bool | None:
    """``strconv.ParseBool``; None where Go returns an error."""
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def go_quote(value: str) -> str:
    """Go's ``%q`` for ordinary text (printable characters; quotes and backslashes escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
