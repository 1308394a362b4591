"""The plan cache (issue 22): a second plan of an unchanged tree is the remembered one, and
every change the plan depends on makes a new one, equal to a plan made without a cache."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from render_fixtures import walk

from efs_doctor.api import load_inventory
from efs_doctor.sources.render import RenderOptions, UnitPlan, plan_cache, plan_units

# A repository whose overlay names a base and a claim outside the scanned folder, and a
# chart home folder; no file mentions EFS storage, so nothing is worth rendering yet.
TREE = {
    "outside/base/kustomization.yaml": "resources: [deployment.yaml]\n",
    "outside/base/deployment.yaml": "kind: Deployment\nmetadata: {name: web}\n",
    "repo/overlay/kustomization.yaml": (
        "resources:\n  - ../../outside/base\n  - ../../outside/claim.yaml\n"
        "helmGlobals:\n  chartHome: charts\n"
    ),
    "repo/overlay/charts/notes.txt": "chart home\n",
    "repo/plain/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n",
}
HOUR_AGO = time.time() - 3600


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TREE under tmp_path, every time set back an hour (so that an edit is seen by its
    modification time whatever the clock's tick), and no racy window: the tests make a
    file and plan at once."""
    for name, text in TREE.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _settle(tmp_path)
    monkeypatch.setattr(plan_cache, "RACY_NS", 0)
    return tmp_path


def _settle(root: Path) -> None:
    for folder, dirs, names in os.walk(root):
        for name in [*dirs, *names]:
            os.utime(os.path.join(folder, name), (HOUR_AGO, HOUR_AGO))
    os.utime(root, (HOUR_AGO, HOUR_AGO))


def _plans(tree: Path) -> tuple[UnitPlan, UnitPlan]:
    """The plan with the cache and the plan made afresh, of the scanned folder."""
    files = walk(str(tree / "repo"))
    return plan_units(files, str(tree / "cache")), plan_units(files)


def test_an_unchanged_tree_is_planned_once(tree: Path) -> None:
    first, fresh = _plans(tree)
    second, _ = _plans(tree)
    assert not first.cached
    assert second.cached
    assert first == second == fresh
    assert fresh.roots == ()
    assert len(fresh.problems) == 1
    assert f"{tree}/repo/overlay/kustomization.yaml" in second.owned


def test_problems_are_remembered_with_their_positions(tree: Path) -> None:
    broken = tree / "repo/broken/kustomization.yaml"
    broken.parent.mkdir()
    broken.write_text("resources: [pv.yaml\n")
    _settle(tree)
    first, fresh = _plans(tree)
    second, _ = _plans(tree)
    assert second.cached
    assert second.problems == first.problems == fresh.problems
    assert [str(p.location) for p in second.problems if "invalid YAML" in p.message] == [
        f"{broken}:2:1"
    ]


def _edit(path: Path, text: str) -> None:
    path.write_text(text)


