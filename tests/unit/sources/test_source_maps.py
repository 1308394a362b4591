"""Where each loaded object and field came from: file, line and column (1-based)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from efs_doctor.model.inventory import Inventory
from efs_doctor.model.source import Location, SourceMap

Load = Callable[..., Inventory]
Write = Callable[[str, str], Path]

MULTI_DOCUMENT = """\
# a comment before the first document
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: efs-sc
provisioner: efs.csi.aws.com
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: claim
spec:
  accessModes: [ReadWriteMany]
  storageClassName: efs-sc
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv
spec:
  accessModes:
    - ReadWriteMany
  storageClassName: efs-sc
  mountOptions: [tls, iam]
  csi:
    driver: efs.csi.aws.com
    volumeHandle: "fs-0123456789abcdef0::fsap-0123456789abcdef0"
"""


def _value_position(path: Path, line_text: str) -> tuple[int, int]:
    """(line, column) of the value on the line containing ``line_text`` ("key: value")."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line_text in line:
            key_end = line.index(line_text) + line_text.index(":") + 1
            column = key_end + (len(line[key_end:]) - len(line[key_end:].lstrip())) + 1
            return number, column
    raise AssertionError(f"{line_text!r} not in {path}")


def test_volume_handle_of_a_pv_in_a_multi_document_file(load: Load, write: Write) -> None:
    path = write("all.yaml", MULTI_DOCUMENT)
    inventory = load(path)
    pv = inventory.persistent_volumes["pv"]
    assert (pv.source.path, pv.source.line, pv.source.column) == (str(path), 16, 1)
    handle = pv.source.location("spec", "csi", "volumeHandle")
    assert handle == Location(str(path), 27, 19)  # the opening quote of the value
    assert str(handle) == f"{path}:27:19"
    assert pv.source.location("spec", "mountOptions", 1) == Location(str(path), 24, 23)
    claim = inventory.claims["default/claim"]
    assert claim.source.line == 8
    assert claim.source.location("spec", "storageClassName").line == 14
    sc = inventory.storage_classes["efs-sc"]
    assert (sc.source.line, sc.source.column) == (2, 1)  # after the comment


def test_a_missing_field_points_at_the_nearest_enclosing_one(load: Load, write: Write) -> None:
    path = write("all.yaml", MULTI_DOCUMENT)
    pv = load(path).persistent_volumes["pv"]
    assert pv.source.location("spec", "csi", "volumeAttributes") == Location(str(path), 26, 5)
    assert pv.source.location("status", "phase") == Location(str(path), 16, 1)
    assert pv.source.location("spec", "csi", object_name="pv").object == "pv"


def test_field_of_an_item_in_a_kubectl_list(load: Load, kubernetes_fixtures: Path) -> None:
    path = kubernetes_fixtures / "kubectl-get-pv-pvc.yaml"
    inventory = load(path)
    pv = inventory.persistent_volumes["shared-pv"]
    assert (pv.source.line, pv.source.column) == (3, 3)  # the "- apiVersion" list item
    assert pv.source.location("spec", "csi", "volumeHandle") == Location(
        str(path), *_value_position(path, "volumeHandle: fs-0123456789abcdef0:/exports/shared")
    )
    claim = inventory.claims["apps/uploads"]
    assert claim.source.location("spec", "volumeName") == Location(
        str(path),
        *_value_position(path, "volumeName: pvc-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"),
    )


def test_field_of_an_item_in_a_json_list(load: Load, kubernetes_fixtures: Path) -> None:
    path = kubernetes_fixtures / "api-persistentvolumelist.json"
    pv = load(path).persistent_volumes["logs-pv"]
    assert pv.source.line == 8
    assert pv.source.location("spec", "csi", "volumeHandle") == Location(
        str(path), *_value_position(path, '"volumeHandle": "fs-0a1b2c3d4e5f67890"')
    )


