"""Rendering Helm charts with helm template or the Helm library (helm-python-sdk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_fixtures import RENDER, REPO, line_of, needs_helm, options, walk

from efs_doctor.sources.render import RenderedUnit, Renderers, plan_units, render_units
from efs_doctor.sources.render.helm import split_sources

H = f"{RENDER}/helm"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _render(directory: str, tmp_path: Path, **changes: object) -> RenderedUnit:
    files = walk(directory)
    (unit,) = plan_units(files).roots
    (rendered,) = render_units([unit], options(tmp_path, **changes), files)
    return rendered


def _by_kind(rendered: RenderedUnit, kind: str) -> dict[str, object]:
    (found,) = [d.data for d in rendered.documents if d.data["kind"] == kind]
    return found  # type: ignore[no-any-return]


def _handle(rendered: RenderedUnit) -> object:
    return _by_kind(rendered, "PersistentVolume")["spec"]["csi"]["volumeHandle"]  # type: ignore[index]


@needs_helm
def test_the_chart_renders_with_its_default_values(tmp_path: Path) -> None:
    rendered = _render(f"{H}/efs-app", tmp_path)
    assert rendered.complete
    assert rendered.problems == ()
    # the quoted template value is the file system id, not template text
    assert _handle(rendered) == "fs-0123456789abcdef0"
    kinds = sorted(d.data["kind"] for d in rendered.documents)
    assert kinds == ["Deployment", "PersistentVolume", "PersistentVolumeClaim"]  # no NOTES.txt
    claim = _by_kind(rendered, "PersistentVolumeClaim")
    assert claim["metadata"] == {"name": "release-name-efs"}


@needs_helm
def test_values_files_then_set_values_override_the_defaults(tmp_path: Path) -> None:
    values = (f"{H}/values-prod.yaml",)
    rendered = _render(f"{H}/efs-app", tmp_path, helm_values=values)
    assert _handle(rendered) == "fs-0fedcba9876543210"
    assert rendered.values_files == values
    both = _render(
        f"{H}/efs-app",
        tmp_path,
        helm_values=values,
        helm_set=("fileSystemId=fs-0aaaaaaaaaaaaaaaa",),
    )
    assert _handle(both) == "fs-0aaaaaaaaaaaaaaaa"
    storage = _by_kind(both, "PersistentVolume")["spec"]["capacity"]  # type: ignore[index]
    assert storage == {"storage": "5Gi"}  # the default value not overridden stays


@needs_helm
def test_objects_point_at_their_template_and_the_line_of_their_kind(tmp_path: Path) -> None:
    rendered = _render(f"{H}/efs-app", tmp_path)
    where = {d.data["kind"]: d.source for d in rendered.documents}
    storage = f"{H}/efs-app/templates/storage.yaml"
    assert (where["PersistentVolume"].path, where["PersistentVolume"].line) == (
        storage,
        line_of(storage, "kind: PersistentVolume"),
    )
    assert (where["PersistentVolumeClaim"].path, where["PersistentVolumeClaim"].line) == (
        storage,
        line_of(storage, "kind: PersistentVolumeClaim"),
    )
    assert where["Deployment"].path == f"{H}/efs-app/templates/deployment.yaml"


@needs_helm
def test_an_unvendored_dependency_is_reported_not_downloaded(tmp_path: Path) -> None:
    rendered = _render(f"{H}/with-dependency", tmp_path)
    assert not rendered.complete
    (problem,) = rendered.problems
    assert str(problem.location) == f"{H}/with-dependency/Chart.yaml"
    assert "not vendored under charts/ are not downloaded" in problem.message
    assert "postgresql (https://charts.bitnami.com/bitnami)" in problem.message
    assert not (REPO / H / "with-dependency/charts").exists()
    if rendered.renderer == "helm library":  # renders the rest; helm template refuses
        assert [d.data["metadata"]["name"] for d in rendered.documents] == ["shared"]


@needs_helm
def test_a_values_file_that_cannot_be_read_is_a_problem(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.yaml")
    rendered = _render(f"{H}/efs-app", tmp_path, helm_values=(missing,))
    assert not rendered.complete
    (problem,) = rendered.problems
    assert missing in problem.message


def test_without_a_renderer_the_chart_is_incomplete_with_one_line(tmp_path: Path) -> None:
    files = walk(f"{H}/efs-app")
    (unit,) = plan_units(files).roots
    (rendered,) = render_units([unit], options(tmp_path), files, renderers=Renderers())
    assert not rendered.complete
    assert rendered.documents == ()
    (problem,) = rendered.problems
    assert f"Helm chart {H}/efs-app not rendered" in problem.message
    assert "pip install 'efs-doctor[render]'" in problem.message


@needs_helm
def test_a_template_error_is_the_renderers_message(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: failing\nversion: 0.1.0\n")
    (chart / "templates/pv.yaml").write_text(
        'kind: PersistentVolume\n{{ fail "fileSystemId is required" }}\n'
    )
    rendered = _render(str(chart), tmp_path)
    assert not rendered.complete
    (problem,) = rendered.problems
    assert f"failed on {chart}" in problem.message
    assert "fileSystemId is required" in problem.message


@needs_helm
def test_a_second_render_comes_from_the_cache(tmp_path: Path) -> None:
    first = _render(f"{H}/efs-app", tmp_path)
    second = _render(f"{H}/efs-app", tmp_path)
    assert (first.cached, second.cached) == (False, True)
    assert [d.data for d in second.documents] == [d.data for d in first.documents]
    other = _render(f"{H}/efs-app", tmp_path, helm_set=("storage=1Gi",))
    assert not other.cached


def test_helm_template_output_is_split_by_its_source_comments() -> None:
    # the shape of `helm template` output: each document headed by `# Source: <template>`
    output = (
        "---\n# Source: app/templates/storage.yaml\nkind: PersistentVolume\n"
        "---\n# Source: app/templates/storage.yaml\nkind: PersistentVolumeClaim\n"
        "---\n# Source: app/charts/db/templates/pvc.yaml\nkind: PersistentVolumeClaim\n"
    )
    assert split_sources(output) == {
        "app/templates/storage.yaml": "kind: PersistentVolume\n---\nkind: PersistentVolumeClaim\n",
        "app/charts/db/templates/pvc.yaml": "kind: PersistentVolumeClaim\n",
    }
