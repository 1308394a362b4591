"""``efs-doctor inventory`` end to end, as a subprocess: bad inputs, stdin, the bundled
examples, and what ``--version`` imports."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., subprocess.CompletedProcess[str]]
Write = Callable[[str, str | bytes], Path]

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "seed-incident"
HEALTHY = REPO / "examples" / "healthy"
NO_INPUT = "efs-doctor: no usable input"

VALID_PV = """\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: good-pv
spec:
  accessModes: [ReadWriteMany]
  csi:
    driver: efs.csi.aws.com
    volumeHandle: fs-0123456789abcdef0:/ok
"""

BOMB = "".join(
    f"{chr(97 + level)}: &{chr(97 + level)} ["
    + ", ".join([f"*{chr(96 + level)}" if level else '"lol"'] * 9)
    + "]\n"
    for level in range(9)
)  # 9 levels of 9 aliases: 9**9 leaves once expanded (dependencies.md §5)


def _big_file(path: Path) -> Path:
    """100 MiB of valid YAML (comment lines), written in 1 MiB chunks."""
    chunk = (b"#" + b"x" * 62 + b"\n") * (1024 * 1024 // 64)
    with path.open("wb") as handle:
        for _ in range(100):
            handle.write(chunk)
    return path


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    assert "internal error" not in result.stderr


# Each case: (file name, content or maker, the one line expected on stderr after "path").
# content None means "do not create the file".
BAD_INPUTS: list[tuple[str, str | bytes | Callable[[Path], Path] | None, str]] = [
    (
        "malformed.yaml",
        "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: a\n spec: [\n",
        r":5:2: invalid YAML: did not find expected key \(while parsing a block mapping\)",
    ),
    (
        "malformed.json",
        '{"FileSystems": [\n  {"FileSystemId": "fs-0123456789abcdef0"\n',
        r":3:1: invalid JSON: Expecting ',' delimiter",
    ),
    (
        "unknown-shape.json",
        '{"Buckets": [], "Owner": {"ID": "x"}}\n',
        r":1:1: warning: JSON not recognised as Kubernetes objects, AWS CLI output or an IAM "
        r"policy \(top-level keys: Buckets, Owner\); skipped",
    ),
    (
        "bomb.yaml",
        BOMB,
        r":1:4: YAML aliases/anchors are not accepted \(they can expand without bound\); "
        r"write the values out; document skipped",
    ),
    (
        "binary.yaml",
        bytes(range(256)) * 8,
        r": binary file \(contains NUL bytes\); skipped",
    ),
    (
        "huge.yaml",
        _big_file,
        r": file is 100\.0 MiB, over the 32 MiB limit for one input; split it or pass only "
        r"the relevant objects",
    ),
    ("missing.yaml", None, r": no such file or directory"),
    (
        "python-tag.yaml",
        '!!python/object/apply:os.system ["echo owned > owned.txt"]\n',
        r":1:1: invalid YAML: could not determine a constructor for the tag "
        r"'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    (
        "not-utf8.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\xe9\n",
        r":4:12: not valid UTF-8 text \(YAML and JSON inputs must be UTF-8\); skipped",
    ),
]
IDS = [case[0] for case in BAD_INPUTS]


def _make(tmp_path: Path, name: str, content: str | bytes | Callable[[Path], Path] | None) -> Path:
    path = tmp_path / name
    if callable(content):
        return content(path)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS, ids=IDS)
def test_bad_input_alone(
    cli: Cli, tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    """One clear ``file:line[:col]: what is wrong`` line; nothing usable, so exit 2."""
    path = _make(tmp_path, name, content)
    started = time.monotonic()
    result = cli("inventory", str(path), cwd=tmp_path)
    assert time.monotonic() - started < 20
    _no_traceback(result)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[-1] == NO_INPUT
    [line] = lines[:-1]
    assert re.fullmatch(re.escape(str(path)) + message, line), line
    assert not (tmp_path / "owned.txt").exists()  # no YAML tag ever runs anything


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS, ids=IDS)
def test_bad_input_beside_a_valid_one(
    cli: Cli, tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    """The bad input costs one line; the valid one is still loaded and reported (exit 0)."""
    bad = _make(tmp_path, name, content)
    good = tmp_path / "good.yaml"
    good.write_text(VALID_PV, encoding="utf-8")
    result = cli("inventory", str(bad), str(good), "--format", "json", cwd=tmp_path)
    _no_traceback(result)
    assert result.returncode == 0
    [line] = result.stderr.splitlines()
    assert re.fullmatch(re.escape(str(bad)) + message, line), line
    report = json.loads(result.stdout)
    assert [c["pv"] for c in report["chains"]] == ["good-pv"]
    assert report["objects"] == {"PersistentVolume": 1}
    [problem] = report["problems"]
    assert problem["path"] == str(bad)


def test_wrong_typed_field_is_one_warning_and_the_object_still_loads(
    cli: Cli, write: Write
) -> None:
    path = write(
        "wrong.yaml",
        VALID_PV.replace("  accessModes: [ReadWriteMany]\n", "  mountOptions: 5\n"),
    )
    result = cli("inventory", str(path))
    _no_traceback(result)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        f"{path}:6:17: warning: PersistentVolume good-pv: field spec.mountOptions must be a "
        "list, got a number; ignored"
    ]
    assert "PV good-pv" in result.stdout


def test_a_directory_of_bad_inputs_and_one_good_one(cli: Cli, tmp_path: Path) -> None:
    """Everything at once, through a directory walk: one line per bad file, the PV loaded."""
    for name, content, _ in BAD_INPUTS:
        if content is not None:
            _make(tmp_path, name, content)
    (tmp_path / "good.yaml").write_text(VALID_PV, encoding="utf-8")
    result = cli("inventory", str(tmp_path), str(tmp_path / "missing.yaml"))
    _no_traceback(result)
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert len(lines) == len(BAD_INPUTS)
    for name, _, message in BAD_INPUTS:
        path = re.escape(str(tmp_path / name))
        assert sum(bool(re.fullmatch(path + message, line)) for line in lines) == 1, name
    assert "PV good-pv" in result.stdout


def test_no_paths_is_a_usage_error(cli: Cli) -> None:
    result = cli("inventory")
    _no_traceback(result)
    assert result.returncode == 2
    assert "the following arguments are required: PATH" in result.stderr


# ---- stdin ---------------------------------------------------------------------------------


def test_helm_output_on_stdin(cli: Cli, kubernetes_fixtures: Path) -> None:
    """``helm template ... | efs-doctor inventory -``"""
    rendered = (kubernetes_fixtures / "helm-rendered.yaml").read_text(encoding="utf-8")
    result = cli("inventory", "-", stdin=rendered)
    _no_traceback(result)
    assert result.returncode == 0
    assert result.stderr == ""
    assert (
        "[1] Deployment default/deployment/files -> PVC default/files-data -> "
        "planned PV (StorageClass files-efs)"
    ) in result.stdout
    deployment_line = 1 + rendered.splitlines().index("kind: Deployment") - 1
    assert f"Deployment default/deployment/files  @ <stdin>:{deployment_line}" in result.stdout


def test_kubectl_list_on_stdin_with_files(cli: Cli, kubernetes_fixtures: Path) -> None:
    listed = (kubernetes_fixtures / "kubectl-get-pv-pvc.yaml").read_text(encoding="utf-8")
    result = cli(
        "inventory", "-", str(kubernetes_fixtures / "workloads.yaml"), "--format", "json",
        stdin=listed,
    )  # fmt: skip
    _no_traceback(result)
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["files"] == ["<stdin>", str(kubernetes_fixtures / "workloads.yaml")]
    shared = next(c for c in report["chains"] if c["pvc"] == "apps/shared")
    assert shared["pv"] == "shared-pv"
    assert shared["subpath"] == "/exports/shared"
    assert shared["links"][0]["location"]["path"] == "<stdin>"


def test_stdin_over_the_size_cap(tmp_path: Path) -> None:
    big = _big_file(tmp_path / "big.yaml")
    with big.open("rb") as handle:
        result = subprocess.run(
            [sys.executable, "-m", "efs_doctor", "inventory", "-"],
            stdin=handle,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    _no_traceback(result)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "<stdin>: more than 32 MiB, the limit for one input; split it or pass only the "
        "relevant objects",
        NO_INPUT,
    ]


# ---- verbosity -----------------------------------------------------------------------------


def test_debug_notes_only_with_verbose(cli: Cli, kubernetes_fixtures: Path) -> None:
    values = kubernetes_fixtures / "helm-values.yaml"
    workloads = kubernetes_fixtures / "workloads.yaml"
    quiet = cli("inventory", str(values), str(workloads))
    assert quiet.returncode == 0
    assert quiet.stderr == ""
    verbose = cli("-v", "inventory", str(values), str(workloads))
    assert verbose.returncode == 0
    assert verbose.stderr.splitlines() == [
        f"{values}: debug: not a Kubernetes or AWS document; skipped"
    ]
    assert verbose.stdout == quiet.stdout


# ---- the bundled examples ------------------------------------------------------------------


@pytest.fixture
def seed() -> Path:
    if not (SEED / "k8s").is_dir():
        pytest.skip("examples/seed-incident not present yet")
    return SEED


def test_seed_incident_text_shows_the_whole_chain_with_locations(cli: Cli, seed: Path) -> None:
    result = cli("inventory", "examples/seed-incident", cwd=REPO)
    _no_traceback(result)
    assert result.returncode == 0
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("[1] Deployment "))
    chain = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.startswith("["):
            break
        chain.append(line)
    kinds = [
        line.split()[0] if not line.lstrip().startswith("->") else line.split()[1] for line in chain
    ]
    # Deployment -> PVC -> PV -> (StorageClass) -> FileSystem -> (policy) -> MountTarget ->
    # SecurityGroup ..., every link with the file:line it was read from
    assert kinds[:3] == ["Deployment", "PersistentVolumeClaim", "PersistentVolume"]
    assert "FileSystem" in kinds
    assert kinds.index("FileSystem") < kinds.index("MountTarget") < kinds.index("SecurityGroup")
    assert kinds.count("MountTarget") >= 2
    for line in chain:
        if line.lstrip().startswith("!") or "note:" in line:
            continue
        where = line.rsplit("@ ", 1)[1]
        assert re.fullmatch(r"examples/seed-incident/(k8s|aws)/[\w.-]+\.(yaml|json):\d+", where), (
            line
        )


def test_seed_incident_json_has_the_chain(cli: Cli, seed: Path) -> None:
    result = cli("inventory", "examples/seed-incident", "--format", "json", cwd=REPO)
    _no_traceback(result)
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["schema_version"] == 1
    assert report["problems"] == []
    deployments = [
        c for c in report["chains"] if (c["pod"] or "").split("/")[1:2] == ["deployment"]
    ]
    assert deployments, report["chains"]
    chain = deployments[0]
    assert chain["pvc"]
    assert chain["pv"]
    assert not chain["planned"]
    assert re.fullmatch(r"fs-[0-9a-f]{17}", chain["file_system_id"])
    assert chain["volume_handle_error"] is None
    zones = [mt["availability_zone"] for mt in chain["mount_targets"]]
    assert len(zones) == len(set(zones)) >= 2  # one mount target per AZ
    assert all(mt["security_groups"] for mt in chain["mount_targets"])
    kinds = [link["kind"] for link in chain["links"]]
    assert kinds[:3] == ["Deployment", "PersistentVolumeClaim", "PersistentVolume"]
    for kind in ("FileSystem", "FileSystemPolicy", "MountTarget", "SecurityGroup"):
        assert kind in kinds
    for link in chain["links"]:
        location = link["location"]
        assert location["path"].startswith("examples/seed-incident/"), link
        assert isinstance(location["line"], int)
        assert location["line"] >= 1


def test_healthy_example_loads_cleanly(cli: Cli, seed: Path) -> None:
    result = cli("inventory", str(HEALTHY), "--format", "json")
    _no_traceback(result)
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["problems"] == []
    assert any(c["file_system_id"] and c["mount_targets"] for c in report["chains"])


def test_placeholder_handle_is_shown_on_its_chain_not_as_a_load_error(
    cli: Cli, corpus: Path
) -> None:
    """The driver's cross-account example PV keeps ``efs:[Filesystem ID]``: the files load
    (exit 0, nothing on stderr) and the chain carries the driver's message (§3.2)."""
    specs = corpus / "cross_account_mount" / "specs"
    files = ["storageclass-static-prov.yaml", "pv.yaml", "claim.yaml", "pod-static-prov.yaml"]
    result = cli("inventory", *(str(specs / name) for name in files))
    _no_traceback(result)
    assert result.returncode == 0
    assert result.stderr == ""
    assert (
        "   ! volume ID 'efs:[Filesystem ID]' is invalid: Expected a file system ID of the form "
        "'fs-[0-9a-f]{8,40}'"
    ) in result.stdout.splitlines()
    as_json = cli("inventory", *(str(specs / name) for name in files), "--format", "json")
    [chain] = json.loads(as_json.stdout)["chains"]
    assert chain["pod"] == "default/efs-app"
    assert chain["file_system_id"] is None
    assert chain["volume_handle_error"].startswith("volume ID 'efs:[Filesystem ID]' is invalid")


