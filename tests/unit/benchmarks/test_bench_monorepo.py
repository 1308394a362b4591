"""The monorepo generator (issue 22) is deterministic and writes the shape it says: many
small files, most irrelevant to EFS, Helm values files, base/overlay kustomizations that
plan into the EFS apps' overlays as the units worth rendering (no timing here)."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from efs_doctor.sources.files import iter_input_paths
from efs_doctor.sources.render import UnitKind, plan_units

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def monorepo() -> ModuleType:
    sys.path.insert(0, str(REPO))
    try:
        from benchmarks import monorepo as module
    finally:
        sys.path.remove(str(REPO))
    return module


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_same_seed_same_bytes_exact_file_count(tmp_path: Path, monorepo: ModuleType) -> None:
    first = monorepo.generate(tmp_path / "a", 300)
    monorepo.generate(tmp_path / "b", 300)
    assert first.files == 300
    assert sum(1 for p in (tmp_path / "a").rglob("*") if p.is_file()) == 300
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    monorepo.generate(tmp_path / "c", 300, seed=monorepo.SEED + 1)
    assert _digest(tmp_path / "c") != _digest(tmp_path / "a")


def test_documents_kinds_and_values_files(tmp_path: Path, monorepo: ModuleType) -> None:
    made = monorepo.generate(tmp_path, 400)
    kinds: dict[str, int] = {}
    documents = values = 0
    for path in tmp_path.rglob("*.yaml"):
        for document in yaml.load_all(path.read_text(), Loader=yaml.SafeLoader):
            assert isinstance(document, dict)
            documents += 1
            if "kind" in document:
                kinds[document["kind"]] = kinds.get(document["kind"], 0) + 1
            else:
                values += 1
    assert documents == made.documents
    assert kinds["Kustomization"] == made.kustomizations
    assert values > 0  # Helm values files: YAML, not objects
    for kind in ("Deployment", "Service", "ConfigMap", "RoleBinding", "Application"):
        assert kinds.get(kind, 0) > 0, kind
    assert kinds["PersistentVolumeClaim"] == made.efs_apps > 0


def test_plan_renders_only_the_efs_overlays_and_the_storage(
    tmp_path: Path, monorepo: ModuleType
) -> None:
    made = monorepo.generate(tmp_path, 400)
    files = list(iter_input_paths([str(tmp_path)], []))
    plan = plan_units(files)
    roots = sorted(os.path.relpath(u.directory, tmp_path) for u in plan.roots)
    assert all(u.kind is UnitKind.KUSTOMIZE for u in plan.roots)
    assert "platform/storage" in roots
    overlays = [r for r in roots if "/overlays/" in r]
    assert len(overlays) == made.efs_apps * 3
    # every kustomization file is owned; values files and Applications are plain inputs
    assert all(f in plan.owned for f in files if f.endswith("kustomization.yaml"))
    assert not any(f in plan.owned for f in files if "/values" in f or "/application-" in f)
