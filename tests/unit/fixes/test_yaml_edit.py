"""Round-trip YAML edits: only the document concerned changes; comments, quotes, flow style
and other documents are kept."""

from __future__ import annotations

import pytest

from efs_doctor.findings import YamlEdit
from efs_doctor.fixes.yaml_edit import EditError, apply_edits

PV = """\
# shared volume
apiVersion: v1
kind: PersistentVolume
metadata:
  name: efs-pv   # the one
spec:
  accessModes: ["ReadOnlyMany"]
  csi:
    driver: efs.csi.aws.com
    volumeHandle: 'fs-0123456789abcdef0'
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data,   namespace: default}
"""


def edit(
    operation: str, field: tuple[str, ...], value: str | bool, new: str | None = None
) -> YamlEdit:
    return YamlEdit("pv.yaml", "PersistentVolume", "efs-pv", None, operation, field, value, new)  # type: ignore[arg-type]


def test_append_creates_the_list_before_csi_and_keeps_the_rest() -> None:
    out = apply_edits(PV, [edit("append", ("spec", "mountOptions"), "iam")])
    assert "  mountOptions:\n  - iam\n  csi:\n" in out
    assert "# the one" in out
    assert "'fs-0123456789abcdef0'" in out
    assert out.endswith("metadata: {name: data,   namespace: default}\n")  # untouched document


def test_append_is_idempotent_and_keeps_flow_style() -> None:
    text = PV.replace(
        'accessModes: ["ReadOnlyMany"]', "accessModes: [ReadWriteMany]\n  mountOptions: [tls]"
    )
    once = apply_edits(text, [edit("append", ("spec", "mountOptions"), "iam")])
    assert "mountOptions: [tls, iam]" in once
    assert apply_edits(once, [edit("append", ("spec", "mountOptions"), "iam")]) == once


def test_replace_set_and_delete() -> None:
    out = apply_edits(
        PV,
        [
            edit("replace", ("spec", "accessModes"), "ReadOnlyMany", "ReadWriteMany"),
            edit("set", ("spec", "csi", "readOnly"), True),
        ],
    )
    assert 'accessModes: ["ReadWriteMany"]' in out or "accessModes: [ReadWriteMany]" in out
    assert "readOnly: true" in out
    attrs = apply_edits(
        PV, [edit("set", ("spec", "csi", "volumeAttributes", "encryptInTransit"), "true")]
    )
    assert 'encryptInTransit: "true"' in attrs
    gone = apply_edits(
        attrs, [edit("delete", ("spec", "csi", "volumeAttributes", "encryptInTransit"), "")]
    )
    assert "volumeAttributes" not in gone


def test_items_of_a_list_document() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: PersistentVolume\n"
        "  metadata:\n    name: efs-pv\n  spec:\n"
        "    csi: {driver: efs.csi.aws.com, volumeHandle: fs-0123456789abcdef0}\n"
    )
    out = apply_edits(text, [edit("append", ("spec", "mountOptions"), "iam")])
    assert "mountOptions:" in out
    assert "- iam" in out


def test_missing_object_is_an_error() -> None:
    with pytest.raises(EditError):
        apply_edits(
            PV.replace("efs-pv", "other"), [edit("append", ("spec", "mountOptions"), "iam")]
        )
