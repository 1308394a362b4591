"""The benchmark corpus generator is deterministic and writes what it says (no timing here)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import ModuleType

import yaml

from efs_doctor.api import load_inventory, mount_chains


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_same_seed_same_bytes(tmp_path: Path, bench_corpus: ModuleType) -> None:
    first = bench_corpus.generate(tmp_path / "a", 120)
    second = bench_corpus.generate(tmp_path / "b", 120)
    assert first.files == second.files == 120
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    bench_corpus.generate(tmp_path / "c", 120, seed=bench_corpus.SEED + 1)
    assert _digest(tmp_path / "c") != _digest(tmp_path / "a")


def test_every_document_loads_and_matches_the_counts(
    tmp_path: Path, bench_corpus: ModuleType
) -> None:
    made = bench_corpus.generate(tmp_path, 150)
    files = [p for p in tmp_path.rglob("*") if p.suffix in (".yaml", ".json")]
    assert len(files) == 150
    documents = 0
    for path in files:
        for document in yaml.load_all(path.read_text(), Loader=yaml.SafeLoader):
            assert isinstance(document, dict)
            documents += 1
    assert documents == made.documents
    for kind in ("PersistentVolume", "PersistentVolumeClaim", "StorageClass", "Service"):
        assert made.kinds.get(kind, 0) > 0


def test_scan_inputs_resolve_to_chains(tmp_path: Path, bench_corpus: ModuleType) -> None:
    bench_corpus.generate(tmp_path, 150)
    inventory = load_inventory([str(tmp_path)])
    assert not inventory.errors
    counts = inventory.summary()
    assert counts.get("FileSystem") == bench_corpus.FILE_SYSTEMS
    assert counts.get("MountTarget") == bench_corpus.FILE_SYSTEMS * len(bench_corpus.ZONES)
    assert counts.get("SecurityGroup") == bench_corpus.SECURITY_GROUPS
    # its kustomizations are rendered, each a context of its own (issue 15)
    chains = [c for view in inventory.views() for c in mount_chains(view)]
    assert any(c.access_point_id for c in chains)
    assert any(c.planned is not None for c in chains)
    assert any(c.volume is not None and c.access_point_id is None for c in chains)


def test_yaml_scalars_keep_their_type(bench_corpus: ModuleType) -> None:
    values = ["true", "0750", "1:30", "2026-01-01", "5Gi", "500m", "a: b", "fs-1::fsap-2", "~"]
    text = bench_corpus.to_yaml([{"values": values, "n": 3, "flag": False}])
    assert yaml.safe_load(text) == {"values": values, "n": 3, "flag": False}


def test_cluster_dump_is_one_list(tmp_path: Path, bench_corpus: ModuleType) -> None:
    made = bench_corpus.generate_dump(tmp_path, 40)
    assert sum(made.kinds.values()) == 40
    [dump] = yaml.load_all((tmp_path / "cluster.yaml").read_text(), Loader=yaml.SafeLoader)
    assert dump["kind"] == "List"
    assert len(dump["items"]) == 40
    inventory = load_inventory([str(tmp_path)])
    assert not inventory.errors
    assert inventory.summary().get("PersistentVolumeClaim")
