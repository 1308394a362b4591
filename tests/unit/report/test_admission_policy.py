"""`export admission-policy`: the CEL, evaluated with cel-python (admission_eval.py), refuses the
seed's PersistentVolume and admits it once `iam` is added; on PVs of every volumeHandle form
and access point StorageClasses it reads `iam`, TLS and the file system exactly as the engines
do (model/volume_handle.py, the node plugin's option merge, the IAM engine's answers through
api.admission); and the documents validate against the admissionregistration.k8s.io/v1
schemas (kubernetes-validate) and Kyverno's ValidatingPolicy CRD (tests/data/crds)."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from admission_eval import evaluate, variables_of

from crd_schemas import crd_errors
from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.api.admission import admission_facts
from efs_doctor.engine.analysis import Context
from efs_doctor.model.chain import is_efs_access_point_class
from efs_doctor.model.volume_handle import parse_volume_handle
from efs_doctor.report.admission_policy import admission_documents

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "examples" / "seed-incident"
HEALTHY_AWS = REPO / "examples" / "healthy" / "aws"  # fs-0123456789abcdef0 needs iam and TLS
FS = "fs-0123456789abcdef0"
LONGER = "fs-0123456789abcdef01"  # starts like FS: a prefix match would be wrong
AP = "fsap-0123456789abcdef0"
# Every form of the driver's grammar (efs-semantics.md §3.2), with and without the v3 prefix.
HANDLES = [
    FS,
    f"{FS}:",
    f"{FS}:/data",
    f"{FS}:data/x",
    f"{FS}::{AP}",
    f"{FS}:/data:{AP}",
    f"{FS}:/data:",
    f"efs:{FS}",
    f"efs:{FS}:/data",
    f"efs:{FS}::{AP}",
    f"efs:{FS}:/data:{AP}",
    f"s3files:{FS}",  # an S3 Files file system, not EFS's
    LONGER,
    f"efs:{LONGER}::{AP}",
]
OPTIONS: list[list[str]] = [[], ["iam"], ["IAM"], ["iam=true"], ["tls"], ["iam", "tls"], ["hard"]]
ATTRIBUTES: list[dict[str, str]] = [
    {},
    {"encryptInTransit": "false"},
    {"ENCRYPTINTRANSIT": "0"},
    {"encryptInTransit": "F"},
    {"encryptInTransit": "true"},
]


def documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def pv(name: str, handle: str, options: list[str], attributes: Mapping[str, str]) -> dict[str, Any]:
    csi: dict[str, Any] = {"driver": "efs.csi.aws.com", "volumeHandle": handle}
    if attributes:
        csi["volumeAttributes"] = dict(attributes)
    spec: dict[str, Any] = {"accessModes": ["ReadWriteMany"], "csi": csi}
    if options:
        spec["mountOptions"] = list(options)
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": spec,
    }


def policy_spec(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(d["spec"] for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def seed_pv() -> dict[str, Any]:
    return next(
        d
        for d in yaml.safe_load_all((SEED / "k8s" / "pv-and-claim.yaml").read_text())
        if d["kind"] == "PersistentVolume"
    )


def test_the_seed_pv_is_refused_and_admitted_once_iam_is_added(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("export", "admission-policy", "examples/seed-incident", cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# efs-doctor ")
    assert f"#   {FS}: " in done.stdout  # the header names the guarded file system
    docs = documents(done.stdout)
    spec = policy_spec(docs, "ValidatingAdmissionPolicy", "efs-doctor-pv-mount-options")
    volume = seed_pv()
    [message] = evaluate(spec, volume) or ["not matched"]
    assert message.startswith(f"PersistentVolume efs-pv (volumeHandle {FS}) mounts without")
    assert "AUTH001" in message
    volume["spec"]["mountOptions"] = ["iam"]
    assert evaluate(spec, volume) == []
    # being deleted: never held back (finalizers are removed by updates)
    volume["spec"].pop("mountOptions")
    volume["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert evaluate(spec, volume, "UPDATE") is None
    bindings = [d for d in docs if d["kind"] == "ValidatingAdmissionPolicyBinding"]
    assert [b["spec"]["validationActions"] for b in bindings] == [["Warn", "Audit"]] * 2
    assert {b["spec"]["policyName"] for b in bindings} == {
        "efs-doctor-pv-mount-options",
        "efs-doctor-storageclass-mount-options",
    }


def test_deny_refuses_and_fails_closed(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("export", "admission-policy", "examples/seed-incident", "--deny", cwd=REPO)
    docs = documents(done.stdout)
    assert {tuple(d["spec"]["validationActions"]) for d in docs if "Binding" in d["kind"]} == {
        ("Deny", "Audit")
    }
    assert {
        d["spec"]["failurePolicy"] for d in docs if d["kind"] == "ValidatingAdmissionPolicy"
    } == {"Fail"}


@pytest.fixture(scope="module")
def volumes_and_engine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, ...]:
    """Every handle x options x volumeAttributes as PVs, beside the healthy example's AWS
    state; the engine's reading of each and the facts the policy is built from."""
    root = tmp_path_factory.mktemp("forms")
    shutil.copytree(HEALTHY_AWS, root / "aws")
    volumes = [
        pv(f"pv-{n}", handle, options, attributes)
        for n, (handle, options, attributes) in enumerate(
            itertools.product(HANDLES, OPTIONS, ATTRIBUTES)
        )
    ]
    (root / "volumes.yaml").write_text(yaml.safe_dump_all(volumes), encoding="utf-8")
    inventory = load_inventory([str(root)])
    chains = mount_chains(inventory)
    context = Context(inventory, chains)
    requests = {c.volume.name: context.request(c) for c in chains if c.volume is not None}
    return volumes, requests, admission_facts(inventory)


