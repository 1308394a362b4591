"""FieldReader: typed reads from raw data that report a wrong type instead of raising."""

from __future__ import annotations

from typing import Any

import pytest

from efs_doctor.model.fields import FieldReader
from efs_doctor.model.problems import ProblemLevel
from efs_doctor.model.source import SourceMap

RAW: dict[str, Any] = {
    "spec": {
        "name": "pv",
        "count": 3,
        "countText": "42",
        "negative": "-7",
        "ratio": 1.5,
        "flag": True,
        "flagText": "True",
        "flagWord": "yes",
        "options": ["tls", 7, None, {"a": 1}],
        "labels": {"a": "x", "b": True, "c": 5, "d": ["no"]},
        "list": [{"k": "v"}],
        "none": None,
    }
}


def _reader() -> FieldReader:
    marks = {("spec",): (2, 1), ("spec", "options"): (9, 3), ("spec", "labels", "d"): (14, 8)}
    return FieldReader(RAW, SourceMap("r.yaml", 1, 1, marks), "Thing t")


def test_strings_accept_scalars_as_kubernetes_does() -> None:
    r = _reader()
    assert r.string("spec", "name") == "pv"
    assert r.string("spec", "count") == "3"
    assert r.string("spec", "ratio") == "1.5"
    assert r.string("spec", "flag") == "true"
    assert r.string("spec", "missing") is None
    assert r.string("spec", "none") is None
    assert r.problems == []


def test_integers_and_booleans() -> None:
    r = _reader()
    assert r.integer("spec", "count") == 3
    assert r.integer("spec", "countText") == 42
    assert r.integer("spec", "negative") == -7
    assert r.boolean("spec", "flag") is True
    assert r.boolean("spec", "flagText") is True
    assert r.problems == []
    assert r.integer("spec", "flag") is None  # a boolean is not an integer
    assert r.boolean("spec", "flagWord") is None  # only true/false
    assert [p.message for p in r.problems] == [
        "Thing t: field spec.flag must be an integer, got a boolean; ignored",
        "Thing t: field spec.flagWord must be a boolean, got a string; ignored",
    ]


def test_lists_keep_what_fits_and_report_the_rest_at_their_position() -> None:
    r = _reader()
    assert r.strings("spec", "options") == ("tls", "7")
    assert [(str(p.location), p.message) for p in r.problems] == [
        ("r.yaml:9:3", "Thing t: field spec.options.2 must be a string, got null; ignored"),
        ("r.yaml:9:3", "Thing t: field spec.options.3 must be a string, got a mapping; ignored"),
    ]
    assert all(p.level is ProblemLevel.WARNING for p in r.problems)


def test_string_maps() -> None:
    r = _reader()
    assert r.string_map("spec", "labels") == {"a": "x", "b": "true", "c": "5"}
    [problem] = r.problems
    assert (
        str(problem)
        == "r.yaml:14:8: Thing t: field spec.labels.d must be a string, got a list; ignored"
    )


@pytest.mark.parametrize(
    ("method", "path", "default"),
    [
        ("mapping", ("spec", "name"), {}),
        ("items", ("spec", "labels"), []),
        ("string", ("spec", "list"), None),
        ("strings", ("spec", "name"), ()),
        ("string_map", ("spec", "options"), {}),
    ],
)
def test_wrong_container_types_give_the_empty_default(
    method: str, path: tuple[str, ...], default: object
) -> None:
    r = _reader()
    assert getattr(r, method)(*path) == default
    assert len(r.problems) == 1
    assert "must be a" in r.problems[0].message


def test_paths_through_missing_or_scalar_nodes_are_simply_absent() -> None:
    r = _reader()
    assert r.string("spec", "name", "deeper") is None
    assert r.string("spec", "list", 5, "k") is None
    assert r.string("spec", "list", 0, "k") == "v"
    assert r.items("nothing", "here") == []
    assert r.problems == []
