"""plan_units and the renderers on the real-world corpus (corpus/realworld, SOURCES.md
there): configurations nobody here wrote, each folder on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_fixtures import needs_helm, needs_kustomize, walk

from efs_doctor.sources.render import RenderOptions, UnitKind, plan_units, render_units


@pytest.fixture
def realworld(corpus: Path) -> Path:
    folder = corpus.parent / "realworld"
    if not folder.is_dir():
        pytest.skip(f"the real-world corpus is not at {folder}")
    return folder


def _roots(folder: Path) -> list[tuple[UnitKind, str]]:
    plan = plan_units(walk(str(folder)))
    return [(unit.kind, str(Path(unit.directory).relative_to(folder))) for unit in plan.roots]


def test_units_of_every_folder(realworld: Path) -> None:
    found = {
        folder.name: _roots(folder) for folder in sorted(realworld.iterdir()) if folder.is_dir()
    }
    storage = "manifests/modules/fundamentals/storage/efs"
    expected = {
        # the workshop's EFS overlay (over the ui base) and its StorageClass kustomization
        "01-eks-workshop-efs": [
            (UnitKind.KUSTOMIZE, f"{storage}/deployment"),
            (UnitKind.KUSTOMIZE, f"{storage}/storageclass"),
        ],
        "02-efs-csi-driver-helm-chart": [(UnitKind.HELM, "charts/aws-efs-csi-driver")],
        # the three overlays of the driver's base; the base itself is not a root
        "03-efs-csi-driver-kustomize": [
            (UnitKind.KUSTOMIZE, "deploy/kubernetes/overlays/dev"),
            (UnitKind.KUSTOMIZE, "deploy/kubernetes/overlays/stable"),
            (UnitKind.KUSTOMIZE, "deploy/kubernetes/overlays/stable/ecr"),
        ],
        "10-data-on-eks-jupyterhub": [(UnitKind.HELM, "ai-ml/jupyterhub/helm/efs")],
    }
    assert {name: roots for name, roots in found.items() if roots} == expected


def test_the_workshop_overlay_keeps_plain_files_and_owns_the_base(realworld: Path) -> None:
    folder = realworld / "01-eks-workshop-efs"
    files = walk(str(folder))
    plan = plan_units(files)
    plain = sorted(str(Path(p).relative_to(folder)) for p in set(files) - plan.owned)
    assert plain == [
        "manifests/modules/fundamentals/storage/efs/job.yaml",
        "manifests/modules/fundamentals/storage/populate-images-job.yaml",
        "rendered/deployment.yaml",
        "rendered/populate-images-job.yaml",
        "rendered/storageclass.yaml",
    ]


@needs_kustomize
def test_the_driver_overlays_render_from_the_base_files(realworld: Path, tmp_path: Path) -> None:
    folder = realworld / "03-efs-csi-driver-kustomize"
    files = walk(str(folder))
    rendered = render_units(plan_units(files).roots, RenderOptions(cache_dir=str(tmp_path)), files)
    base = f"{folder}/deploy/kubernetes/base"
    for unit in rendered:
        assert unit.complete, unit.problems
        where = {d.data["kind"]: d.source for d in unit.documents}
        assert where["CSIDriver"].path == f"{base}/csidriver.yaml"
        assert where["DaemonSet"].path == f"{base}/node-daemonset.yaml"
        daemon_set = next(d.data for d in unit.documents if d.data["kind"] == "DaemonSet")
        assert daemon_set["metadata"]["namespace"] == "kube-system"


@needs_helm
def test_the_jupyterhub_chart_renders_a_volume_and_its_claim(
    realworld: Path, tmp_path: Path
) -> None:
    folder = realworld / "10-data-on-eks-jupyterhub"
    files = walk(str(folder))
    (unit,) = render_units(plan_units(files).roots, RenderOptions(cache_dir=str(tmp_path)), files)
    assert unit.complete, unit.problems
    templates = f"{folder}/ai-ml/jupyterhub/helm/efs/templates"
    assert sorted((d.data["kind"], d.source.path) for d in unit.documents) == [
        ("PersistentVolume", f"{templates}/efs-pv.yaml"),
        ("PersistentVolumeClaim", f"{templates}/efs-pvc.yaml"),
    ]
