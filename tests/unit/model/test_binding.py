"""Binding as the PV controller decides it (model/binding.py; kubernetes/kubernetes
pkg/controller/volume/persistentvolume/pv_controller.go ``syncUnboundClaim`` and
``checkVolumeSatisfyClaim``, index.go ``findByClaim``, component-helpers
storage/volume/pv_helpers.go ``FindMatchingVolume``, at 109698ca)."""

from __future__ import annotations

from typing import Any

from efs_doctor.model.binding import NO_CLASS_EVENT, Binding, bind, claim_class, selector_matches
from efs_doctor.model.kubernetes import (
    PersistentVolume,
    PersistentVolumeClaim,
    StorageClass,
)
from efs_doctor.model.source import LIVE


def pv(name: str, size: str = "5Gi", **spec: Any) -> PersistentVolume:
    labels = spec.pop("labels", {})
    raw = {
        "kind": "PersistentVolume",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "capacity": {"storage": size},
            "accessModes": spec.pop("accessModes", ["ReadWriteMany"]),
            "csi": {"driver": "efs.csi.aws.com", "volumeHandle": "fs-0123456789abcdef0"},
            **spec,
        },
    }
    return PersistentVolume.from_raw(raw, LIVE)[0]


def pvc(name: str = "data", size: str = "5Gi", **spec: Any) -> PersistentVolumeClaim:
    raw = {
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": "web"},
        "spec": {
            "accessModes": spec.pop("accessModes", ["ReadWriteMany"]),
            "resources": {"requests": {"storage": size}},
            **spec,
        },
    }
    return PersistentVolumeClaim.from_raw(raw, LIVE)[0]


