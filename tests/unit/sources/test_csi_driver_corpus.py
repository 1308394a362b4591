"""The EFS CSI driver's own examples (../shared/corpus/csi-driver-examples, unchanged from
kubernetes-sigs/aws-efs-csi-driver examples/kubernetes/efs at a4fc676): every file loads with
no error, and each example yields the mount chains its files allow.

Examples reuse object names (every one has an ``efs-sc`` and most an ``efs-app``), so each
``specs/`` directory is loaded on its own; cross_account_mount holds alternatives of one
example and is loaded per alternative.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from efs_doctor.api import mount_chains
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory
from efs_doctor.model.problems import ProblemLevel

Load = Callable[..., Inventory]
HANDLE_ERROR = (
    "volume ID 'efs:[Filesystem ID]' is invalid: Expected a file system ID of the form "
    "'fs-[0-9a-f]{8,40}'"
)


def _chains(load: Load, *paths: Path) -> tuple[Inventory, list[MountChain]]:
    inventory = load(*paths)
    assert [str(p) for p in inventory.problems if p.level is not ProblemLevel.DEBUG] == []
    return inventory, mount_chains(inventory)


def _rows(
    chains: list[MountChain],
) -> list[tuple[str | None, str | None, str | None, str | None, str | None, str | None]]:
    """(pod, pvc, pv, file system, access point, subpath) per chain."""
    return [
        (
            c.pod_key,
            c.claim_key,
            c.volume_name,
            c.file_system_id,
            c.access_point_id,
            c.handle.subpath if c.handle is not None else None,
        )
        for c in chains
    ]


def test_every_file_loads_without_error(load: Load, corpus: Path) -> None:
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".yaml", ".json"))
    assert len(files) == 31
    for path in files:
        inventory = load(path)
        assert inventory.errors == [], [str(p) for p in inventory.errors]
        if path.suffix == ".yaml":
            # every manifest holds something efs-doctor reads, with nothing to complain of
            assert not inventory.is_empty, path
            assert inventory.problems == [], [str(p) for p in inventory.problems]
        else:
            # the cross-account IAM examples are identity and trust policies, not file system
            # policies: told, not loaded as one
            assert inventory.policies == {}
            [note] = inventory.problems
            assert note.level is ProblemLevel.WARNING
            assert "not a file system policy" in note.message


def test_access_points(load: Load, corpus: Path) -> None:
    _, chains = _chains(load, corpus / "access_points" / "specs")
    assert _rows(chains) == [
        (
            "default/efs-app",
            "default/efs-claim1",
            "efs-pv1",
            "fs-e8a95a42",
            "fsap-068c22f0246419f75",
            "/",
        ),
        (
            "default/efs-app",
            "default/efs-claim2",
            "efs-pv2",
            "fs-e8a95a42",
            "fsap-19f752f0068c22464",
            "/",
        ),
    ]
    assert all(c.handle is not None and c.handle.prefixed for c in chains)
    # both claims fit both volumes: the pairing is an assumption, and says so
    assert any("2 PVs could bind" in note for note in chains[0].notes)


def test_volume_path(load: Load, corpus: Path) -> None:
    _, chains = _chains(load, corpus / "volume_path" / "specs")
    assert _rows(chains) == [
        ("default/efs-app", "default/efs-claim1", "efs-pv1", "fs-e8a95a42", None, "/dir1"),
        ("default/efs-app", "default/efs-claim2", "efs-pv2", "fs-e8a95a42", None, "/dir2"),
    ]
    assert [c.handle.mount_source for c in chains if c.handle] == [
        "fs-e8a95a42:/dir1",
        "fs-e8a95a42:/dir2",
    ]


def test_static_provisioning(load: Load, corpus: Path) -> None:
    _, chains = _chains(load, corpus / "static_provisioning" / "specs")
    assert _rows(chains) == [
        ("default/efs-app", "default/efs-claim", "efs-pv", "fs-e8a95a42", None, "/")
    ]
    [chain] = chains
    assert chain.volume is not None
    assert chain.volume.mount_options == ()
    assert chain.storage_class is not None
    assert chain.storage_class.name == "efs-sc"
    assert chain.planned is None


def test_multiple_pods_share_one_volume(load: Load, corpus: Path) -> None:
    _, chains = _chains(load, corpus / "multiple_pods" / "specs")
    assert _rows(chains) == [
        ("default/app1", "default/efs-claim", "efs-pv", "fs-4af69aab", None, "/"),
        ("default/app2", "default/efs-claim", "efs-pv", "fs-4af69aab", None, "/"),
    ]
    assert chains[0].volume is chains[1].volume


def test_statefulset(load: Load, corpus: Path) -> None:
    """This example's StatefulSet mounts one shared claim (no volumeClaimTemplates)."""
    inventory, chains = _chains(load, corpus / "statefulset" / "specs")
    assert _rows(chains) == [
        ("default/statefulset/efs-app-sts", "default/efs-claim", "efs-pv", "fs-4af69aab", None, "/")
    ]
    [sts] = inventory.workloads
    assert sts.claim_templates == ()


