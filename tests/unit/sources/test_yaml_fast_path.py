"""The fast YAML path (issue 8) gives exactly what PyYAML's constructor and the position walk
give: same values and types, same positions, same problems, and documents of ignored kinds
in a file that is parsed are checked as thoroughly as the others (a file whose lines show
only ignored kinds is not parsed at all: test_cheap_kinds.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from efs_doctor.model.problems import InputProblem
from efs_doctor.sources import documents
from efs_doctor.sources.manifests import ignored_kind

REPO = Path(__file__).resolve().parents[3]


def _reference(text: str) -> tuple[list[tuple[Any, int, int, dict[Any, Any]]], list[str]]:
    """The ordinary path alone: positions walk, then PyYAML's constructor."""
    with_fast_path_disabled = documents._fast_construct
    try:
        documents._fast_construct = _refuse  # type: ignore[assignment]
        problems: list[InputProblem] = []
        found = [
            (d.data, d.source.line, d.source.column, dict(d.source.marks))
            for d in documents.parse_yaml("f.yaml", text, problems)
        ]
    finally:
        documents._fast_construct = with_fast_path_disabled
    return found, [str(p) for p in problems]


def _refuse(*_args: Any, **_kwargs: Any) -> Any:
    raise documents._Unusual


def _fast(text: str) -> tuple[list[tuple[Any, int, int, dict[Any, Any]]], list[str]]:
    problems: list[InputProblem] = []
    found = [
        (d.data, d.source.line, d.source.column, dict(d.source.marks))
        for d in documents.parse_yaml("f.yaml", text, problems)
    ]
    return found, [str(p) for p in problems]


