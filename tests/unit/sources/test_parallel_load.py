"""Loading on several cores gives the same inventory as loading file by file (issue 8):
same objects, same positions, same problems in the same order, and a dead worker's files
are read by the loader itself."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from efs_doctor.model.inventory import Inventory
from efs_doctor.sources import loader, parallel


def _snapshot(inventory: Inventory) -> dict[str, Any]:
    def located(objects: Any) -> list[Any]:
        return [
            (o.source.path, o.source.line, o.source.column, dict(o.source.marks)) for o in objects
        ]

    return {
        "problems": [(str(p), p.level) for p in inventory.problems],
        "files": list(inventory.files),
        "summary": inventory.summary(),
        "volumes": located(inventory.persistent_volumes.values()),
        "claims": located(inventory.claims.values()),
        "workloads": located(inventory.workloads),
        "classes": located(inventory.storage_classes.values()),
        "groups": sorted(inventory.security_groups),
    }


@pytest.fixture
def tree(tmp_path: Path, bench_corpus: ModuleType) -> Path:
    """A generated repository plus inputs with every kind of problem, interleaved."""
    bench_corpus.generate(tmp_path / "repo", 160)
    bad = tmp_path / "repo" / "apps" / "m-bad"
    bad.mkdir(parents=True)
    (bad / "broken.yaml").write_text("kind: Service\napiVersion: v1\nspec: [unclosed\n")
    (bad / "alias.yaml").write_text("a: &x 1\nb: *x\n---\napiVersion: v1\nkind: Node\n")
    (bad / "dup.yaml").write_text(
        "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: d}\nmetadata: {name: e}\n"
    )
    (bad / "binary.yaml").write_bytes(b"\x00\x01")
    (bad / "not-json.json").write_text("{nope")
    (bad / "list.json").write_text('{"apiVersion": "v1", "kind": "List", "items": []}')
    (bad / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Fs:\n"
        "    Type: AWS::EFS::FileSystem\n"
    )
    # the same PV again in another file: a 'defined more than once' warning
    volumes = sorted((tmp_path / "repo" / "apps").rglob("pv.yaml"))
    if volumes:
        (bad / "copy.yaml").write_text(volumes[0].read_text())
    return tmp_path / "repo"


def _parallel(monkeypatch: pytest.MonkeyPatch, workers: int, own_share: float) -> None:
    """Workers on every load; the loader reads ``own_share`` of the files itself."""
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    monkeypatch.setattr(parallel, "PER_WORKER", 1)
    monkeypatch.setattr(parallel, "WORKER_SECONDS_PER_FILE", workers * own_share)
    monkeypatch.setattr(parallel, "LOADER_SECONDS_PER_FILE", 1 - own_share)
    monkeypatch.setattr(parallel, "other_threads", lambda: False)  # pytest-xdist's threads
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    monkeypatch.setenv("EFS_DOCTOR_WORKERS", str(workers))


def test_the_split_balances_loader_and_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parallel.split(1000, 1) == 524  # a little faster here than in a worker
    assert parallel.split(1000, 3) == 268
    _parallel(monkeypatch, 2, 0.3)
    assert parallel.split(100, 2) == 30


def test_a_head_start_shrinks_the_loaders_share() -> None:
    # 1,000 files on one worker: 0.165 s for the worker's 1,000 -> the loader's 524 files
    # take 0.079 s; 0.04 s of other work first leaves it 0.04 s of files (about 127 fewer).
    assert parallel.split(1000, 1, head_start=0.04) == 397
    assert parallel.split(1000, 1, head_start=10.0) == 0  # never a negative share
    assert parallel.split(10, 1, head_start=-10.0) == 10  # never more than every file


def test_meanwhile_runs_while_workers_parse_and_changes_nothing(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setenv("EFS_DOCTOR_WORKERS", "0")
    sequential = loader.load_paths([str(tree)], meanwhile=(lambda: calls.append(1), 0.01))
    assert calls == []  # no workers: the caller's work is left to the caller
    _parallel(monkeypatch, 2, 0.5)
    spread = loader.load_paths([str(tree)], meanwhile=(lambda: calls.append(1), 0.01))
    assert calls == [1]
    assert _snapshot(spread) == _snapshot(sequential)


@pytest.mark.parametrize(("workers", "own_share"), [(1, 0.9), (2, 0.3), (3, 0.0)])
def test_parallel_load_is_the_sequential_load(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, own_share: float
) -> None:
    paths = [str(tree), str(tmp_path / "missing.yaml"), str(tree / "platform" / "nodes.yaml")]
    monkeypatch.setenv("EFS_DOCTOR_WORKERS", "0")
    sequential = loader.load_paths(paths)
    _parallel(monkeypatch, workers, own_share)
    assert parallel.worker_count(200) == workers
    spread = loader.load_paths(paths)
    assert _snapshot(spread) == _snapshot(sequential)
    assert spread.problems  # the bad inputs were reported
    assert spread.summary().get("PersistentVolume")


def test_a_failed_worker_is_read_by_the_loader(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EFS_DOCTOR_WORKERS", "0")
    sequential = loader.load_paths([str(tree)])
    _parallel(monkeypatch, 2, 0.5)
    real = parallel._results

    def failing(started: Any) -> Iterator[parallel.ParsedFile | None]:
        for index, parsed in enumerate(real(started)):
            yield None if index % 3 == 0 else parsed

    monkeypatch.setattr(parallel, "_results", failing)
    assert _snapshot(loader.load_paths([str(tree)])) == _snapshot(sequential)


def test_a_crashed_worker_leaves_its_share_to_the_loader(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EFS_DOCTOR_WORKERS", "0")
    sequential = loader.load_paths([str(tree)])
    _parallel(monkeypatch, 2, 0.5)

    def crash(paths: list[str]) -> list[parallel.ParsedFile]:
        raise RuntimeError("worker lost")

    monkeypatch.setattr(parallel, "parse_batch", crash)
    assert _snapshot(loader.load_paths([str(tree)])) == _snapshot(sequential)


def test_few_files_or_stdin_stay_sequential(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EFS_DOCTOR_WORKERS", raising=False)
    assert parallel.worker_count(parallel.MIN_FILES - 1) == 0
    monkeypatch.setenv("EFS_DOCTOR_WORKERS", "0")
    assert parallel.worker_count(10 * parallel.MIN_FILES) == 0
    assert not parallel.start([("-", 0)], []).workers


def test_a_call_runs_in_a_forked_process_and_a_failed_one_gives_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _parallel(monkeypatch, 1, 0.0)
    forked = parallel.fork_call(os.getpid)
    assert forked is not None
    assert forked.result() not in (None, os.getpid())  # answered by another process

    def fails() -> int:
        raise RuntimeError("lost")

    failed = parallel.fork_call(fails)
    assert failed is not None
    assert failed.result() is None
    unsendable = parallel.fork_call(lambda: lambda: 1)  # an answer pickle cannot send
    assert unsendable is not None
    assert unsendable.result() is None
    monkeypatch.setenv("EFS_DOCTOR_WORKERS", "0")
    assert parallel.fork_call(os.getpid) is None  # where workers are refused, so is this


@pytest.fixture
def monorepo(tmp_path: Path, bench_monorepo: ModuleType) -> Path:
    """A GitOps monorepo (benchmarks/monorepo.py): Kustomize roots with EFS claims."""
    bench_monorepo.generate(tmp_path / "mono", 400)
    return tmp_path / "mono"


def _rendered_snapshot(inventory: Inventory) -> dict[str, Any]:
    return {
        "all": _snapshot(inventory),
        "contexts": {view.context: _snapshot(view) for view in inventory.views() if view.context},
        "unrendered": dict(inventory.unrendered),
    }


def test_units_planned_and_rendered_while_the_engines_import_change_nothing(
    monorepo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: a forked process plans and renders (here: from a filled render cache,
    and once with an empty one) while the loader does the caller's work."""
    from efs_doctor.sources.render import RenderOptions

    monkeypatch.setenv("EFS_DOCTOR_WORKERS", "0")
    for cache in ("filled", "empty"):
        options = RenderOptions(cache_dir=str(tmp_path / cache))
        sequential = loader.load_paths([str(monorepo)], render=options)
        assert sequential.unrendered == {}  # rendered: kustomize is installed for the tests
        if cache == "empty":
            options = RenderOptions(cache_dir=str(tmp_path / "empty-again"))
        calls: list[int] = []
        with monkeypatch.context() as patched:
            _parallel(patched, 1, 0.5)
            patched.setattr(parallel, "MIN_FILES", 300)
            forked = loader.load_paths(
                [str(monorepo)],
                meanwhile=(functools.partial(calls.append, 1), 0.01),
                render=options,
            )
        assert calls == [1]
        assert _rendered_snapshot(forked) == _rendered_snapshot(sequential)


