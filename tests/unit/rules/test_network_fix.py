"""The fixes of the network rules: where a new network ACL entry is numbered, and security
group rules in Terraform's terms (the CLI and CloudFormation forms are asserted by the rule
cases NET002-NET004)."""

from __future__ import annotations

from pathlib import Path

import pytest

from efs_doctor.api import load_inventory
from efs_doctor.model.aws import SecurityGroup
from efs_doctor.model.inventory import Inventory
from efs_doctor.rules.network_fix import _free_rule_number
from efs_doctor.sources.iac.fixes import security_group_rule_fix
from efs_doctor.sources.iac.source_map import iac_source

REPO = Path(__file__).resolve().parents[3]
TERRAFORM = REPO / "tests" / "fixtures" / "iac" / "terraform"
NODES = "sg-0a11aa22bb33cc44d"


@pytest.mark.parametrize(
    ("used", "first_deny", "expected"),
    [
        ({32767}, None, 100),  # an empty list: AWS's own first number
        ({100, 32767}, None, 110),  # after the last entry, leaving room (CLI reference)
        ({100, 105, 110, 32767}, None, 120),
        ({90, 100, 32767}, 90, 89),  # before the deny: the lowest number decides
        ({88, 89, 90}, 90, 87),  # the highest free number below the deny
        ({1}, 1, None),  # no number below rule 1
        ({32766}, None, None),  # 32767 and up are reserved
    ],
)
def test_network_acl_entry_number(used: set[int], first_deny: int | None, expected: int) -> None:
    assert _free_rule_number(set(used), first_deny) == expected


def _group(inventory: Inventory, address: str) -> SecurityGroup:
    for group in inventory.security_groups.values():
        source = iac_source(group)
        if source is not None and source.address == address:
            return group
    raise AssertionError(f"{address} not loaded")


def test_terraform_group_with_inline_rules_gains_an_inline_block() -> None:
    # seed/main.tf writes the mount targets' group with an inline ingress block; a separate
    # rule resource would fight it (AWS provider docs, aws_security_group: do not mix).
    inventory = load_inventory([str(TERRAFORM / "seed" / "plan.json")])
    group = _group(inventory, "aws_security_group.efs")
    fix = security_group_rule_fix(
        inventory, group, direction="ingress", port=2049, peer_group=NODES, cidrs=[]
    )
    assert fix is not None
    assert fix.title == "add an inline ingress block to aws_security_group.efs"
    assert fix.patch is not None
    assert fix.patch.startswith(f"--- {TERRAFORM / 'seed' / 'main.tf'}\n")
    added = [line[1:] for line in fix.patch.splitlines() if line.startswith("+ ")]
    assert added == [
        "  ingress {",
        '    description     = "NFS (TCP 2049) for EFS mounts"',
        "    from_port       = 2049",
        "    to_port         = 2049",
        '    protocol        = "tcp"',
        f'    security_groups = ["{NODES}"]',
        "  }",
    ]


def test_terraform_group_without_inline_rules_gets_rule_resources() -> None:
    # The module's group has no inline rules: the provider's recommended separate resource,
    # one per CIDR (aws_vpc_security_group_egress_rule takes a single cidr_ipv4).
    inventory = load_inventory([str(TERRAFORM / "module-efs" / "plan.json")])
    group = _group(inventory, "module.efs.aws_security_group.this[0]")
    fix = security_group_rule_fix(
        inventory,
        group,
        direction="egress",
        port=2049,
        peer_group=None,
        cidrs=["10.0.0.0/19", "10.0.32.0/19"],
    )
    assert fix is not None
    assert fix.title.startswith(
        "add an aws_vpc_security_group_egress_rule resource beside "
        "module.efs.aws_security_group.this[0]"
    )
    assert fix.snippet == (
        'resource "aws_vpc_security_group_egress_rule" "this_nfs_egress" {\n'
        "  security_group_id = aws_security_group.this[0].id\n"
        '  cidr_ipv4         = "10.0.0.0/19"\n'
        '  ip_protocol       = "tcp"\n'
        "  from_port         = 2049\n"
        "  to_port           = 2049\n"
        '  description       = "NFS (TCP 2049) for EFS mounts"\n'
        "}\n"
        "\n"
        'resource "aws_vpc_security_group_egress_rule" "this_nfs_egress_2" {\n'
        "  security_group_id = aws_security_group.this[0].id\n"
        '  cidr_ipv4         = "10.0.32.0/19"\n'
        '  ip_protocol       = "tcp"\n'
        "  from_port         = 2049\n"
        "  to_port           = 2049\n"
        '  description       = "NFS (TCP 2049) for EFS mounts"\n'
        "}\n"
    )


def test_peer_group_of_the_same_configuration_is_referenced_not_copied() -> None:
    inventory = load_inventory([str(TERRAFORM / "module-efs" / "plan.json")])
    group = _group(inventory, "module.efs.aws_security_group.this[0]")
    fix = security_group_rule_fix(
        inventory, group, direction="ingress", port=2049, peer_group=group.id, cidrs=[]
    )
    assert fix is not None
    assert fix.snippet is not None
    assert "referenced_security_group_id = aws_security_group.this[0].id\n" in fix.snippet
    assert group.id not in fix.snippet  # a stand-in id never reaches the configuration
