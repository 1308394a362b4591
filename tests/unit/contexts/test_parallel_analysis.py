"""Contexts analysed in forked processes give the report one process gives (issue 22):
the same findings, inconclusive checks, mount paths and contexts, in the same order; a
process that fails leaves its share to the caller."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from efs_doctor import api
from efs_doctor.findings import Report
from efs_doctor.sources import parallel
from efs_doctor.sources.render import RenderOptions, find_renderers

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory, bench_monorepo: ModuleType) -> Path:
    """A GitOps monorepo (benchmarks/monorepo.py): each Kustomize overlay a context."""
    root = tmp_path_factory.mktemp("mono")
    bench_monorepo.generate(root / "mono", 400)
    return root / "mono"


def _analysis(monorepo: Path, cache: Path) -> Report:
    inventory = api.load_inventory([str(monorepo)], render=RenderOptions(cache_dir=str(cache)))
    return api.analyze(inventory)


def _shared_out(monkeypatch: pytest.MonkeyPatch, processes: int) -> None:
    monkeypatch.setattr(parallel, "other_threads", lambda: False)  # pytest-xdist's threads
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda _pid: set(range(processes)))
    monkeypatch.setenv("EFS_DOCTOR_WORKERS", str(processes - 1))
    monkeypatch.setattr(api, "CONTEXTS_PER_PROCESS", 2)


def test_contexts_analysed_in_forked_processes_give_the_same_report(
    monorepo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EFS_DOCTOR_WORKERS", "0")
    alone = _analysis(monorepo, tmp_path)
    assert len(alone.contexts) >= 6
    assert alone.findings
    for processes in (2, 3):
        with monkeypatch.context() as patched:
            _shared_out(patched, processes)
            assert _analysis(monorepo, tmp_path) == alone


def test_a_failed_process_leaves_its_contexts_to_the_caller(
    monorepo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EFS_DOCTOR_WORKERS", "0")
    alone = _analysis(monorepo, tmp_path)
    _shared_out(monkeypatch, 2)
    parent = os.getpid()
    analyze_one = api._analyze

    def dies_when_forked(*args: object, **kwargs: object) -> Report:
        if os.getpid() != parent:
            os._exit(9)
        return analyze_one(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "_analyze", dies_when_forked)
    assert _analysis(monorepo, tmp_path) == alone


def test_no_process_is_forked_beside_threads_python_did_not_start() -> None:
    """A chart rendered with the Helm library starts its Go runtime's threads, which
    ``threading`` does not know; forking beside them could leave a lock held for good in
    the child, so nothing is forked after (Linux counts them). In a fresh interpreter: the
    runtime, once started, stays for the life of the process."""
    if not find_renderers().helm_library:
        pytest.skip("the Helm library is not installed (pip install 'efs-doctor[render]')")
    probe = (
        "import json, sys, threading\n"
        "from efs_doctor import api\n"
        "from efs_doctor.sources import parallel\n"
        "inventory = api.load_inventory([sys.argv[1]])\n"
        "print(json.dumps(['helm_python' in sys.modules, threading.active_count(),"
        " parallel.other_threads(), parallel.spare_cpus(), len(inventory.unrendered)]))\n"
    )
    env = {**os.environ, "EFS_DOCTOR_WORKERS": "1"}
    chart = REPO / "tests/fixtures/render/helm/efs-app"
    done = subprocess.run(
        [sys.executable, "-c", probe, str(chart)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=REPO,
    )
    library, python_threads, other, after, unrendered = json.loads(done.stdout)
    if not library:
        pytest.skip("the chart was rendered by the helm binary, not the library")
    assert unrendered == 0
    assert python_threads == 1  # threading sees no thread but its own
    if sys.platform == "linux":
        assert other
        assert after == 0