def test_the_pv_policy_reads_every_handle_form_as_the_engine_does(
    volumes_and_engine: tuple[Any, ...],
) -> None:
    volumes, requests, facts = volumes_and_engine
    assert facts.iam_file_systems == (FS,)
    assert facts.tls_file_systems == (FS,)
    spec = policy_spec(
        admission_documents(facts, deny=False),
        "ValidatingAdmissionPolicy",
        "efs-doctor-pv-mount-options",
    )
    refused = admitted = driver_refuses = 0
    for volume in volumes:
        name = volume["metadata"]["name"]
        request = requests[name]
        if request is None:  # the driver or efs-utils refuses the volume before EFS is asked
            driver_refuses += 1
            continue
        handle = parse_volume_handle(volume["spec"]["csi"]["volumeHandle"])
        values = variables_of(spec, volume)
        where = (name, volume["spec"])
        assert bool(values["iam"]) is request.iam, where
        assert bool(values["tls"]) is request.tls, where
        if handle.type == "efs":
            assert bool(values["accessPoint"]) is (handle.access_point_id is not None), where
        guarded = handle.type == "efs" and handle.file_system_id == FS
        assert bool(values["needsIam"]) is guarded, where
        assert bool(values["needsTls"]) is guarded, where
        failures = evaluate(spec, volume)
        assert failures is not None
        expected = guarded and not (request.iam and request.tls)
        assert bool(failures) is expected, (where, failures)
        if guarded:
            assert ("AUTH001" in " ".join(failures)) is (not request.iam), where
            assert ("AUTH004" in " ".join(failures)) is (not request.tls), where
        refused += bool(failures)
        admitted += not failures
    # 490 volumes: 84 with tls and encryptInTransit false (CSI003) and 81 with iam, TLS off
    # and no access point (CSI004) never reach EFS; of the rest, 132 on FS lack iam or TLS.
    assert (refused, admitted, driver_refuses) == (132, 193, 165)


def test_storage_class_policy_reads_access_point_classes_as_the_engine_does(
    tmp_path: Path,
) -> None:
    shutil.copytree(HEALTHY_AWS, tmp_path / "aws")
    objects: list[dict[str, Any]] = []
    forms = itertools.product(
        ["efs.csi.aws.com", "example.com/nfs"],
        ["efs-ap", "efs-dir", None],
        [FS, LONGER],
        [[], ["iam"], ["IAM"], ["hard"]],
    )
    for n, (provisioner, mode, fs_id, options) in enumerate(forms):
        parameters = {"fileSystemId": fs_id, "directoryPerms": "700"}
        if mode is not None:
            parameters["provisioningMode"] = mode
        storage_class: dict[str, Any] = {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": f"sc-{n}"},
            "provisioner": provisioner,
            "parameters": parameters,
        }
        if options:
            storage_class["mountOptions"] = options
        objects.append(storage_class)
        claim = {"accessModes": ["ReadWriteMany"], "storageClassName": f"sc-{n}"}
        claim["resources"] = {"requests": {"storage": "1Gi"}}
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": f"claim-{n}", "namespace": "default"},
                "spec": claim,
            }
        )
    (tmp_path / "classes.yaml").write_text(yaml.safe_dump_all(objects), encoding="utf-8")
    inventory = load_inventory([str(tmp_path)])
    chains = mount_chains(inventory)
    context = Context(inventory, chains)
    planned = {c.planned.storage_class.name: c for c in chains if c.planned is not None}
    facts = admission_facts(inventory)
    spec = policy_spec(
        admission_documents(facts, deny=False),
        "ValidatingAdmissionPolicy",
        "efs-doctor-storageclass-mount-options",
    )
    refused = 0
    for storage_class in (o for o in objects if o["kind"] == "StorageClass"):
        name = storage_class["metadata"]["name"]
        model = inventory.storage_classes[name]
        guarded = is_efs_access_point_class(model) and model.parameters["fileSystemId"] == FS
        values = variables_of(spec, storage_class)
        assert bool(values["needsIam"]) is guarded, name
        failures = evaluate(spec, storage_class)
        assert failures is not None
        refused += bool(failures)
        if is_efs_access_point_class(model):
            request = context.request(planned[name])
            if request is None:
                # the controller cannot make the volume (engine/mount/provisioning.py): the
                # claim stays Pending and no mount follows; the engine says so at its layer
                layers = {o.layer for o in context.outcomes(planned[name])}
                assert layers == {"provisioning"}, name
                continue
            assert bool(values["iam"]) is request.iam, name
            # an access point forces TLS: the class needs no TLS check (module docstring)
            assert request.tls, name
            assert bool(failures) is (guarded and not request.iam), name
        else:
            assert failures == [], name
    assert refused == 2  # efs-ap on FS without iam: no options, and "hard"


