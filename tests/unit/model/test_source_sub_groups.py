"""``SourceMap.sub`` groups the parent's marks once (issue 8) and gives every item exactly
the positions filtering the parent's marks gives."""

from __future__ import annotations

from efs_doctor.model.source import FieldPath, SourceMap


def _marks(items: int) -> dict[FieldPath, tuple[int, int]]:
    marks: dict[FieldPath, tuple[int, int]] = {(): (1, 1), ("kind",): (1, 7), ("items",): (2, 1)}
    for index in range(items):
        line = 3 + index * 3
        marks[("items", index)] = (line, 3)
        marks[("items", index, "metadata")] = (line + 1, 5)
        marks[("items", index, "metadata", "name")] = (line + 2, 11)
    return marks


def test_items_get_their_own_positions() -> None:
    parent = SourceMap("list.yaml", 1, 1, _marks(50))
    for index in (0, 7, 49):
        item = parent.sub("items", index)
        expected = {k[2:]: v for k, v in parent.marks.items() if k[:2] == ("items", index)}
        assert dict(item.marks) == expected
        assert (item.line, item.column) == (3 + index * 3, 3)
        assert item.location("metadata", "name").line == 5 + index * 3
    assert dict(parent.sub("items", 99).marks) == {}
    assert dict(parent.sub("kind").marks) == {(): (1, 7)}


def test_nested_subs_and_lazy_parents() -> None:
    calls: list[int] = []

    def load() -> dict[FieldPath, tuple[int, int]]:
        calls.append(1)
        return _marks(3)

    parent = SourceMap("list.yaml", 1, 1, _loader=load)
    item = parent.sub("items", 2)
    metadata = item.sub("metadata")
    assert dict(metadata.marks) == {(): (10, 5), ("name",): (11, 11)}
    assert parent.sub("items", 1).location("metadata").line == 7
    assert calls == [1]  # the parent's loader ran once
