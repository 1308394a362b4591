"""YAML and JSON parsing: safe (no Python tags, no aliases), bounded, and partial failures
keep what was read before them (dependencies.md §5)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import ProblemLevel

Load = Callable[..., Inventory]
Write = Callable[[str, str | bytes], Path]

PV = """\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: {name}
spec:
  csi:
    driver: efs.csi.aws.com
    volumeHandle: fs-0123456789abcdef0
"""


def _messages(inventory: Inventory) -> list[str]:
    return [str(p) for p in inventory.problems]


def test_a_broken_later_document_keeps_the_earlier_ones(load: Load, write: Write) -> None:
    path = write("two.yaml", PV.format(name="first") + "---\nkind: [unclosed\n")
    inventory = load(path)
    assert set(inventory.persistent_volumes) == {"first"}
    [problem] = inventory.problems
    assert problem.level is ProblemLevel.ERROR
    assert problem.location.path == str(path)
    assert problem.location.line == 11
    assert problem.message.startswith("invalid YAML: ")


def test_aliases_are_refused_per_document(load: Load, write: Write) -> None:
    """Even a harmless merge key is refused (aliases can expand without bound); the other
    documents of the file still load."""
    with_alias = """\
apiVersion: v1
kind: ConfigMap
metadata: &meta
  name: defaults
data:
  copy: *meta