def test_volumes_of_other_drivers_are_not_matched() -> None:
    facts = admission_facts(load_inventory([str(HEALTHY_AWS)]))
    spec = policy_spec(
        admission_documents(facts, deny=False),
        "ValidatingAdmissionPolicy",
        "efs-doctor-pv-mount-options",
    )
    other_driver = pv("other", FS, [], {})
    other_driver["spec"]["csi"]["driver"] = "nfs.csi.k8s.io"
    assert evaluate(spec, other_driver) == []
    no_csi = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "n"}}
    no_csi["spec"] = {"nfs": {"server": "x", "path": "/"}}
    assert evaluate(spec, no_csi) == []


@pytest.mark.parametrize("version", ["1.30.0", "1.37.0"])
def test_documents_validate_against_the_kubernetes_schemas(cli, version: str) -> None:  # type: ignore[no-untyped-def]
    for extra in ([], ["--deny"]):
        done = cli("export", "admission-policy", "examples/healthy", *extra, cwd=REPO)
        docs = documents(done.stdout)
        assert [d["kind"] for d in docs] == [
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
        ] * 2
        for doc in docs:
            kubernetes_validate.validate(doc, version, strict=True)  # raises when invalid
    bad = {**docs[1], "spec": {**docs[1]["spec"], "validationAction": ["Deny"]}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, version, strict=True)


def test_kyverno_validating_policy_is_the_same_check(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli(
        "export", "admission-policy", "examples/seed-incident", "--format", "kyverno", cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    docs = documents(done.stdout)
    assert [(d["apiVersion"], d["kind"]) for d in docs] == [
        ("policies.kyverno.io/v1", "ValidatingPolicy")
    ] * 2
    for doc in docs:
        assert crd_errors(doc, "policies.kyverno.io_validatingpolicies.yaml", "v1") == []
        assert doc["spec"]["validationActions"] == ["Warn", "Audit"]
    native = documents(cli("export", "admission-policy", "examples/seed-incident", cwd=REPO).stdout)
    for doc in docs:
        vap = policy_spec(native, "ValidatingAdmissionPolicy", doc["metadata"]["name"])
        for key in ("matchConstraints", "matchConditions", "variables", "validations"):
            assert doc["spec"][key] == vap[key]
    spec = docs[0]["spec"]
    volume = seed_pv()
    assert evaluate(spec, volume) != []
    volume["spec"]["mountOptions"] = ["iam"]
    assert evaluate(spec, volume) == []


def test_unknown_policies_are_named_and_not_guarded(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The seed's manifests without its AWS state: the policy is unknown, so nothing is
    guarded and both the header and stderr say why (an unknown policy is not the default)."""
    shutil.copytree(SEED / "k8s", tmp_path / "k8s")
    done = cli("export", "admission-policy", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert f"{FS} not guarded: file system policy not among the inputs" in done.stderr
    assert "# Not guarded, undecided:" in done.stdout
    spec = policy_spec(
        documents(done.stdout), "ValidatingAdmissionPolicy", "efs-doctor-pv-mount-options"
    )
    assert evaluate(spec, seed_pv()) == []


def test_no_input_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("export", "admission-policy")
    assert done.returncode == 2
    assert "give PATH..." in done.stderr
