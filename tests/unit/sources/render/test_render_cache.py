"""The render cache's own rules: what may be stored as JSON objects, inputs read once."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from efs_doctor.sources.render.cache import RenderCache, comes_back_from_json


@pytest.mark.parametrize(
    "value",
    [
        {"kind": "Deployment", "spec": {"replicas": 3, "paused": False, "x": None}},
        [1, 2.5, "a", True],
    ],
)
def test_what_json_gives_back_alike_is_stored_as_objects(value: object) -> None:
    assert comes_back_from_json(value)


@pytest.mark.parametrize(
    "value",
    [
        {1: "an integer key comes back as the string '1'"},
        {"when": datetime.date(2024, 1, 1)},  # a YAML timestamp
        {"bytes": b"\x00"},  # !!binary
        {"pair": (1, 2)},  # comes back a list
        {"ratio": float("nan")},
        [{"deep": [{"inf": float("inf")}]}],
    ],
)
def test_what_json_changes_is_not(value: object) -> None:
    assert not comes_back_from_json(value)


def test_an_input_is_read_once_per_scan_and_its_change_is_seen_by_the_next(
    tmp_path: Path,
) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("a: 1\n")
    cache = RenderCache(str(tmp_path / "cache"))
    first = cache.key(("kustomize",), [str(base)])
    base.write_text("a: 2\n")
    # the same scan: the base of several overlays is hashed once
    assert cache.key(("kustomize",), [str(base)]) == first
    # the next scan reads it again
    assert RenderCache(str(tmp_path / "cache")).key(("kustomize",), [str(base)]) != first
