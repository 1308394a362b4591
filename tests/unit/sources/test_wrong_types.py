"""A field of the wrong type anywhere in a real input shape never raises.

Each fixture (AWS CLI answers, kubectl output, workload manifests) is re-loaded once per field
with that field replaced by a value of another type; loading, settling policies and
resolving chains must not raise. The reader reports and defaults instead (fields.py).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from efs_doctor.model.chain import resolve_chains
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.source import SourceMap
from efs_doctor.sources.documents import Document
from efs_doctor.sources.file_system_policies import settle_policies
from efs_doctor.sources.loader import add_document

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
INPUTS = sorted(
    path
    for pattern in ("aws/*.json", "kubernetes/*.yaml", "kubernetes/*.json")
    for path in FIXTURES.glob(pattern)
)
WRONG_VALUES: tuple[Any, ...] = (5, 1.5, True, None, "x", [], [5], {}, {"k": 5})


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copied = copy.deepcopy(data)
    node = copied
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return copied


def _documents(path: Path) -> list[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return [json.loads(text)]
    return [d for d in yaml.safe_load_all(text) if d is not None]


def test_the_inputs_exist() -> None:
    assert len(INPUTS) >= 20


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_every_field_replaced_by_another_type_loads_without_raising(path: Path) -> None:
    runs = 0
    for document in _documents(path):
        for field_path in _paths(document):
            for value in WRONG_VALUES:
                inventory = Inventory()
                mutated = _replace(document, field_path, value)
                try:
                    add_document(Document(mutated, SourceMap(str(path), 1, 1)), "", inventory)
                    settle_policies(inventory)
                    resolve_chains(inventory)
                except Exception as error:  # pragma: no cover - the failure report
                    pytest.fail(f"{path.name} {field_path} = {value!r}: {error!r}")
                runs += 1
    assert runs > len(WRONG_VALUES)


def test_a_wrong_typed_field_is_reported_with_its_position() -> None:
    """mountOptions: 5 is one warning at the field's line and column; the PV still loads."""
    text = (
        "apiVersion: v1\n"
        "kind: PersistentVolume\n"
        "metadata:\n"
        "  name: wrong\n"
        "spec:\n"
        "  mountOptions: 5\n"
        "  csi:\n"
        "    driver: efs.csi.aws.com\n"
        "    volumeHandle: fs-0123456789abcdef0\n"
    )
    from efs_doctor.sources.documents import parse_yaml

    problems: list[Any] = []
    inventory = Inventory()
    for document in parse_yaml("pv.yaml", text, problems):
        add_document(document, text, inventory)
    assert problems == []
    [problem] = inventory.problems
    assert str(problem) == (
        "pv.yaml:6:17: PersistentVolume wrong: field spec.mountOptions must be a list, "
        "got a number; ignored"
    )
    assert problem.level.value == "warning"
    pv = inventory.persistent_volumes["wrong"]
    assert pv.mount_options == ()
    assert pv.csi is not None
    assert pv.csi.volume_handle == "fs-0123456789abcdef0"
