"""Fixtures of the loader's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def yaml_texts_nobody_here_wrote(corpus: Path) -> list[tuple[Path, str]]:
    """Every readable YAML file of the examples, the fixtures, the driver's examples and
    the real-world corpus, with its text: inputs the cheap evidence is checked against."""
    roots = [REPO / "examples", REPO / "tests" / "fixtures", corpus, corpus.parent / "realworld"]
    found: list[tuple[Path, str]] = []
    for path in sorted(p for root in roots if root.is_dir() for p in root.rglob("*.y*ml")):
        try:
            found.append((path, path.read_text(encoding="utf-8-sig")))
        except (UnicodeDecodeError, OSError):
            continue
    return found