def _typed(value: Any) -> Any:
    """Values with their types, so 1 and True and "1" differ."""
    if isinstance(value, dict):
        return [(_typed(k), _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


SNIPPETS = [
    "a: 1\nb: [1, 2.5, true, null, ~, 2026-01-02, '3', x]\n",
    "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  csi:\n"
    "    driver: efs.csi.aws.com\n    volumeHandle: fs-1::fsap-2\n",
    "on: yes\nno: off\n",  # YAML 1.1 booleans as keys: not plain string keys
    "1: one\n'1': quoted\n",  # repeated after resolution: a duplicate for the position walk
    "a: 1\na: 2\n",  # a duplicate key
    "a: !!binary aGVsbG8=\n",
    "a: !!set {x, y}\n",
    "? [1, 2]\n: unhashable\n",
    "<<: {a: 1}\nb: 2\n",  # merge key without an alias
    "=: value key\n",
    "when: 2024-02-30\n",  # an impossible date: a positioned error
    "n: " + "9" * 5000 + "\n",  # more digits than Python reads
    "a: &x [1]\nb: *x\n",  # an alias: refused
    "url: http://h/?a=1&b=2\n",  # '&' in a value: ordinary path, same result
    "a: " + "[" * 80 + "]" * 80 + "\n",  # deeper than the fast path goes
    "a: !custom x\n",
    "---\n---\nx: 1\n...\n---\n",  # empty documents
    "a: |\n  text\n  more\nb: >-\n  folded\n",
    "just a scalar\n",
    "- 1\n- [2, {c: d}]\n",
    "kind: Service\napiVersion: v1\nmetadata: {name: s}\n---\nkind: ConfigMap\n"
    "apiVersion: v1\ndata: {a: b}\n",
    "kind: [not, text]\napiVersion: v1\n",
    "{apiVersion: v1, kind: Pod, metadata: {name: flow}}\n",
    "a: 1\n---\nb: [unclosed\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_same_as_the_ordinary_path(text: str) -> None:
    expected, expected_problems = _reference(text)
    found, problems = _fast(text)
    assert problems == expected_problems
    assert [(_typed(d), line, col, marks) for d, line, col, marks in found] == [
        (_typed(d), line, col, marks) for d, line, col, marks in expected
    ]


def _inputs() -> list[Path]:
    roots = [REPO / "examples", REPO / "tests" / "fixtures"]
    return sorted(p for root in roots for p in root.rglob("*.y*ml") if p.is_file())


@pytest.mark.parametrize("path", _inputs(), ids=lambda p: str(p.relative_to(REPO)))
def test_same_as_the_ordinary_path_on_the_fixtures(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig", errors="replace")

    class Plain(yaml.CSafeLoader):  # type: ignore[misc]
        pass

    assert _tags(documents.GuardedSafeLoader, text) == _tags(Plain, text)
    expected, expected_problems = _reference(text)
    found, problems = _fast(text)
    assert problems == expected_problems
    assert [(_typed(d), line, col, marks) for d, line, col, marks in found] == [
        (_typed(d), line, col, marks) for d, line, col, marks in expected
    ]


BROKEN_SERVICES = {
    "duplicate key": "kind: Service\napiVersion: v1\nmetadata: {name: a}\nmetadata: {name: b}\n",
    "alias": "kind: Service\napiVersion: v1\nmetadata: &m {name: a}\nspec: {x: *m}\n",
    "bad date": "kind: Service\napiVersion: v1\nmetadata: {created: 2024-02-30}\n",
    "python tag": "kind: ConfigMap\napiVersion: v1\ndata: !!python/tuple [1]\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN_SERVICES))
def test_skipped_kinds_report_the_same_problems(name: str) -> None:
    """In a file that also holds a modelled kind (the PersistentVolume below)."""
    pv = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\n"
    text = BROKEN_SERVICES[name] + "---\n" + pv
    kept: list[InputProblem] = []
    all_documents = list(documents.parse_yaml("f.yaml", text, kept))
    skipped: list[InputProblem] = []
    some_documents = list(documents.parse_yaml("f.yaml", text, skipped, ignored_kind))
    assert [str(p) for p in skipped] == [str(p) for p in kept]
    assert skipped
    kinds = [d.data.get("kind") for d in some_documents]
    assert kinds == [d.data.get("kind") for d in all_documents if d.data.get("kind") != "Service"]


def test_ignored_kinds_are_not_yielded_but_lists_and_modelled_kinds_are() -> None:
    text = "\n---\n".join(
        f"apiVersion: v1\nkind: {kind}\nmetadata: {{name: x}}"
        for kind in ("Service", "PersistentVolume", "List", "ConfigMapList", "Deployment")
    )
    found = list(documents.parse_yaml("f.yaml", text + "\n", [], ignored_kind))
    assert [d.data["kind"] for d in found] == [
        "PersistentVolume",
        "List",
        "ConfigMapList",
        "Deployment",
    ]


def test_a_document_without_apiversion_is_never_skipped() -> None:
    found = list(documents.parse_yaml("f.yaml", "kind: Service\nname: x\n", [], ignored_kind))
    assert [d.data for d in found] == [{"kind": "Service", "name": "x"}]


def test_reference_is_pyyaml() -> None:
    """The reference above is PyYAML's own constructor (so the comparison means something)."""
    text = "a: [1, 2026-01-02, yes]\n"
    [(data, *_rest)], _ = _reference(text)
    assert data == yaml.load(text, Loader=yaml.SafeLoader)


def _tags(loader_class: Any, text: str) -> list[Any]:
    loader = loader_class(text)
    found: list[Any] = []
    try:
        while loader.check_node():
            stack = [loader.get_node()]
            while stack:
                node = stack.pop()
                if node is None:
                    continue
                found.append((node.tag, node.start_mark.line, node.start_mark.column))
                if isinstance(node, yaml.MappingNode):
                    stack.extend(item for pair in node.value for item in pair)
                elif isinstance(node, yaml.SequenceNode):
                    stack.extend(node.value)
    except yaml.YAMLError as error:
        found.append(str(error))
    finally:
        loader.dispose()
    return found


RESOLVER_CASES = [
    *SNIPPETS,
    "a: [yes, No, TRUE, off, y, n, ~, null, Null, '', 0x1f, 0o17, 1_000, -.inf, .NaN, 1e3]\n",
    "b: [2026-01-02, 2026-01-02T03:04:05Z, 12:30:00, 1:30, +1, -0, 3.14, .5, 0.]\n",
    "c: [=, <<, !, '&x', namespace, name, nodeSelector, n1, tls, iam, 'yes', \"1\"]\n",
    "d: " + " ".join(["value"] * 40) + "\n",
]


@pytest.mark.parametrize("text", RESOLVER_CASES)
def test_tag_resolution_shortcut_gives_pyyaml_tags(text: str) -> None:
    class Plain(yaml.CSafeLoader):  # type: ignore[misc]
        pass

    assert _tags(documents.GuardedSafeLoader, text) == _tags(Plain, text)