# ---- start-up cost -------------------------------------------------------------------------

HEAVY = ("boto3", "botocore", "rich", "lightkube", "kubernetes", "moto")


def _imported(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "efs_doctor", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    assert "efs_doctor" in modules
    return modules


def test_version_imports_nothing_heavy(cli: Cli) -> None:
    result = cli("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"efs-doctor \d+\.\d+\.\d+\S*\n", result.stdout)
    heavy = {m for m in _imported("--version") if m.split(".")[0] in HEAVY}
    assert heavy == set()
    assert not {m for m in _imported("--version") if m.split(".")[0] == "yaml"}


def _modules_after(*args: str) -> set[str]:
    """The modules loaded once ``efs-doctor ARGS`` has run (``-X importtime`` does not see
    the command modules: ``importlib.import_module`` loads them)."""
    script = (
        "import sys\n"
        "from efs_doctor.cli import main\n"
        "main(sys.argv[1:])\n"
        "print(*sorted(sys.modules), sep='\\n', file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    modules = set(result.stderr.splitlines())
    assert "efs_doctor.cli" in modules, result.stderr[-2000:]
    return modules


def test_a_command_imports_no_other_command() -> None:
    """The parser is built for the command run alone (issue 22: start-up)."""
    commands = {m for m in _modules_after("rules") if m.startswith("efs_doctor.commands.")}
    assert commands == {"efs_doctor.commands.rules"}


def test_a_scan_with_nothing_to_render_starts_no_renderer() -> None:
    """What only a render needs (a process, threads) is imported when a unit is rendered,
    not with the renderers' modules (issue 22: start-up)."""
    modules = _modules_after("scan", str(HEALTHY), "-o", os.devnull)
    assert {"subprocess", "concurrent.futures", "threading"} & modules == set()


def test_fixes_to_yaml_files_import_no_iac_reader() -> None:
    """Whether an object came from IaC is asked of every object a fix edits; only an
    object that did needs the IaC modules (issue 22: start-up)."""
    modules = _modules_after("scan", str(SEED), "-o", os.devnull)
    assert "ruamel.yaml" in modules  # fixes were rendered as YAML patches
    iac = {"efs_doctor.sources.iac.fixes", "efs_doctor.sources.iac.common"}
    assert iac & modules == set()


def test_help_imports_nothing_heavy() -> None:
    """Command modules keep their top level light (CONTRIBUTING.md, "Adding a command")."""
    heavy = {m for m in _imported("--help") if m.split(".")[0] in HEAVY}
    assert heavy == set()
