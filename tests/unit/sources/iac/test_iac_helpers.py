"""Small pieces of the IaC readers: Terraform references, unknown masks, the policy document
renderer, the .tf locator, Helm values, vendored managed policies, IaC fixes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from efs_doctor.api import load_inventory
from efs_doctor.sources.iac.common import is_placeholder, placeholder_id
from efs_doctor.sources.iac.fixes import mount_option_fix, policy_document_hcl, policy_fix
from efs_doctor.sources.iac.hcl import TerraformSources, block_in_file
from efs_doctor.sources.iac.helm import efs_csi_service_accounts, merge_values, set_path
from efs_doctor.sources.iac.managed_policies import aws_managed_policy, vendored_names
from efs_doctor.sources.iac.policy_document import NotRenderable, render_policy_document
from efs_doctor.sources.iac.tf_plan import is_unknown, module_key_of, parse_reference

TERRAFORM = Path(__file__).resolve().parents[3] / "fixtures" / "iac" / "terraform"


@pytest.mark.parametrize(
    ("text", "kind", "target", "attribute"),
    [
        ("aws_efs_file_system.this.id", "resource", "aws_efs_file_system.this", ("id",)),
        ("aws_efs_file_system.this[0].arn", "resource", "aws_efs_file_system.this[0]", ("arn",)),
        ('aws_efs_mount_target.z["a.b"].id', "resource", 'aws_efs_mount_target.z["a.b"]', ("id",)),
        (
            "data.aws_iam_policy_document.p[0].json",
            "data",
            "data.aws_iam_policy_document.p[0]",
            ("json",),
        ),
        ("module.efs.id", "module", "module.efs", ("id",)),
        ("module.efs[1].arn", "module", "module.efs[1]", ("arn",)),
        ("var.name", "var", "var.name", ()),
        ("local.x", "other", "local.x", ()),
        ("each.value", "other", "each.value", ()),
    ],
)
def test_parse_reference(text: str, kind: str, target: str, attribute: tuple[str, ...]) -> None:
    parsed = parse_reference(text)
    assert (parsed.kind, parsed.target, parsed.attribute) == (kind, target, attribute)


def test_unknown_masks_and_module_keys() -> None:
    mask = {"spec": [{"csi": [{"volume_handle": True}]}], "id": True}
    assert is_unknown(mask, ("id",))
    assert is_unknown(mask, ("spec", 0, "csi", 0, "volume_handle"))
    assert not is_unknown(mask, ("spec", 0, "csi", 0, "driver"))
    assert is_unknown(True, ("anything", 3))
    assert not is_unknown(False, ("x",))
    assert module_key_of('module.a[0].module.b["k"]') == "a.b"
    assert module_key_of("") == ""


def test_placeholders_are_stable_valid_and_recognisable() -> None:
    value = placeholder_id("fs", "aws_efs_file_system.x")
    assert value == placeholder_id("fs", "aws_efs_file_system.x")
    assert value != placeholder_id("fs", "aws_efs_file_system.y")
    assert len(value) == len("fs-0123456789abcdef0")
    assert is_placeholder(value)
    assert not is_placeholder("fs-0123456789abcdef0")


def test_policy_document_rendering_follows_the_provider() -> None:
    values: dict[str, Any] = {
        "policy_id": "p",
        "statement": [
            {
                "sid": "A",
                "effect": None,
                "actions": ["elasticfilesystem:ClientMount"],
                "resources": [None],
                "principals": [{"type": "AWS", "identifiers": ["*"]}],
                "condition": [
                    {"test": "Bool", "variable": "aws:SecureTransport", "values": ["true"]}
                ],
            },
            {
                "effect": "Deny",
                "actions": ["*"],
                "principals": [{"type": "*", "identifiers": ["*"]}],
            },
        ],
    }
    with pytest.raises(NotRenderable, match=r"statement 1: resources is known only after apply"):
        render_policy_document(values)
    text = render_policy_document(values, lambda path: "arn:fs")
    document = json.loads(text)
    assert document == {
        "Version": "2012-10-17",
        "Id": "p",
        "Statement": [
            {
                "Sid": "A",
                "Effect": "Allow",
                "Action": "elasticfilesystem:ClientMount",
                "Resource": "arn:fs",
                "Principal": {"AWS": "*"},
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            },
            {"Effect": "Deny", "Action": "*", "Principal": "*"},
        ],
    }


def test_policy_document_override_replaces_by_sid() -> None:
    base = json.dumps({"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "x"}]})
    override = json.dumps({"Statement": [{"Sid": "A", "Effect": "Deny", "Action": "x"}]})
    document = json.loads(
        render_policy_document(
            {"source_policy_documents": [base], "override_policy_documents": [override]}
        )
    )
    assert document["Statement"] == [{"Sid": "A", "Effect": "Deny", "Action": "x"}]


def test_tf_locator_finds_nested_attributes_past_strings_and_comments(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        '# resource "not" "this" {\n'
        'resource "kubernetes_persistent_volume_v1" "pv" {\n'
        "  metadata {\n"
        '    name = "a{b" # }\n'
        "  }\n"
        "  spec {\n"
        "    /* } */\n"
        '    mount_options = ["tls"]\n'
        "    persistent_volume_source {\n"
        "      csi {\n"
        '        volume_handle = "${aws_efs_file_system.x.id}::${aws_efs_access_point.y.id}"\n'
        "      }\n"
        "    }\n"
        "  }\n"
        "}\n"
    )
    block = TerraformSources(str(tmp_path)).block(
        str(tmp_path), "managed", "kubernetes_persistent_volume_v1", "pv"
    )
    assert block is not None
    assert block.position == (2, 1)
    assert block.locate(("spec", 0, "mount_options")) == (8, 5)
    handle = ("spec", 0, "persistent_volume_source", 0, "csi", 0, "volume_handle")
    assert block.locate(handle) == (11, 9)
    assert block.attribute_text(handle) == (
        '"${aws_efs_file_system.x.id}::${aws_efs_access_point.y.id}"'
    )
    assert block.locate(("spec", 0, "nothing")) == (6, 3)


def test_helm_values_and_service_accounts() -> None:
    assert set_path("a.b\\.c.d") == ["a", "b.c", "d"]
    values, problems = merge_values(
        [
            "node:\n  serviceAccount:\n    create: false\n",
            "controller: {serviceAccount: {name: c}}",
        ],
        [("controller.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn", "arn:r")],
    )
    assert problems == []
    (account,) = efs_csi_service_accounts(values, "kube-system")
    assert account["metadata"] == {
        "name": "c",
        "namespace": "kube-system",
        "annotations": {"eks.amazonaws.com/role-arn": "arn:r"},
    }


def test_vendored_managed_policies() -> None:
    assert "AmazonEFSCSIDriverPolicy" in vendored_names()
    full = aws_managed_policy("arn:aws:iam::aws:policy/AmazonElasticFileSystemClientFullAccess")
    assert full is not None
    assert full.document is not None
    actions = full.document["Statement"][0]["Action"]
    assert "elasticfilesystem:ClientRootAccess" in actions
    china = aws_managed_policy(
        "arn:aws-cn:iam::aws:policy/AmazonElasticFileSystemClientReadOnlyAccess"
    )
    assert china is not None
    assert china.document is not None
    unverified = aws_managed_policy("arn:aws:iam::aws:policy/AmazonElasticFileSystemsUtils")
    assert unverified is not None
    assert unverified.document is None  # not trusted: unknown, never an old copy
    assert aws_managed_policy("arn:aws:iam::111122223333:policy/AmazonEFSCSIDriverPolicy") is None
    data_dir = Path(__file__).resolve().parents[4] / "src" / "efs_doctor" / "data"
    for path in (data_dir / "aws_managed_policies").glob("*.json"):
        data = json.loads(path.read_text())
        assert data["Sources"]
        assert data["Retrieved"]


def test_mount_option_fix_is_a_diff_of_the_tf() -> None:
    inventory = load_inventory([str(TERRAFORM / "seed" / "plan.json")])
    fix = mount_option_fix(inventory.persistent_volumes["efs-pv"], "iam")
    assert fix is not None
    assert fix.title == "add 'iam' to spec.mount_options of kubernetes_persistent_volume_v1.efs"
    assert fix.patch is not None
    assert '+    mount_options = ["iam"]\n' in fix.patch
    assert fix.patch.startswith(f"--- {TERRAFORM / 'seed' / 'kubernetes.tf'}")


def test_mount_option_fix_extends_an_existing_list(tmp_path: Path) -> None:
    tf = tmp_path / "k.tf"
    tf.write_text('resource "kubernetes_storage_class_v1" "efs" {\n  mount_options = ["tls"]\n}\n')
    block = block_in_file(str(tf), "managed", "kubernetes_storage_class_v1", "efs")
    assert block is not None
    span = block.attribute_span(("mount_options",))
    assert span is not None
    assert block.source.text[span[0] : span[1]] == '["tls"]'


def test_policy_fix_is_an_iam_policy_document_block() -> None:
    inventory = load_inventory([str(TERRAFORM / "seed" / "plan.json")])
    (fs_id,) = inventory.policies
    document = inventory.policies[fs_id].document
    assert document is not None
    fix = policy_fix(inventory, fs_id, document)
    assert fix is not None
    assert fix.snippet is not None
    assert 'data "aws_iam_policy_document" "shared_corrected" {' in fix.snippet
    assert "resources = [aws_efs_file_system.shared.arn]" in fix.snippet
    assert 'variable = "aws:PrincipalArn"' in fix.snippet


def test_hcl_strings_escape_template_sequences() -> None:
    text = policy_document_hcl(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:${aws:username}"}
            ]
        },
        "x",
    )
    assert '"arn:$${aws:username}"' in text