def default_class(name: str = "gp3") -> StorageClass:
    raw = {
        "kind": "StorageClass",
        "metadata": {
            "name": name,
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "ebs.csi.aws.com",
    }
    return StorageClass.from_raw(raw, LIVE)[0]


def run(
    claim: PersistentVolumeClaim,
    volumes: list[PersistentVolume],
    default: StorageClass | None = None,
) -> Binding:
    by_name = {v.name: v for v in volumes}
    requested = claim_class(claim, default)
    unbound = [v for v in volumes if v.claim_ref is None]
    prebound = next((v for v in volumes if v.claim_ref == (claim.namespace, claim.name)), None)
    return bind(
        claim,
        by_name,
        default,
        prebound=prebound,
        available=[v for v in unbound if (v.storage_class or "") == requested],
        others=lambda: unbound,
    )


def test_the_smallest_volume_that_is_big_enough() -> None:
    # FindMatchingVolume keeps the smallest volume whose capacity >= the request
    volumes = [pv("big", "10Gi", storageClassName=""), pv("small", "5Gi", storageClassName="")]
    assert run(pvc(size="5Gi", storageClassName=""), volumes).volume is volumes[1]
    assert run(pvc(size="6Gi", storageClassName=""), volumes).volume is volumes[0]


def test_capacity_compares_quantities_not_text() -> None:
    volumes = [pv("gib", "1Gi", storageClassName="")]
    assert run(pvc(size="1073741824", storageClassName=""), volumes).volume is volumes[0]
    assert run(pvc(size="1074M", storageClassName=""), volumes).volume is None


def test_too_small_everywhere_stays_pending_with_the_controllers_event() -> None:
    binding = run(pvc(size="11Gi", storageClassName=""), [pv("home", "10Gi", storageClassName="")])
    assert binding.volume is None
    assert binding.pending
    assert binding.event == NO_CLASS_EVENT
    assert binding.closest is not None
    assert binding.closest.name == "home"
    assert binding.problems[0].startswith("requested PV is too small")


def test_unset_class_takes_the_default_class_and_misses_a_classless_volume() -> None:
    # DefaultStorageClass admission: the claim asks for gp3, the static PV has class ""
    volume = pv("static", storageClassName="")
    binding = run(pvc(), [volume], default_class())
    assert binding.volume is None
    assert binding.requested_class == "gp3"
    assert binding.event is None  # gp3 provisions a volume: not a binding failure
    assert any("storageClassName does not match" in p for p in binding.problems)
    # without a default class, unset is "": it binds
    assert run(pvc(), [volume]).volume is volume


def test_empty_class_is_not_the_default_class() -> None:
    volume = pv("efs-sc-pv", storageClassName="efs-sc")
    binding = run(pvc(storageClassName=""), [volume], default_class("efs-sc"))
    assert binding.volume is None
    assert binding.event == NO_CLASS_EVENT


def test_access_modes_must_all_be_offered() -> None:
    volume = pv("rwo", accessModes=["ReadWriteOnce"], storageClassName="")
    binding = run(pvc(accessModes=["ReadWriteMany"], storageClassName=""), [volume])
    assert binding.volume is None
    assert binding.problems == (
        "incompatible accessMode (the claim asks for ReadWriteMany; the PV offers ReadWriteOnce)",
    )


def test_fewest_access_modes_first() -> None:
    # index.go: the access-mode sets with the fewest modes are searched first
    both = pv("both", "5Gi", accessModes=["ReadWriteOnce", "ReadWriteMany"], storageClassName="")
    rwo = pv("rwo", "10Gi", accessModes=["ReadWriteOnce"], storageClassName="")
    claim = pvc(accessModes=["ReadWriteOnce"], storageClassName="")
    assert run(claim, [both, rwo]).volume is rwo


def test_volume_mode_unset_is_filesystem() -> None:
    block = pv("block", volumeMode="Block", storageClassName="")
    fs = pv("fs", storageClassName="")
    assert run(pvc(storageClassName=""), [block]).volume is None
    assert run(pvc(storageClassName="", volumeMode="Filesystem"), [fs]).volume is fs


def test_selector_match_labels_and_expressions() -> None:
    a = pv("a", labels={"app": "airflow-dags", "tier": "gold"}, storageClassName="")
    b = pv("b", labels={"app": "airflow-logs"}, storageClassName="")
    claim = pvc(
        storageClassName="",
        selector={
            "matchLabels": {"app": "airflow-logs"},
            "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}],
        },
    )
    assert run(claim, [a, b]).volume is b
    assert claim.selector is not None
    assert not selector_matches(claim.selector, a.meta.labels)


def test_selector_operators() -> None:
    claim = pvc(
        selector={
            "matchExpressions": [
                {"key": "zone", "operator": "In", "values": ["a", "b"]},
                {"key": "env", "operator": "NotIn", "values": ["prod"]},
                {"key": "team", "operator": "Exists"},
            ]
        }
    )
    assert claim.selector is not None
    assert selector_matches(claim.selector, {"zone": "a", "team": "x"})
    assert not selector_matches(claim.selector, {"zone": "c", "team": "x"})
    assert not selector_matches(claim.selector, {"zone": "a", "env": "prod", "team": "x"})
    assert not selector_matches(claim.selector, {"zone": "a"})


def test_volume_name_that_does_not_satisfy_is_a_volume_mismatch() -> None:
    volume = pv("efs-pv", "5Gi", storageClassName="efs-sc")
    binding = run(pvc(size="10Gi", storageClassName="efs-sc", volumeName="efs-pv"), [volume])
    assert binding.volume is None
    assert binding.event == 'Cannot bind to requested volume "efs-pv": requested PV is too small'
    binding = run(pvc(storageClassName="other", volumeName="efs-pv"), [volume])
    assert binding.event == (
        'Cannot bind to requested volume "efs-pv": storageClassName does not match'
    )


def test_volume_name_bound_to_another_claim() -> None:
    volume = pv("efs-pv", claimRef={"namespace": "web", "name": "someone-else"})
    binding = run(pvc(volumeName="efs-pv"), [volume])
    assert binding.event == 'volume "efs-pv" already bound to a different claim.'


def test_claim_ref_prebinding_wins_over_a_smaller_volume() -> None:
    reserved = pv("reserved", "10Gi", claimRef={"namespace": "web", "name": "data"})
    smaller = pv("smaller", "5Gi")
    assert run(pvc(), [smaller, reserved]).volume is reserved


def test_claim_ref_prebinding_still_needs_capacity() -> None:
    reserved = pv("reserved", "1Gi", claimRef={"namespace": "web", "name": "data"})
    binding = run(pvc(size="5Gi"), [reserved])
    assert binding.volume is None
    assert binding.closest is reserved
