"""Rendering Kustomize roots with the real kustomize (kubectl kustomize or kustomize build)."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_fixtures import RENDER, REPO, line_of, needs_kustomize, options, walk

from efs_doctor.errors import InternalError
from efs_doctor.sources.render import (
    RenderedUnit,
    Renderers,
    Unit,
    plan_units,
    render_units,
)
from efs_doctor.sources.render import run as render_run

K = f"{RENDER}/kustomize"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _unit(directory: str) -> tuple[Unit, list[str]]:
    files = walk(directory)
    (unit,) = plan_units(files).roots
    return unit, files


def _render(directory: str, tmp_path: Path, **changes: object) -> RenderedUnit:
    unit, files = _unit(directory)
    (rendered,) = render_units([unit], options(tmp_path, **changes), files)
    return rendered


def _object(rendered: RenderedUnit, kind: str, name: str) -> dict[str, object]:
    (found,) = [
        d
        for d in rendered.documents
        if d.data["kind"] == kind and d.data["metadata"]["name"] == name
    ]
    return found.data  # type: ignore[no-any-return]


pytestmark = needs_kustomize


def test_a_replicas_only_patch_keeps_the_base_volume_and_the_namespace_applies(
    tmp_path: Path,
) -> None:
    rendered = _render(f"{K}/overlays/prod", tmp_path)
    assert rendered.complete
    assert rendered.problems == ()
    deployment = _object(rendered, "Deployment", "app")
    assert deployment["spec"]["replicas"] == 3  # type: ignore[index]
    volumes = deployment["spec"]["template"]["spec"]["volumes"]  # type: ignore[index]
    assert volumes == [{"name": "data", "persistentVolumeClaim": {"claimName": "efs-claim"}}]
    assert deployment["metadata"]["namespace"] == "prod"  # type: ignore[index]
    assert _object(rendered, "PersistentVolumeClaim", "efs-claim")["metadata"] == {
        "name": "efs-claim",
        "namespace": "prod",
    }
    # cluster-scoped objects get no namespace
    assert "namespace" not in _object(rendered, "PersistentVolume", "efs-pv")["metadata"]  # type: ignore[operator]


def test_a_volumes_patch_is_applied(tmp_path: Path) -> None:
    rendered = _render(f"{K}/overlays/dev", tmp_path)
    deployment = _object(rendered, "Deployment", "app")
    volumes = deployment["spec"]["template"]["spec"]["volumes"]  # type: ignore[index]
    assert volumes == [{"name": "data", "persistentVolumeClaim": {"claimName": "efs-claim-dev"}}]
    assert _object(rendered, "PersistentVolumeClaim", "efs-claim-dev")


def test_build_annotations_are_stripped_and_the_users_kept(tmp_path: Path) -> None:
    rendered = _render(f"{K}/overlays/prod", tmp_path)
    assert "config.kubernetes.io" not in repr([d.data for d in rendered.documents])
    deployment = _object(rendered, "Deployment", "app")
    assert deployment["metadata"]["annotations"] == {  # type: ignore[index]
        "example.com/owner": "storage-team"
    }
    assert "annotations" not in _object(rendered, "PersistentVolume", "efs-pv")["metadata"]  # type: ignore[operator]


def test_objects_point_at_the_original_file_and_line(tmp_path: Path) -> None:
    rendered = _render(f"{K}/overlays/dev", tmp_path)
    where = {(d.data["kind"], d.data["metadata"]["name"]): d.source for d in rendered.documents}
    deployment = where[("Deployment", "app")]
    # the Deployment is the second document of base/deployment.yaml
    assert deployment.path == f"{K}/base/deployment.yaml"
    assert deployment.line == line_of(deployment.path, "apiVersion: apps/v1")
    claim = where[("PersistentVolumeClaim", "efs-claim")]
    assert (claim.path, claim.line) == (f"{K}/base/pvc.yaml", 2)  # after a comment line
    own = where[("PersistentVolumeClaim", "efs-claim-dev")]
    assert (own.path, own.line) == (f"{K}/overlays/dev/pvc-dev.yaml", 1)


def test_fields_keep_their_positions_unless_the_overlay_changed_them(tmp_path: Path) -> None:
    path = f"{K}/base/deployment.yaml"
    claim_line = line_of(path, "claimName: efs-claim")
    claim = ("spec", "template", "spec", "volumes", 0, "persistentVolumeClaim", "claimName")
    prod = _object_source(_render(f"{K}/overlays/prod", tmp_path / "prod"))
    assert prod.location(*claim).line == claim_line
    # replicas was patched: its base position is dropped, the enclosing mapping's kept
    assert ("spec", "replicas") not in prod.marks
    assert (prod.location("spec", "replicas").line, prod.location("spec", "replicas").column) == (
        line_of(path, "replicas: 1"),
        3,
    )
    dev = _object_source(_render(f"{K}/overlays/dev", tmp_path / "dev"))
    # the dev patch changed the claim: the position is that of the enclosing field
    assert dev.location(*claim).line == claim_line
    assert dev.location(*claim).column == prod.location(*claim).column - len("claimName: ")


def _object_source(rendered: RenderedUnit):  # type: ignore[no-untyped-def]
    (document,) = [d for d in rendered.documents if d.data["kind"] == "Deployment"]
    return document.source


def test_without_a_renderer_the_unit_is_incomplete_with_one_line(tmp_path: Path) -> None:
    unit, files = _unit(f"{K}/overlays/prod")
    (rendered,) = render_units([unit], options(tmp_path), files, renderers=Renderers())
    assert not rendered.complete
    assert rendered.documents == ()
    (problem,) = rendered.problems
    assert str(problem.location) == f"{K}/overlays/prod/kustomization.yaml"
    assert f"{K}/overlays/prod not rendered" in problem.message
    assert "pip install 'efs-doctor[render]'" in problem.message


def test_a_renderer_failure_is_its_own_message_on_one_line(tmp_path: Path) -> None:
    rendered = _render(f"{K}/broken", tmp_path)
    assert not rendered.complete
    assert rendered.documents == ()
    (problem,) = rendered.problems
    assert f"failed on {K}/broken" in problem.message
    assert "Deployment.v1.apps/not-in-the-base" in problem.message
    assert "efs-doctor-kustomize-" not in problem.message  # not the wrapper's path
    assert "\n" not in str(problem)


def test_a_renderer_that_does_not_finish_is_a_problem(tmp_path: Path) -> None:
    rendered = _render(f"{K}/overlays/prod", tmp_path, timeout=0.001)
    assert not rendered.complete
    (problem,) = rendered.problems
    assert "did not finish within 0.001 seconds" in problem.message


def _positions(rendered: RenderedUnit) -> list[tuple[object, ...]]:
    return [
        (d.source.path, d.source.line, d.source.column, dict(d.source.marks))
        for d in rendered.documents
    ]


def test_a_second_render_comes_from_the_cache_with_every_position(tmp_path: Path) -> None:
    first = _render(f"{K}/overlays/dev", tmp_path)
    second = _render(f"{K}/overlays/dev", tmp_path)
    assert (first.cached, second.cached) == (False, True)
    assert [d.data for d in second.documents] == [d.data for d in first.documents]
    # the origins are kept with the render: the same files, lines and field positions
    # (patched fields dropped alike) without reading the origin files again
    assert _positions(second) == _positions(first)
    assert any(len(d.source.marks) > 10 for d in second.documents)


def test_a_cached_render_names_files_as_this_scan_gives_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _render(f"{K}/overlays/dev", tmp_path)  # cached with the paths relative to the repo
    monkeypatch.chdir(REPO / K)
    unit, files = _unit("overlays/dev")
    (again,) = render_units([unit], options(tmp_path), files)
    assert again.cached
    deployment = next(d for d in again.documents if d.data["kind"] == "Deployment")
    assert deployment.source.path == "base/deployment.yaml"


def test_a_cache_entry_of_another_shape_is_rendered_again(tmp_path: Path) -> None:
    import json

    first = _render(f"{K}/overlays/dev", tmp_path)
    (entry,) = (tmp_path / "cache").rglob("*.json")
    stored = json.loads(entry.read_text())
    stored["origins"] = stored["origins"][:-1]  # one object without its origin
    entry.write_text(json.dumps(stored))
    again = _render(f"{K}/overlays/dev", tmp_path)
    assert not again.cached
    assert _positions(again) == _positions(first)


def test_cached_field_positions_that_cannot_be_read_leave_each_object_its_line(
    tmp_path: Path,
) -> None:
    """The positions of a cached object's fields are one JSON text, read when a finding
    asks; a text that is not theirs (a damaged entry) gives no field positions, and the
    object still points at its file and line."""
    import json

    first = _render(f"{K}/overlays/dev", tmp_path)
    (entry,) = (tmp_path / "cache").rglob("*.json")
    stored = json.loads(entry.read_text())
    assert all(isinstance(origin[3], str) for origin in stored["origins"] if origin[3])
    for origin in stored["origins"]:
        origin[3] = "[[" if origin[3] else origin[3]
    entry.write_text(json.dumps(stored))
    again = _render(f"{K}/overlays/dev", tmp_path)
    assert again.cached
    assert [(d.source.path, d.source.line) for d in again.documents] == [
        (d.source.path, d.source.line) for d in first.documents
    ]
    assert all(not d.source.marks for d in again.documents)


def test_a_changed_input_is_rendered_again(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    _copy(REPO / K, tree)
    first = _render(str(tree / "overlays/prod"), tmp_path)
    patch = tree / "overlays/prod/replicas.yaml"
    patch.write_text(patch.read_text().replace("replicas: 3", "replicas: 5"))
    second = _render(str(tree / "overlays/prod"), tmp_path)
    assert not second.cached
    assert _object(second, "Deployment", "app")["spec"]["replicas"] == 5  # type: ignore[index]
    assert first.complete
    assert second.complete


def test_a_cache_that_cannot_be_written_does_not_break_the_render(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    unit, files = _unit(f"{K}/overlays/prod")
    for _ in range(2):
        (rendered,) = render_units(
            [unit], options(tmp_path).__class__(cache_dir=str(blocker)), files
        )
        assert rendered.complete
        assert not rendered.cached


def test_a_remote_base_is_refused_without_network_permission(tmp_path: Path) -> None:
    rendered = _render(f"{K}/remote", tmp_path)
    assert not rendered.complete
    assert rendered.documents == ()
    (problem,) = rendered.problems
    assert "remote base github.com/kubernetes-sigs/aws-efs-csi-driver" in problem.message
    assert "not fetched without --allow-network" in problem.message
    assert rendered.renderer is None  # the renderer was not run


def test_several_units_render_in_order(tmp_path: Path) -> None:
    files = walk(f"{K}/overlays")
    plan = plan_units(files)
    rendered = render_units(plan.roots, options(tmp_path), files)
    assert [r.name for r in rendered] == [u.name for u in plan.roots]
    assert all(r.complete for r in rendered)


def test_our_own_exception_while_rendering_is_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> RenderedUnit:
        raise KeyError("kind")

    monkeypatch.setattr(render_run, "render_kustomization", broken)
    unit, files = _unit(f"{K}/overlays/prod")
    with pytest.raises(InternalError) as raised:
        render_units([unit], options(tmp_path), files)
    assert str(raised.value) == (
        f"internal error in rendering kustomize unit {K}/overlays/prod: KeyError: 'kind'"
    )


def _copy(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target)
