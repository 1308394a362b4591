"""Shared test helpers: paths to fixtures, running the CLI as a subprocess, loading inputs.

Keep this file small and generic; helpers for one area live beside its tests.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import pytest

from efs_doctor.api import load_inventory
from efs_doctor.model.inventory import Inventory

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
AWS_FIXTURES = FIXTURES / "aws"
KUBERNETES_FIXTURES = FIXTURES / "kubernetes"
EXAMPLES = REPO / "examples"
# The EFS CSI driver's own examples (kubernetes-sigs/aws-efs-csi-driver examples/kubernetes/efs
# at a4fc676), a read-only corpus kept beside the repository; EFS_DOCTOR_CORPUS points elsewhere
# (CONTRIBUTING.md, "The example corpus").
CORPUS = Path(
    os.environ.get("EFS_DOCTOR_CORPUS", REPO.parent / "shared" / "corpus" / "csi-driver-examples")
)
CORPUS_MISSING = (
    f"the EFS CSI driver example corpus is not at {CORPUS}: set EFS_DOCTOR_CORPUS "
    "(CONTRIBUTING.md, 'The example corpus')"
)


def run_efs_doctor(
    *args: str, stdin: str | bytes | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m efs_doctor ARGS`` in a fresh interpreter; text output, never raises."""
    data = stdin.decode() if isinstance(stdin, bytes) else stdin
    return subprocess.run(
        [sys.executable, "-m", "efs_doctor", *args],
        input=data,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_efs_doctor


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """``write(name, content)``: a file under tmp_path (parents created); returns its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


def _load(*paths: str | Path | Sequence[str | Path]) -> Inventory:
    flat: list[str] = []
    for path in paths:
        if isinstance(path, str | Path):
            flat.append(str(path))
        else:
            flat.extend(str(p) for p in path)
    return load_inventory(flat)


@pytest.fixture
def load() -> Callable[..., Inventory]:
    """``load(path, ...)``: load_inventory over any mix of paths (or lists of paths)."""
    return _load


@pytest.fixture
def aws_fixtures() -> Path:
    return AWS_FIXTURES


@pytest.fixture
def kubernetes_fixtures() -> Path:
    return KUBERNETES_FIXTURES


def corpus_dir() -> Path:
    """The corpus directory; skips the asking test when it is missing."""
    if not CORPUS.is_dir():
        pytest.skip(CORPUS_MISSING)
    return CORPUS


@pytest.fixture
def corpus() -> Path:
    return corpus_dir()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """A skip for the missing corpus is reported at the ``corpus`` fixture, not at each test,
    so ``-ra`` folds every one of them into a single summary line (pytest groups skips by
    file, line and reason, and places a fixture's skip at the test that asked for it)."""
    report: pytest.TestReport = yield
    if report.skipped and isinstance(report.longrepr, tuple):
        _, _, reason = report.longrepr
        if reason.endswith(CORPUS_MISSING):
            report.longrepr = (__file__, corpus_dir.__code__.co_firstlineno, reason)
    return report


SUMMARY_LINES = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SUMMARY_LINES] = []


@pytest.fixture
def summary_line(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """``summary_line(text)``: a line printed at the end of the run (figures such as the
    explain corpus scores); under xdist the workers hand their lines to the controller."""
    return request.config.stash[SUMMARY_LINES].append


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["summary_lines"] = session.config.stash[SUMMARY_LINES]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    output = getattr(node, "workeroutput", {})
    config = getattr(node, "config", None)
    if config is not None:
        config.stash[SUMMARY_LINES].extend(output.get("summary_lines", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = terminalreporter.config.stash.get(SUMMARY_LINES, [])
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


def load_benchmark(name: str) -> ModuleType:
    """benchmarks/<name>.py loaded as a module (the benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(
        f"efs_doctor_bench_{name}", REPO / "benchmarks" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bench_corpus() -> ModuleType:
    """benchmarks/corpus.py, the benchmark corpus generator, loaded as a module."""
    return load_benchmark("corpus")


@pytest.fixture(scope="session")
def bench_monorepo() -> ModuleType:
    """benchmarks/monorepo.py, the GitOps monorepo generator, loaded as a module."""
    return load_benchmark("monorepo")


@pytest.fixture(scope="session")
def explain_corpus() -> ModuleType:
    """benchmarks/explain_corpus.py: explain's real-report corpus, its split and its score."""
    return load_benchmark("explain_corpus")
