"""The installed efs-doctor fixture for these tests (integration_kit.py)."""

from __future__ import annotations

from integration_kit import installed

__all__ = ["installed"]
