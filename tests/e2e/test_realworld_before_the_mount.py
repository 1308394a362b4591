"""Real public configurations (corpus/realworld, SOURCES.md there) report what happens before
the node mounts at the right object and layer: the API server's refusals, binding, and EFS
mounted as an in-tree nfs volume (issue 16)."""

from __future__ import annotations

from pathlib import Path

from efs_doctor.api import analyze, load_inventory, mount_chains
from efs_doctor.config import Config
from efs_doctor.engine.mount import Simulator


def _realworld(corpus: Path, folder: str) -> str:
    return str(corpus.parent / "realworld" / folder)


def test_driver_chart_storage_class_is_refused_by_the_api_server(corpus: Path) -> None:
    # charts/aws-efs-csi-driver values.yaml storageClasses example: ensureUniqueDirectory: true
    path = _realworld(corpus, "02-efs-csi-driver-helm-chart/rendered/with-storageclass.yaml")
    report = analyze(load_inventory([path]), Config())
    (finding,) = [f for f in report.findings if f.code == "K8S002"]
    assert finding.location.object == "StorageClass/efs-sc"
    assert finding.location.line == 31  # the ensureUniqueDirectory line
    assert finding.expected_error == (
        'StorageClass in version "v1" cannot be handled as a StorageClass: json: cannot '
        "unmarshal bool into Go struct field StorageClass.parameters of type string"
    )


def test_empty_volume_handle_is_an_api_failure_not_a_mount_error(corpus: Path) -> None:
    path = _realworld(corpus, "07-efs-devzone-kubeflow-tf")
    inventory = load_inventory([path])
    codes = {(f.code, f.location.object) for f in analyze(inventory, Config()).findings}
    assert ("K8S002", "PersistentVolume/tensorpack-efs-gp-bursting") in codes
    assert not any(code == "CSI001" for code, _ in codes)
    (chain,) = mount_chains(inventory)
    (outcome,) = Simulator(inventory).simulate(chain)
    assert (outcome.outcome, outcome.layer, outcome.cause) == (
        "failed",
        "api",
        "api-object-invalid",
    )


def test_openmetadata_claims_bind_by_size(corpus: Path) -> None:
    # a 10Gi and a 5Gi claim, a 10Gi and a 5Gi volume, all of class "": each claim takes the
    # smallest volume big enough
    inventory = load_inventory([_realworld(corpus, "12-openmetadata-eks-doc/rendered")])
    bound = {c.claim_key: c.volume_name for c in mount_chains(inventory) if c.claim}
    assert bound == {
        "default/openmetadata-dependencies-logs-pvc": "openmetadata-dependencies-logs-pv",
        "default/openmetadata-dependencies-dags-pvc": "openmetadata-dependencies-dags-pv",
    }


def test_jupyterhub_nfs_volume_is_an_efs_mount_by_the_kernel_client(corpus: Path) -> None:
    inventory = load_inventory([_realworld(corpus, "10-data-on-eks-jupyterhub/rendered/efs.yaml")])
    (chain,) = mount_chains(inventory)
    assert chain.nfs is not None
    assert chain.file_system_id == "fs-0123456789abcdef0"
    (outcome,) = Simulator(inventory).simulate(chain)
    assert outcome.principal == "anonymous"
    assert outcome.transport == "plaintext"
    assert outcome.mount_command is not None
    assert outcome.mount_command.startswith(
        "mount -t nfs fs-0123456789abcdef0.efs.us-west-2.amazonaws.com:/ "
    )
    (note,) = [f for f in analyze(inventory, Config()).findings if f.code == "K8S003"]
    assert note.location.object == "PersistentVolume/efs-persist"
    assert "noresvport not set" in note.message