def test_statement_of_a_json_policy_document(load: Load, write: Write) -> None:
    text = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Mount",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:role/node"},
      "Action": "elasticfilesystem:ClientMount",
      "Resource": [
        "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0"
      ]
    },
    {
      "Sid": "NoPlainText",
      "Effect": "Deny",
      "Principal": {"AWS": "*"},
      "Action": "*",
      "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    }
  ]
}
"""
    path = write("policy.json", text)
    policy = load(path).policies["fs-0123456789abcdef0"]
    assert policy.text == text
    assert policy.text_source is not None
    assert policy.text_source.location("Statement", 1) == Location(str(path), 13, 5)
    assert policy.text_source.location("Statement", 1, "Condition", "Bool") == Location(
        str(path), 18, 29
    )
    assert policy.text_source.location("Statement", 0, "Principal", "AWS") == Location(
        str(path), 7, 28
    )


def test_policy_inside_a_describe_answer_points_at_the_policy_field(
    load: Load, aws_fixtures: Path
) -> None:
    """The policy is a JSON string inside the answer: positions inside it do not map to file
    lines, so consumers point at the Policy field (text_source is None)."""
    path = aws_fixtures / "efs-describe-file-system-policy.json"
    [policy] = load(path).policies.values()
    assert policy.text_source is None
    assert policy.source.location("Policy") == Location(str(path), 3, 15)


def test_field_of_an_aws_list_item(load: Load, aws_fixtures: Path) -> None:
    path = aws_fixtures / "efs-describe-mount-targets.json"
    inventory = load(path)
    positions = sorted(
        (mt.source.line, mt.source.location("IpAddress")) for mt in inventory.mount_targets.values()
    )
    assert positions == [
        (3, Location(str(path), *_value_position(path, '"IpAddress": "10.20.1.5"'))),
        (15, Location(str(path), *_value_position(path, '"IpAddress": "10.20.2.5"'))),
    ]


def test_json_positions_need_no_full_mark_map(load: Load, aws_fixtures: Path) -> None:
    """Composing a whole JSON answer with the YAML parser costs ~30x json.loads; items and
    fields are located one path at a time instead, and the full map is never built."""
    inventory = load(aws_fixtures / "ec2-describe-security-groups.json")
    sg = next(iter(inventory.security_groups.values()))
    assert sg.source.location("GroupId").line is not None
    assert sg.source._marks is None


def _paths(node: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


COMPACT = '{"a":[1,{"b":"c\\u00e9\\"x","d":[]},[[]]],"e":{},"f":null,"g":-1.5e3}'
ODD_SPACING = (
    '\r\n {\t"k" :\r\n  [ "caf\u00e9" ,\t{"x":true} ] ,"y" : "\u00fc\u00fc",\n"z":{"w":[0]}}\n'
)


@pytest.mark.parametrize(
    "name", ["ec2-describe-instances.json", "iam-get-account-authorization-details.json"]
)
def test_json_positions_match_the_full_mark_map(aws_fixtures: Path, name: str) -> None:
    _same_positions((aws_fixtures / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", [COMPACT, ODD_SPACING], ids=["compact", "odd-spacing"])
def test_json_positions_match_on_odd_layouts(text: str) -> None:
    _same_positions(text)


def _same_positions(text: str) -> None:
    from efs_doctor.sources.documents import _json_marks, _JsonPositions

    data = json.loads(text)
    full = _json_marks(text)
    positions = _JsonPositions(text)
    paths = list(_paths(data))
    assert len(paths) > 5
    for field_path in paths:
        assert positions.locate(field_path) == full[field_path], field_path
    assert positions.locate(("no", "such", "path")) is None


def test_a_repeated_json_key_points_at_the_value_json_keeps() -> None:
    from efs_doctor.sources.documents import _JsonPositions

    text = '{"a": 1,\n "a": 2}'
    assert json.loads(text) == {"a": 2}
    assert _JsonPositions(text).locate(("a",)) == (2, 7)


def test_json_the_yaml_composer_cannot_read_has_only_its_start() -> None:
    """A key over 1024 characters is valid JSON, but YAML limits implicit keys to 1024
    characters and PyYAML's composer enforces it: the document loads, its fields have no
    positions of their own, the object's start stands in for them."""
    from efs_doctor.sources.documents import _json_marks

    text = '{"' + "k" * 2000 + '": 1}'
    assert json.loads(text)
    assert _json_marks(text) == {}
    source = SourceMap("f.json", 4, 2, _loader=lambda: _json_marks(text))
    assert source.location("k" * 2000) == Location("f.json", 4, 2)


def test_a_broken_position_loader_is_a_bug_not_a_missing_position() -> None:
    def broken() -> dict[tuple[str | int, ...], tuple[int, int]]:
        raise ValueError("no positions")

    source = SourceMap("f.json", 4, 2, _loader=broken)
    with pytest.raises(ValueError, match="no positions"):
        source.location("a", "b")


def test_location_text_forms() -> None:
    assert str(Location("f.yaml", 3, 7)) == "f.yaml:3:7"
    assert str(Location("f.yaml", 3)) == "f.yaml:3"
    assert str(Location("f.yaml")) == "f.yaml"
    assert str(Location(None, object="fs-0123456789abcdef0")) == "fs-0123456789abcdef0"