def test_dynamic_provisioning_is_a_planned_volume(load: Load, corpus: Path) -> None:
    _, chains = _chains(load, corpus / "dynamic_provisioning" / "specs")
    assert _rows(chains) == [
        ("default/efs-app", "default/efs-claim", None, "fs-92107410", None, None)
    ]
    [chain] = chains
    assert chain.planned is not None
    # efs-semantics.md §3.7: uid/gid unset -> the first GID of gidRangeStart..gidRangeEnd
    assert (chain.planned.uid, chain.planned.gid) == (1000, 1000)
    assert chain.planned.base_path == "/dynamic_provisioning"
    assert chain.planned.directory_perms == "700"
    assert chain.planned.handle == "efs:fs-92107410::<new access point>"


def test_encryption_in_transit(load: Load, corpus: Path) -> None:
    _, chains = _chains(load, corpus / "encryption_in_transit" / "specs")
    assert _rows(chains) == [
        ("default/efs-app", "default/efs-claim", "efs-pv", "fs-4af69aab", None, "/")
    ]
    [chain] = chains
    assert chain.volume is not None
    assert chain.volume.csi is not None
    assert chain.volume.csi.volume_attributes == {"encryptInTransit": "true"}


@pytest.mark.parametrize("pv_file", ["pv.yaml", "pv-mounttargetip.yaml"])
def test_cross_account_static_placeholder_handle_is_a_chain_error(
    load: Load, corpus: Path, pv_file: str
) -> None:
    """The example PV keeps the placeholder ``efs:[Filesystem ID]``: it loads, and its chain
    carries the driver's own InvalidArgument message (efs-semantics.md §3.2)."""
    specs = corpus / "cross_account_mount" / "specs"
    _, chains = _chains(
        load,
        specs / "storageclass-static-prov.yaml",
        specs / pv_file,
        specs / "claim.yaml",
        specs / "pod-static-prov.yaml",
    )
    assert _rows(chains) == [("default/efs-app", "default/efs-claim", "efs-pv", None, None, None)]
    [chain] = chains
    assert chain.handle is None
    assert chain.handle_error == HANDLE_ERROR
    assert chain.planned is None


@pytest.mark.parametrize(
    "class_file", ["storageclass.yaml", "storageclass-dns.yaml", "storageclass-default.yaml"]
)
def test_cross_account_dynamic_is_a_planned_volume(
    load: Load, corpus: Path, class_file: str
) -> None:
    specs = corpus / "cross_account_mount" / "specs"
    _, chains = _chains(load, specs / class_file, specs / "pod.yaml")
    assert _rows(chains) == [
        ("default/efs-app", "default/efs-claim", None, "fs-1234abcd", None, None)
    ]
    [chain] = chains
    assert chain.planned is not None
    assert (chain.planned.uid, chain.planned.gid) == (1000, 1000)
    assert chain.storage_class is not None
    assert chain.storage_class.parameters["csi.storage.k8s.io/provisioner-secret-name"] == (
        "x-account"
    )


def test_cross_account_directory_as_a_whole(load: Load, corpus: Path) -> None:
    """Loaded together the alternatives replace one another (with a warning each); the PV
    with the placeholder handle still gives its chain and its handle error."""
    inventory = load(corpus / "cross_account_mount")
    assert inventory.errors == []
    replaced = [p for p in inventory.problems if "is defined more than once" in p.message]
    assert len(replaced) == 6  # 3 classes, 1 PV, 1 claim, 1 pod replaced
    assert all(p.level is ProblemLevel.DEBUG for p in replaced)  # -v lists them
    [summary] = [p for p in inventory.problems if "objects defined more than once" in p.message]
    assert summary.level is ProblemLevel.WARNING
    assert summary.message.startswith("6 objects defined more than once")
    chains = mount_chains(inventory)
    errors = [c.handle_error for c in chains if c.volume_name == "efs-pv"]
    assert errors == [HANDLE_ERROR]