"""
    path = write(
        "mixed.yaml",
        PV.format(name="before") + "---\n" + with_alias + "---\n" + PV.format(name="after"),
    )
    inventory = load(path)
    assert set(inventory.persistent_volumes) == {"before", "after"}
    assert _messages(inventory) == [
        f"{path}:12:11: YAML aliases/anchors are not accepted (they can expand without bound); "
        "write the values out; document skipped"
    ]


def test_the_billion_laughs_is_refused_quickly(load: Load, write: Write) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 12):
        name, previous = chr(97 + index), chr(96 + index)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    path = write("bomb.yaml", "\n".join(levels) + "\n")
    started = time.monotonic()
    inventory = load(path)
    assert time.monotonic() - started < 2
    assert inventory.is_empty
    assert [p.location.line for p in inventory.problems] == [1]


@pytest.mark.parametrize(
    "tagged",
    [
        '!!python/object/apply:os.system ["true"]',
        "!!python/name:os.system",
        "!!python/object:builtins.dict {}",
        "key: !!python/tuple [1, 2]",
    ],
)
def test_python_tags_are_errors(load: Load, write: Write, tagged: str) -> None:
    inventory = load(write("tagged.yaml", tagged + "\n"))
    assert inventory.is_empty
    [problem] = inventory.problems
    assert problem.level is ProblemLevel.ERROR
    assert "could not determine a constructor for the tag" in problem.message


def test_deep_nesting_is_one_error(load: Load, write: Write) -> None:
    yaml_path = write("deep.yaml", "a: " + "[" * 50_000 + "]" * 50_000 + "\n")
    json_path = write("deep.json", '{"a": ' + "[" * 50_000 + "]" * 50_000 + "}\n")
    inventory = load(yaml_path, json_path)
    assert inventory.is_empty
    assert [(p.location.path, p.level) for p in inventory.problems] == [
        (str(yaml_path), ProblemLevel.ERROR),
        (str(json_path), ProblemLevel.ERROR),
    ]


def test_flow_style_yaml_that_looks_like_json(load: Load, write: Write) -> None:
    """``{apiVersion: v1, ...}`` is YAML (kubectl takes it); a ``.json`` file must be JSON."""
    flow = (
        "{apiVersion: v1, kind: PersistentVolume, metadata: {name: flow}, "
        "spec: {csi: {driver: efs.csi.aws.com, volumeHandle: fs-0123456789abcdef0}}}\n"
    )
    as_yaml = load(write("flow.yaml", flow))
    assert as_yaml.problems == []
    assert set(as_yaml.persistent_volumes) == {"flow"}
    as_json = load(write("flow.json", flow))
    assert as_json.is_empty
    [problem] = as_json.problems
    assert problem.message == "invalid JSON: Expecting property name enclosed in double quotes"
    assert (problem.location.line, problem.location.column) == (1, 2)


def test_byte_order_mark_and_crlf(load: Load, write: Write) -> None:
    text = PV.format(name="windows").replace("\n", "\r\n")
    inventory = load(write("bom.yaml", b"\xef\xbb\xbf" + text.encode()))
    assert inventory.problems == []
    pv = inventory.persistent_volumes["windows"]
    assert pv.source.location("spec", "csi", "volumeHandle").line == 8


def test_empty_and_comment_only_files_hold_nothing(load: Load, write: Write) -> None:
    inventory = load(write("empty.yaml", ""), write("comments.yaml", "# nothing\n---\n---\n"))
    assert inventory.is_empty
    assert inventory.problems == []
    assert len(inventory.files) == 2


def test_json_that_is_not_an_object_is_a_debug_note(load: Load, write: Write) -> None:
    inventory = load(write("list.json", "[1, 2, 3]\n"))
    assert inventory.is_empty
    assert [p.level for p in inventory.problems] == [ProblemLevel.DEBUG]


def test_a_directory_walk_reads_yaml_and_json_only_and_skips_hidden(
    load: Load, write: Write, tmp_path: Path
) -> None:
    write("a/pv.yaml", PV.format(name="a"))
    write("a/b/pv.yml", PV.format(name="b"))
    write(
        "a/b/pv.JSON", '{"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "c"}}'
    )
    write("a/notes.txt", PV.format(name="txt"))
    write("a/.git/pv.yaml", PV.format(name="hidden"))
    inventory = load(tmp_path / "a")
    assert set(inventory.persistent_volumes) == {"a", "b", "c"}
    # a file named on the command line is read whatever its suffix
    assert set(load(tmp_path / "a" / "notes.txt").persistent_volumes) == {"txt"}


def test_a_path_given_twice_is_read_once(load: Load, write: Write) -> None:
    path = write("pv.yaml", PV.format(name="once"))
    inventory = load(path, path)
    assert inventory.files == [str(path)]
    assert inventory.problems == []


def test_a_directory_loop_does_not_trap_the_walk(load: Load, write: Write, tmp_path: Path) -> None:
    write("d/pv.yaml", PV.format(name="looped"))
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    inventory = load(tmp_path / "d")
    assert set(inventory.persistent_volumes) == {"looped"}
    assert inventory.files == [str(tmp_path / "d" / "pv.yaml")]


def test_the_walk_gives_files_in_sorted_top_down_order_and_reports_what_it_cannot_read(
    tmp_path: Path,
) -> None:
    """A directory's files by name, then each subdirectory's in name order: the order
    ``os.walk`` gives with sorted names, which findings and problems follow."""
    import os

    from efs_doctor.model.problems import InputProblem
    from efs_doctor.sources.files import iter_input_paths

    for name in ("b.yaml", "a/z.yaml", "a/b/c.yml", "a.yaml", "a/a.json", "ab/x.yaml", "Z.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}\n")
    (tmp_path / "a" / "link.yaml").symlink_to(tmp_path / "b.yaml")  # a link to a file is read
    (tmp_path / "dir.yaml").symlink_to(tmp_path / "ab")  # a link to a directory is not
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.yaml").write_text("{}\n")
    locked.chmod(0)
    try:
        problems: list[InputProblem] = []
        walked = list(iter_input_paths([str(tmp_path)], problems))
        expected = []
        for root, dirs, files in os.walk(tmp_path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            expected += [os.path.join(root, f) for f in sorted(files)]
        readable = os.access(locked, os.R_OK)  # root reads it anyway
    finally:
        locked.chmod(0o755)
    assert walked == expected
    assert walked[:3] == [str(tmp_path / n) for n in ("Z.yaml", "a.yaml", "b.yaml")]
    assert str(tmp_path / "a" / "link.yaml") in walked
    assert not any(path.startswith(str(tmp_path / "dir.yaml")) for path in walked)
    if not readable:
        assert [str(p) for p in problems] == [f"{locked}: permission denied"]


def test_not_a_regular_file(load: Load, tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    inventory = load(fifo)
    assert _messages(inventory) == [f"{fifo}: not a regular file; skipped"]