CHANGES: dict[str, Callable[[Path], None]] = {
    "a kustomization edited": lambda tree: _edit(
        tree / "repo/overlay/kustomization.yaml",
        TREE["repo/overlay/kustomization.yaml"] + "namespace: efs-csi\n",
    ),
    "a file added to a folder a kustomization names": lambda tree: _edit(
        tree / "repo/overlay/charts/class.tpl",
        "kind: StorageClass\n",  # not walked
    ),
    "a missing file a kustomization names created": lambda tree: _edit(
        tree / "outside/claim.yaml", "kind: PersistentVolumeClaim\n"
    ),
    "a file outside the walk a kustomization names edited": lambda tree: _edit(
        tree / "outside/base/deployment.yaml",
        "kind: Deployment\nspec: {volumes: [{persistentVolumeClaim: {claimName: data}}]}\n",
    ),
    "a base's kustomization edited": lambda tree: (
        _edit(tree / "outside/base/kustomization.yaml", "resources: [deployment.yaml, pvc.yaml]\n")
        or _edit(tree / "outside/base/pvc.yaml", "kind: PersistentVolumeClaim\n")
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_the_plan_depends_on_makes_a_new_plan(tree: Path, change: str) -> None:
    before, _ = _plans(tree)
    assert _plans(tree)[0].cached
    CHANGES[change](tree)
    after, fresh = _plans(tree)
    assert not after.cached
    assert after == fresh
    assert after != before  # each change makes the overlay worth rendering
    assert [unit.directory for unit in after.roots] == [f"{tree}/repo/overlay"]
    again, _ = _plans(tree)  # and the new plan is remembered in turn
    assert again.cached
    assert again == fresh


def test_an_edit_that_keeps_the_size_and_sets_the_time_back_is_seen(tree: Path) -> None:
    """The change time, which no one can set back, tells (the modification time can)."""
    deployment = tree / "outside/base/deployment.yaml"
    _plans(tree)
    settled = os.stat(deployment).st_ctime_ns
    while time.time_ns() < settled + 50_000_000:  # past the file system clock's tick
        time.sleep(0.01)
    edited = "kind: StorageClass\nmetadata: {name: w}\n"
    assert len(edited) == len(TREE["outside/base/deployment.yaml"])
    _edit(deployment, edited)
    os.utime(deployment, (HOUR_AGO, HOUR_AGO))
    after, fresh = _plans(tree)
    assert not after.cached
    assert after == fresh
    assert [unit.directory for unit in after.roots] == [f"{tree}/repo/overlay"]


def test_a_plan_made_from_files_changed_just_now_is_not_remembered(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan_cache, "RACY_NS", 3_000_000_000)
    _edit(tree / "outside/base/deployment.yaml", "kind: Deployment\n")  # changed now
    _plans(tree)
    second, fresh = _plans(tree)
    assert not second.cached
    assert second == fresh
    assert not (tree / "cache/plans").exists()


def test_a_cache_that_cannot_be_written_or_read_is_no_cache(tree: Path) -> None:
    blocked = tree / "blocked"
    blocked.write_text("a file where the cache's folder would be\n")
    files = walk(str(tree / "repo"))
    assert plan_units(files, str(blocked)) == plan_units(files, str(blocked)) == plan_units(files)
    _plans(tree)
    (stored,) = (tree / "cache/plans").iterdir()
    garbage_texts = (
        "{not json",
        "[]",
        '{"format": "2"}',
        '{"format": "2", "kinds": 3}',
        '{"format": "2", "kinds": [], "signed": [], "plan": {"roots": [["x", 1, [], []]]}}',
        "[" * 100_000 + "]" * 100_000,
    )
    for garbage in garbage_texts:
        stored.write_text(garbage)
        again, fresh = _plans(tree)
        assert not again.cached
        assert again == fresh
    os.chmod(stored, 0)
    try:
        assert _plans(tree)[0] == plan_units(files)
    finally:
        os.chmod(stored, 0o600)


def test_no_render_plans_nothing_and_stores_nothing(tree: Path) -> None:
    cache = tree / "cache"
    load_inventory([str(tree / "repo")], render=RenderOptions(enabled=False, cache_dir=str(cache)))
    assert not cache.exists()
    load_inventory([str(tree / "repo")], render=RenderOptions(cache_dir=str(cache)))
    assert len(list((cache / "plans").iterdir())) == 1


def test_remembered_plans_of_the_real_world_corpus_are_the_plans(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each folder of corpus/realworld (configurations nobody here wrote), and all of it."""
    realworld = corpus.parent / "realworld"
    if not realworld.is_dir():
        pytest.skip(f"the real-world corpus is not at {realworld}")
    monkeypatch.setattr(plan_cache, "RACY_NS", 0)  # files older than the test: nothing racy
    folders = [realworld, *sorted(p for p in realworld.iterdir() if p.is_dir())]
    for folder in folders:
        files = walk(str(folder))
        fresh = plan_units(files)
        stored = plan_units(files, str(tmp_path))
        remembered = plan_units(files, str(tmp_path))
        assert remembered.cached, folder
        assert remembered == stored == fresh, folder