def test_a_failed_forked_planner_leaves_the_units_to_the_loader(
    monorepo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from efs_doctor.sources.render import RenderOptions

    options = RenderOptions(cache_dir=str(tmp_path / "cache"))
    monkeypatch.setenv("EFS_DOCTOR_WORKERS", "0")
    sequential = loader.load_paths([str(monorepo)], render=options)
    _parallel(monkeypatch, 1, 0.5)
    monkeypatch.setattr(parallel, "MIN_FILES", 300)

    marker = tmp_path / "planned-in-a-forked-process"

    def lost(*args: object) -> object:
        marker.write_text(str(os.getpid()))
        raise RuntimeError("the forked planner died")

    monkeypatch.setattr(loader, "_planned_and_rendered", lost)
    calls: list[int] = []
    again = loader.load_paths(
        [str(monorepo)], meanwhile=(lambda: calls.append(1), 0.01), render=options
    )
    assert calls == [1]
    assert int(marker.read_text()) != os.getpid()  # it ran, in another process, and died
    assert _rendered_snapshot(again) == _rendered_snapshot(sequential)


@pytest.mark.parametrize(("count", "processes"), [(10, 3), (3, 3), (2, 3), (7, 1), (0, 2)])
def test_shares_are_contiguous_in_order_and_differ_by_at_most_one(
    count: int, processes: int
) -> None:
    items = list(range(count))
    cut = parallel.shares(items, processes)
    assert len(cut) == processes
    assert [item for share in cut for item in share] == items
    sizes = [len(share) for share in cut]
    assert max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)
