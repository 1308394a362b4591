"""plan_units: which directories are units, which are roots, which files they own."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_fixtures import RENDER, REPO, walk

from efs_doctor.model.problems import ProblemLevel
from efs_doctor.sources.render import UnitKind, plan_units

K = f"{RENDER}/kustomize"
H = f"{RENDER}/helm"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def test_roots_are_the_overlays_and_charts_not_the_base() -> None:
    plan = plan_units(walk(RENDER))
    roots = {(unit.kind, unit.directory) for unit in plan.roots}
    assert roots == {
        (UnitKind.KUSTOMIZE, f"{K}/overlays/prod"),
        (UnitKind.KUSTOMIZE, f"{K}/overlays/dev"),
        (UnitKind.KUSTOMIZE, f"{K}/remote"),
        (UnitKind.KUSTOMIZE, f"{K}/broken"),
        (UnitKind.HELM, f"{H}/efs-app"),
        (UnitKind.HELM, f"{H}/with-dependency"),
    }
    assert all(unit.name == unit.directory for unit in plan.roots)


def test_a_unit_with_nothing_about_storage_is_skipped_with_a_debug_line() -> None:
    plan = plan_units(walk(RENDER))
    skipped = [p for p in plan.problems if str(p.location) == f"{K}/unrelated"]
    assert len(skipped) == 1
    assert skipped[0].level is ProblemLevel.DEBUG
    assert "none of its files mentions EFS storage" in skipped[0].message
    assert f"{K}/unrelated/configmap.yaml" in plan.owned  # not raw-loaded either


def test_patches_kustomizations_bases_and_chart_files_are_owned() -> None:
    files = walk(RENDER)
    plan = plan_units(files)
    for owned in (
        f"{K}/overlays/prod/replicas.yaml",
        f"{K}/overlays/prod/kustomization.yaml",
        f"{K}/overlays/dev/volumes.yaml",
        f"{K}/overlays/dev/pvc-dev.yaml",
        f"{K}/broken/missing-target.yaml",
        f"{K}/base/kustomization.yaml",
        f"{K}/base/deployment.yaml",
        f"{K}/base/pv.yaml",
        f"{H}/efs-app/Chart.yaml",
        f"{H}/efs-app/values.yaml",
        f"{H}/efs-app/templates/storage.yaml",
        f"{H}/efs-app/templates/deployment.yaml",
    ):
        assert owned in plan.owned, owned
    # a values file outside any chart is an ordinary input
    assert sorted(set(files) - plan.owned) == [f"{H}/values-prod.yaml"]


def test_an_overlay_includes_its_base_files_as_inputs() -> None:
    plan = plan_units(walk(f"{K}/overlays/prod"))
    (unit,) = plan.roots
    assert f"{K}/base/pv.yaml" in unit.inputs
    assert f"{K}/overlays/prod/replicas.yaml" in unit.inputs


def test_a_base_scanned_alone_is_a_root() -> None:
    plan = plan_units(walk(f"{K}/base"))
    assert [unit.directory for unit in plan.roots] == [f"{K}/base"]


def test_remote_bases_are_found() -> None:
    plan = plan_units(walk(f"{K}/remote"))
    (unit,) = plan.roots
    assert unit.remote == (
        "github.com/kubernetes-sigs/aws-efs-csi-driver/deploy/kubernetes/overlays/stable"
        "?ref=v2.1.0",
    )


def test_a_missing_local_file_is_not_taken_for_a_remote_base(tmp_path: Path) -> None:
    _write(tmp_path / "k/kustomization.yaml", "resources: [pv.yaml, missing-pv.yaml, ../gone]\n")
    _write(tmp_path / "k/pv.yaml", "kind: PersistentVolume\nmetadata: {name: a}\n")
    plan = plan_units(walk(str(tmp_path)))
    assert [unit.remote for unit in plan.roots] == [()]


def test_a_patch_outside_the_overlay_is_owned_and_an_unnamed_subfolder_is_not(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path / "app/kustomization.yaml",
        "resources: [pv.yaml]\npatches:\n  - path: ../shared/patch.yaml\n",
    )
    _write(tmp_path / "app/pv.yaml", "kind: PersistentVolume\nmetadata: {name: a}\n")
    _write(tmp_path / "app/extra/pvc.yaml", "kind: PersistentVolumeClaim\nmetadata: {name: b}\n")
    _write(tmp_path / "shared/patch.yaml", "kind: PersistentVolume\nmetadata: {name: a}\n")
    plan = plan_units(walk(str(tmp_path)))
    assert f"{tmp_path}/shared/patch.yaml" in plan.owned
    assert f"{tmp_path}/app/pv.yaml" in plan.owned
    assert f"{tmp_path}/app/extra/pvc.yaml" not in plan.owned


def test_kustomizations_including_each_other_are_both_rendered(tmp_path: Path) -> None:
    _write(tmp_path / "a/kustomization.yaml", "resources: [../b, pv.yaml]\n")
    _write(tmp_path / "a/pv.yaml", "kind: PersistentVolume\nmetadata: {name: a}\n")
    _write(tmp_path / "b/kustomization.yaml", "resources: [../a]\n")
    plan = plan_units(walk(str(tmp_path)))
    assert {unit.directory for unit in plan.roots} == {f"{tmp_path}/a", f"{tmp_path}/b"}


def test_a_subchart_belongs_to_its_chart(tmp_path: Path) -> None:
    _write(tmp_path / "top/Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n")
    _write(tmp_path / "top/templates/pvc.yaml", "kind: PersistentVolumeClaim\n")
    _write(tmp_path / "top/charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 1.0.0\n")
    _write(tmp_path / "top/charts/sub/templates/pv.yaml", "kind: PersistentVolume\n")
    plan = plan_units(walk(str(tmp_path)))
    assert [unit.directory for unit in plan.roots] == [f"{tmp_path}/top"]
    assert f"{tmp_path}/top/charts/sub/templates/pv.yaml" in plan.owned


def test_a_kustomization_that_does_not_parse_is_a_problem_and_still_a_root(
    tmp_path: Path,
) -> None:
    _write(tmp_path / "k/kustomization.yaml", "resources: [pv.yaml\n")
    _write(tmp_path / "k/pv.yaml", "kind: PersistentVolume\nmetadata: {name: a}\n")
    plan = plan_units(walk(str(tmp_path)))
    assert [unit.directory for unit in plan.roots] == [f"{tmp_path}/k"]
    (problem,) = plan.problems
    assert str(problem.location).startswith(f"{tmp_path}/k/kustomization.yaml:")
    assert "invalid YAML" in problem.message


def test_stdin_is_never_a_unit() -> None:
    assert plan_units(["-"]).roots == ()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
