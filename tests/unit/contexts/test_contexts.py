"""Contexts (issue 15, docs/contracts.md "Contexts"): a project's objects link only within
their PATH argument; AWS answers and cluster objects are shared by every context."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import EXAMPLES, run_efs_doctor

from efs_doctor.api import analyze, load_inventory, mount_chains
from efs_doctor.model.chain import MountChain
from efs_doctor.model.inventory import Inventory

FS_A = "fs-0aaaaaaaaaaaaaaaa"
FS_B = "fs-0bbbbbbbbbbbbbbbb"

CLAIM = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: default}
spec:
  accessModes: [ReadWriteMany]
  storageClassName: efs
  resources: {requests: {storage: 5Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: default}
spec:
  containers: [{name: app, image: busybox}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
"""


def _volume(fs: str) -> str:
    return f"""\
apiVersion: v1
kind: PersistentVolume
metadata: {{name: efs-pv}}
spec:
  capacity: {{storage: 5Gi}}
  accessModes: [ReadWriteMany]
  storageClassName: efs
  csi: {{driver: efs.csi.aws.com, volumeHandle: {fs}}}
"""


def _project(root: Path, fs: str, *, with_claim: bool = True) -> Path:
    root.mkdir(parents=True)
    (root / "pv.yaml").write_text(_volume(fs))
    if with_claim:
        (root / "app.yaml").write_text(CLAIM)
    return root


def _chains(inventory: Inventory) -> dict[str, list[tuple[str, str | None]]]:
    return {view.context: sorted(_key(c) for c in mount_chains(view)) for view in inventory.views()}


def _key(chain: MountChain) -> tuple[str, str | None]:
    return chain.label, chain.file_system_id


def test_two_projects_never_bind_across(tmp_path: Path) -> None:
    """The claim of project a binds to a's volume, never to b's of the same name (before
    contexts, the last definition of `efs-pv` won for both)."""
    a = _project(tmp_path / "a", FS_A)
    b = _project(tmp_path / "b", FS_B)
    together = load_inventory([str(a), str(b)])
    assert [v.context for v in together.views()] == [str(a), str(b)]
    chains = _chains(together)
    assert [fs for _label, fs in chains[str(a)]] == [FS_A]
    assert [fs for _label, fs in chains[str(b)]] == [FS_B]
    # each scanned alone gives the same chains
    for root in (a, b):
        assert _chains(load_inventory([str(root)])) == {str(root): chains[str(root)]}
    # and the same name defined once per context is not "defined more than once"
    assert not [p for p in together.problems if "more than once" in p.message]


def test_a_claim_does_not_reach_a_volume_in_another_argument(tmp_path: Path) -> None:
    """a/ has the claim and pod only, b/ the volume only: nothing links them."""
    a = tmp_path / "a"
    a.mkdir()
    (a / "app.yaml").write_text(CLAIM)
    b = _project(tmp_path / "b", FS_B, with_claim=False)
    chains = _chains(load_inventory([str(a), str(b)]))
    assert all(fs == FS_B for entries in chains.values() for _label, fs in entries)
    assert not any("PVC default/data" in label for label, _fs in chains.get(str(b), []))


def test_files_named_together_are_one_context(tmp_path: Path) -> None:
    """`scan pv.yaml app.yaml` links them, as `kubectl apply -f` takes them together."""
    root = _project(tmp_path / "p", FS_A)
    inventory = load_inventory([str(root / "pv.yaml"), str(root / "app.yaml")])
    assert len(inventory.views()) == 1
    [(label, fs)] = [entry for entries in _chains(inventory).values() for entry in entries]
    assert "PVC default/data" in label
    assert fs == FS_A


def test_aws_answers_are_shared_by_every_context(tmp_path: Path) -> None:
    """`scan apps/ aws/`: the apps are checked against the account given beside them."""
    seed = tmp_path / "seed"
    shutil.copytree(EXAMPLES / "seed-incident" / "k8s", seed / "k8s")
    shutil.copytree(EXAMPLES / "seed-incident" / "aws", tmp_path / "aws")
    other = _project(tmp_path / "other", FS_B)
    inventory = load_inventory([str(seed), str(other), str(tmp_path / "aws")])
    assert [v.context for v in inventory.views()] == [str(seed), str(other)]
    seed_view, other_view = inventory.views()
    assert seed_view.file_systems is other_view.file_systems is inventory.file_systems
    [seed_chain] = [c for c in mount_chains(seed_view) if c.workload is not None]
    assert seed_chain.file_system is not None  # found in the shared AWS answers
    report = analyze(inventory)
    assert {f.context for f in report.findings} == {str(seed), str(other)}
    seed_alone = analyze(load_inventory([str(seed), str(tmp_path / "aws")]))
    assert {(f.code, f.chain) for f in report.findings if f.context == str(seed)} == {
        (f.code, f.chain) for f in seed_alone.findings
    }


def test_json_and_sarif_carry_the_context(tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    shutil.copytree(EXAMPLES / "seed-incident" / "k8s", seed / "k8s")
    shutil.copytree(EXAMPLES / "seed-incident" / "aws", tmp_path / "aws")
    other = _project(tmp_path / "other", FS_B)
    paths = [str(seed), str(other), str(tmp_path / "aws")]
    done = run_efs_doctor("scan", "--format", "json", *paths)
    assert done.returncode == 1, done.stderr
    scanned = json.loads(done.stdout)
    assert {f["context"] for f in scanned["findings"]} == {str(seed), str(other)}
    assert {i["context"] for i in scanned["inconclusive"]} <= {str(seed), str(other)}
    sarif = json.loads(run_efs_doctor("scan", "--format", "sarif", *paths).stdout)
    contexts = {r["properties"].get("context") for r in sarif["runs"][0]["results"]}
    assert contexts == {str(seed), str(other)}


def test_simulate_names_each_mount_s_context(tmp_path: Path) -> None:
    a = _project(tmp_path / "a", FS_A)
    b = _project(tmp_path / "b", FS_B)
    done = run_efs_doctor("simulate", "--format", "json", str(a), str(b))
    mounts = json.loads(done.stdout)["mounts"]
    by_context = {(m["context"], m["file_system_id"]) for m in mounts}
    assert by_context == {(str(a), FS_A), (str(b), FS_B)}


def test_config_maps_belong_to_their_context(tmp_path: Path) -> None:
    """ConfigMaps a project references (a StorageClass's fileSystemIdConfigRef) link only
    within its context (docs/contracts.md, "Contexts"): the same name in two projects is not
    a redefinition."""
    config_map = (
        "apiVersion: v1\nkind: ConfigMap\n"
        "metadata: {{name: efs, namespace: kube-system}}\ndata: {{id: {fs}}}\n"
    )
    for name, fs in (("a", FS_A), ("b", FS_B)):
        root = _project(tmp_path / name, fs)
        (root / "cm.yaml").write_text(config_map.format(fs=fs))
    inventory = load_inventory([str(tmp_path / "a"), str(tmp_path / "b")])
    assert [v.config_maps["kube-system/efs"].data["id"] for v in inventory.views()] == [FS_A, FS_B]
    assert not [p for p in inventory.problems if "more than once" in p.message]
