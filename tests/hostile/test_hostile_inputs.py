"""Hostile inputs (issue 9, item 2): each gets a clear one-line error or a bounded, documented
treatment, with time and peak memory measured where they matter. docs/guarantees.md lists
the treatment of each and points here.

Tests run as root in CI, so "unreadable" is made with techniques root cannot bypass
(``/proc/self/mem`` answers EIO; a denied ``open``), and ``chmod 000`` runs only as non-root.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hostile_helpers import REPO, assert_clean_exit, baseline_mib, run_measured

from efs_doctor.api import load_inventory
from efs_doctor.model.problems import InputProblem, ProblemLevel
from efs_doctor.sources.files import MAX_FILE_BYTES

SEED = REPO / "examples" / "seed-incident"
HEALTHY = REPO / "examples" / "healthy"
PV = """\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: {name}
spec:
  capacity: {{storage: 5Gi}}
  accessModes: [ReadWriteMany]
  csi:
    driver: efs.csi.aws.com
    volumeHandle: fs-0123456789abcdef0
"""
POSITION = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<column>\d+): ", re.MULTILINE)


@pytest.fixture(scope="module")
def baseline() -> float:
    return baseline_mib()


def _error_line(output: str, path: Path) -> str:
    """The one problem line about ``path``: it starts with the path and a line:column."""
    lines = [line for line in output.splitlines() if line.startswith(str(path))]
    assert lines, output[-2000:]
    return lines[0]


def _assert_positioned(line: str, path: Path) -> tuple[int, int]:
    match = POSITION.match(line + "\n")
    assert match, f"no file:line:column in {line!r}"
    assert match.group("path") == str(path)
    return int(match.group("line")), int(match.group("column"))


# ---- YAML alias bombs -------------------------------------------------------------------------


def _billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        refs = ", ".join(f"*a{level - 1}" for _ in range(9))
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_is_refused_at_its_first_alias_in_bounded_memory(
    tmp_path: Path, baseline: float
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(PV.format(name="before") + "---\n" + _billion_laughs())
    run = run_measured("scan", str(bomb))
    assert_clean_exit(run)
    line = _error_line(run.stderr, bomb)
    assert "aliases/anchors are not accepted" in line
    assert _assert_positioned(line, bomb)[0] >= 12  # in the second document
    assert run.seconds < 30
    assert run.peak_mib - baseline < 60, f"{run.peak_mib:.0f} MiB"
    # the document before the bomb is still read
    inventory = load_inventory([str(bomb)])
    assert "before" in inventory.persistent_volumes


def test_alias_bomb_in_a_cloudformation_template_is_refused_too(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Fs:\n'
        "    Type: AWS::EFS::FileSystem\n    Properties:\n"
        + "".join("      " + line + "\n" for line in _billion_laughs().splitlines())
    )
    run = run_measured("scan", str(template))
    assert_clean_exit(run, 2)
    assert "aliases/anchors are not accepted" in _error_line(run.stderr, template)


# ---- deep nesting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("flow.yaml", "[" * 100_000 + "]" * 100_000),
        ("flowmap.yaml", "{a: " * 100_000 + "1" + "}" * 100_000),
        ("block.yaml", "- " * 100_000 + "x\n"),
        ("array.json", "[" * 100_000 + "]" * 100_000),
        ("object.json", '{"a":' * 100_000 + "1" + "}" * 100_000),
    ],
)
def test_documents_nested_100000_levels_are_refused_with_a_position(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    run = run_measured("scan", str(path))
    assert_clean_exit(run, 2)
    line = _error_line(run.stderr, path)
    assert "nest" in line  # "nested too deeply" / "exceeded maximum nesting depth"
    _assert_positioned(line, path)
    assert run.seconds < 30


# ---- size ------------------------------------------------------------------------------------


def test_a_100_mb_file_is_refused_before_it_is_read(tmp_path: Path, baseline: float) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: instant to create
    run = run_measured("scan", str(big))
    assert_clean_exit(run, 2)
    assert "100.0 MiB, over the 32 MiB limit" in _error_line(run.stderr, big)
    assert run.seconds < 20
    assert run.peak_mib - baseline < 30, f"{run.peak_mib:.0f} MiB"


def test_100_mb_on_stdin_is_refused_after_reading_at_most_the_limit(
    tmp_path: Path, baseline: float
) -> None:
    big = tmp_path / "stdin.yaml"
    chunk = (PV.format(name="x") + "---\n").encode()
    with big.open("wb") as handle:
        for _ in range(100 * 1024 * 1024 // len(chunk) + 1):
            handle.write(chunk)
    run = run_measured("scan", "-", stdin=big)
    assert_clean_exit(run, 2)
    assert "<stdin>: more than 32 MiB, the limit for one input" in run.stderr
    # one read of limit + 1 bytes, never the whole 100 MB
    assert run.peak_mib - baseline < 2 * MAX_FILE_BYTES / 2**20 + 40, f"{run.peak_mib:.0f} MiB"


@pytest.mark.slow
def test_a_30_mb_manifest_just_under_the_limit_loads_in_bounded_time_and_memory(
    tmp_path: Path, baseline: float
) -> None:
    path = tmp_path / "many.yaml"
    with path.open("w") as handle:
        index = 0
        while handle.tell() < 30 * 1024 * 1024:
            handle.write(PV.format(name=f"pv-{index}") + "---\n")
            index += 1
    run = run_measured("inventory", str(path), timeout=900)
    assert_clean_exit(run, 0)
    assert f"PersistentVolume         {index}" in run.stdout
    assert run.seconds < 600
    assert run.peak_mib - baseline < 2500, f"{run.peak_mib:.0f} MiB"


def test_very_long_lines_load_and_output_stays_proportional(tmp_path: Path) -> None:
    handle_text = "fs-" + "x" * 2_000_000
    path = tmp_path / "long.yaml"
    path.write_text(PV.format(name="long").replace("fs-0123456789abcdef0", f'"{handle_text}"'))
    one_line = tmp_path / "one-line.json"
    items = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}}
        for i in range(50_000)
    ]
    one_line.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    run = run_measured("scan", str(path), str(one_line))
    assert_clean_exit(run, 1)  # the handle is malformed: CSI001
    assert "CSI001" in run.stdout
    assert run.seconds < 60
    # the handle is quoted where it matters, never without bound: at most 8 copies
    assert len(run.output) < 8 * len(handle_text)


# ---- bytes -----------------------------------------------------------------------------------


def test_nul_bytes_near_the_start_mean_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"apiVersion: v1\x00\x01\x02" + os.urandom(64))
    run = run_measured("scan", str(path))
    assert_clean_exit(run, 2)
    assert f"{path}: binary file (contains NUL bytes); skipped" in run.stderr


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_nul_byte_deep_in_a_text_file_is_a_positioned_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"late-nul{suffix}"
    padding = "#" + "x" * 9000 + "\n" if suffix == ".yaml" else " " * 9000
    body = PV.format(name="a\x00b") if suffix == ".yaml" else '{"kind": "a\x00b"}'
    path.write_text(padding + body)
    run = run_measured("scan", str(path))
    assert_clean_exit(run, 2)
    line = _error_line(run.stderr, path)
    assert "\x00" not in line
    row, _ = _assert_positioned(line, path)
    assert row >= (2 if suffix == ".yaml" else 1)


def test_invalid_utf8_is_refused_at_the_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(PV.format(name="ok").encode() + b"  # caf\xe9\n")
    run = run_measured("scan", str(path))
    assert_clean_exit(run, 2)
    line = _error_line(run.stderr, path)
    assert "not valid UTF-8" in line
    assert _assert_positioned(line, path) == (11, 8)  # the byte after "  # caf"


def test_utf16_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Windows PowerShell 5.1 writes ``kubectl get -o yaml > file`` as UTF-16."""
    path = tmp_path / "powershell.yaml"
    path.write_bytes(PV.format(name="wide").encode("utf-16"))
    inventory = load_inventory([str(path)])
    assert "wide" in inventory.persistent_volumes
    assert not [p for p in inventory.problems if p.level is ProblemLevel.ERROR]


# ---- tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tagged",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        "!!python/name:os.system",
        '!!python/object:os.system {{name: "touch {marker}"}}',
        "!custom value",
        "!Ref SomeResource",  # CloudFormation's tags only count in a template
    ],
)
def test_python_and_custom_tags_are_refused_and_never_run(tmp_path: Path, tagged: str) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "tagged.yaml"
    path.write_text(PV.format(name="t") + f"  annotations: {tagged.format(marker=marker)}\n")
    run = run_measured("scan", str(path))
    assert_clean_exit(run, 2)
    line = _error_line(run.stderr, path)
    assert "could not determine a constructor for the tag" in line
    _assert_positioned(line, path)
    assert not marker.exists()


def test_a_python_tag_in_a_cloudformation_template_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "template.yaml"
    path.write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Fs:\n'
        "    Type: AWS::EFS::FileSystem\n    Properties:\n"
        f'      Tags: !!python/object/apply:os.system ["touch {marker}"]\n'
    )
    run = run_measured("scan", str(path))
    assert_clean_exit(run, 2)
    assert "could not determine a constructor" in _error_line(run.stderr, path)
    assert not marker.exists()


# ---- duplicate keys --------------------------------------------------------------------------


def test_duplicate_yaml_keys_warn_with_both_lines_and_the_last_wins(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(PV.format(name="first") + "metadata:\n  name: second\n")
    inventory = load_inventory([str(path)])
    assert set(inventory.persistent_volumes) == {"second"}
    warnings = [str(p) for p in inventory.problems if p.level is ProblemLevel.WARNING]
    assert warnings == [
        f"{path}:11:1: duplicate key 'metadata' (first at line 3); the last value is used "
        "(kubectl rejects duplicate keys)"
    ]


def test_duplicate_json_keys_warn_and_the_last_wins(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text(
        '{"apiVersion": "v1", "kind": "PersistentVolume",\n'
        ' "metadata": {"name": "first"},\n "metadata": {"name": "second"}}'
    )
    inventory = load_inventory([str(path)])
    assert set(inventory.persistent_volumes) == {"second"}
    warnings = [str(p) for p in inventory.problems if p.level is ProblemLevel.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{path}:3:2: duplicate key 'metadata' (first at line 2)")


# ---- huge numbers ----------------------------------------------------------------------------


def test_a_10_to_the_5000_integer_is_refused_with_its_position(tmp_path: Path) -> None:
    for suffix, text in (
        (".json", '{"kind": "PersistentVolume",\n "x": ' + "9" * 5000 + "}"),
        (".yaml", "kind: PersistentVolume\nx: " + "9" * 5000 + "\n"),
    ):
        path = tmp_path / f"digits{suffix}"
        path.write_text(text)
        run = run_measured("scan", str(path))
        assert_clean_exit(run, 2)
        line = _error_line(run.stderr, path)
        assert "a number with more than 4300 digits" in line
        assert _assert_positioned(line, path)[0] == 2


def test_1e999999_and_nan_in_port_fields_neither_crash_nor_admit_traffic(tmp_path: Path) -> None:
    """Huge floats become infinity and NaN stays NaN; neither is a port, the loader says so
    for each field, and a rule whose ports could not be read admits nothing: the healthy
    example, whose mount target admits TCP 2049, is then not reported as mounting."""
    case = tmp_path / "case"
    for path in (HEALTHY).rglob("*"):
        if path.is_file():
            target = case / path.relative_to(HEALTHY)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    groups_file = case / "aws" / "ec2-describe-security-groups.json"
    groups = json.loads(groups_file.read_text())
    for group in groups["SecurityGroups"]:
        for permission in group.get("IpPermissions", []):
            permission["FromPort"] = "FROM"
            permission["ToPort"] = "TO"
    groups_file.write_text(json.dumps(groups).replace('"FROM"', "1e999999").replace('"TO"', "NaN"))
    before = run_measured("simulate", "--format", "json", str(HEALTHY))
    assert [m["outcome"] for m in json.loads(before.stdout)["mounts"]] == ["mounted"]
    for command in ("scan", "simulate"):
        run = run_measured(command, str(case))
        assert_clean_exit(run, 1)
        assert "field IpPermissions.0.FromPort must be an integer, got a number" in run.stderr
    after = json.loads(run_measured("simulate", "--format", "json", str(case)).stdout)
    assert [m["outcome"] for m in after["mounts"]] == ["failed"]
    assert after["mounts"][0]["layer"] == "network"


# ---- policy size -----------------------------------------------------------------------------


def _policy_of(size: int) -> dict[str, object]:
    document: dict[str, object] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"},
                "Action": "elasticfilesystem:ClientMount",
                "Resource": "*",
            }
        ],
    }
    base = len(json.dumps(document, separators=(",", ":")))
    document["Statement"][0]["Sid"] = "S" * (size - base)  # type: ignore[index]
    assert len(json.dumps(document, separators=(",", ":"))) == size
    return document


@pytest.mark.parametrize(
    ("size", "pretty", "expected"),
    [
        (20_000, False, None),
        (20_001, False, "error"),
        (19_000, True, "warning"),  # over 20,000 only with its whitespace
    ],
)
def test_policy_size_limit_at_and_over_20000_characters(
    tmp_path: Path, size: int, pretty: bool, expected: str | None
) -> None:
    document = _policy_of(size)
    path = tmp_path / "policy.json"
    text = (
        json.dumps(document, indent=40) if pretty else json.dumps(document, separators=(",", ":"))
    )
    if pretty:
        assert len(text) > 20_000
    path.write_text(text)
    run = run_measured("policy", "check", "--format", "json", str(path))
    assert_clean_exit(run)
    findings = json.loads(run.stdout)["files"][0]["findings"]
    sized = [f for f in findings if f["code"] == "policy-too-large"]
    if expected is None:
        assert sized == []
    else:
        assert [f["severity"] for f in sized] == [expected]
        assert "20,000" in sized[0]["message"]


# ---- directories -----------------------------------------------------------------------------


def _many_files(folder: Path, count: int, suffix: str, content: str) -> None:
    """``count`` directory entries, hard links to a few files (ext4 allows 65,000 links to
    one file): 100,000 entries in a few seconds."""
    folder.mkdir()
    source = folder / "source"
    for index in range(count):
        if index % 50_000 == 0:
            source = folder / f"s{index:06d}{suffix}"
            source.write_text(content)
        else:
            os.link(source, folder / f"f{index:06d}{suffix}")


def test_a_directory_of_100000_files_is_walked_in_bounded_time_and_memory(
    tmp_path: Path, baseline: float
) -> None:
    """Files without a YAML/JSON suffix are skipped by name, without being opened."""
    folder = tmp_path / "many"
    _many_files(folder, 100_000, ".txt", "not an input\n")
    (folder / "pv.yaml").write_text(PV.format(name="needle"))
    run = run_measured("inventory", str(folder), timeout=300)
    assert_clean_exit(run, 0)
    assert "1 file(s), 1 object(s)" in run.stdout
    assert run.seconds < 120
    assert run.peak_mib - baseline < 100, f"{run.peak_mib:.0f} MiB"


@pytest.mark.slow
def test_100000_manifests_load_in_bounded_time_and_memory(tmp_path: Path, baseline: float) -> None:
    folder = tmp_path / "manifests"
    _many_files(folder, 100_000, ".yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    run = run_measured("inventory", str(folder), timeout=1200)
    assert_clean_exit(run, 0, 2)
    assert run.seconds < 900  # ~0.5 ms a file on a loaded 2-CPU machine
    assert run.peak_mib - baseline < 400, f"{run.peak_mib:.0f} MiB"


def test_symlink_loops_neither_hang_nor_crash(tmp_path: Path) -> None:
    folder = tmp_path / "links"
    folder.mkdir()
    (folder / "pv.yaml").write_text(PV.format(name="real"))
    (folder / "loop").symlink_to(folder, target_is_directory=True)  # a directory loop
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder, target_is_directory=True)
    (folder / "a.yaml").symlink_to(folder / "b.yaml")  # a file loop
    (folder / "b.yaml").symlink_to(folder / "a.yaml")
    run = run_measured("inventory", str(folder))
    assert_clean_exit(run, 0)
    assert "PersistentVolume         1" in run.stdout
    assert f"{folder}/a.yaml: cannot read: too many levels of symbolic links" in run.stderr
    named = run_measured("inventory", str(folder / "a.yaml"))
    assert_clean_exit(named, 2)
    assert "too many levels of symbolic links" in named.stderr


def test_fifos_and_devices_are_skipped_without_blocking(tmp_path: Path) -> None:
    folder = tmp_path / "special"
    folder.mkdir()
    os.mkfifo(folder / "pipe.yaml")  # opening it would block forever
    (folder / "pv.yaml").write_text(PV.format(name="real"))
    run = run_measured("inventory", str(folder), "/dev/zero", timeout=60)
    assert_clean_exit(run, 0)
    assert f"{folder}/pipe.yaml: not a regular file; skipped" in run.stderr
    assert "/dev/zero: not a regular file; skipped" in run.stderr


# ---- unreadable files ------------------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads chmod 000 files; see the tests below")
def test_a_chmod_000_file_is_reported_and_the_rest_loads(tmp_path: Path) -> None:
    locked = tmp_path / "locked.yaml"
    locked.write_text(PV.format(name="locked"))
    locked.chmod(0)
    (tmp_path / "ok.yaml").write_text(PV.format(name="ok"))
    run = run_measured("inventory", str(tmp_path))
    assert_clean_exit(run, 0)
    assert f"{locked}: cannot read: permission denied" in run.stderr


def test_a_file_that_fails_to_read_is_one_line_and_the_rest_loads(tmp_path: Path) -> None:
    """``/proc/self/mem`` is a regular file whose read fails with EIO, even for root."""
    if not Path("/proc/self/mem").exists():
        pytest.skip("no /proc/self/mem on this system")
    (tmp_path / "ok.yaml").write_text(PV.format(name="ok"))
    run = run_measured("inventory", "/proc/self/mem", str(tmp_path))
    assert_clean_exit(run, 0)
    assert "/proc/self/mem: cannot read: input/output error" in run.stderr.splitlines()


def test_a_denied_open_is_reported_as_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a non-root user sees for a chmod 000 file, made with a denied ``open`` (root
    bypasses file modes, so the denial is simulated at the system call)."""
    import builtins

    locked = tmp_path / "locked.yaml"
    locked.write_text(PV.format(name="locked"))
    (tmp_path / "ok.yaml").write_text(PV.format(name="ok"))
    real_open = builtins.open

    def denying_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", denying_open)
    inventory = load_inventory([str(tmp_path)])
    assert "ok" in inventory.persistent_volumes
    assert [str(p) for p in inventory.problems] == [f"{locked}: cannot read: permission denied"]


# ---- pasted error text -----------------------------------------------------------------------

PASTES = {
    "one-word": "x" * 2_000_000,
    "dots": "..." * 600_000,
    "truncated-then-long": "Output: C..." + "ommandm" * 280_000,
    "backslashes": "\\" * 2_000_000,
    "bytes-repr": "b'" + "a" * 1_999_990,
    "ansi": "\x1b[" * 900_000,
    "entities": "&quot;" * 300_000,
    "events": 'MountVolume.SetUp failed for volume "x" : mount failed\n' * 35_000,
    "mount-arguments": "Mounting arguments: -t efs -o " + "tls," * 400_000,
}


@pytest.mark.parametrize("shape", sorted(PASTES))
def test_two_megabytes_of_pasted_text_are_explained_in_bounded_time(
    tmp_path: Path, shape: str
) -> None:
    """explain reads up to 2,000,000 characters; no shape of them may take long (a lazy
    regex once took 2 s on 20 KB after a '...' and would have taken hours on 2 MB)."""
    path = tmp_path / "paste.txt"
    path.write_text(PASTES[shape])
    run = run_measured("explain", "--error-file", str(path), timeout=120)
    assert_clean_exit(run, 0, 2)
    assert run.seconds < 30, f"{shape}: {run.seconds:.1f}s"


CORE_TAGS = ("null", "bool", "int", "float", "binary", "timestamp", "omap", "pairs", "set")
CORE_TAGS += ("str", "seq", "map", "merge", "value", "yaml")
ODD_VALUES = ("", "x", "+", "_", ".", "0x", "0b", "0o9", ":", "1:", "::", "1__", "e", ".e")
ODD_VALUES += ("9" * 5000, "2024-13-45", "2024-02-30T25:61:61Z", "{a: b}", "[a]", '""', "~")
ODD_VALUES += (".NaN", "0x_", "1:70", "YES", "=", "2024-01-01T00:00:00+99:99")


@pytest.mark.parametrize("tag", CORE_TAGS)
def test_every_core_tag_over_odd_values_is_an_error_or_a_value_never_a_crash(tag: str) -> None:
    """PyYAML's own constructors raise ValueError, AttributeError, KeyError or IndexError
    on an explicit tag over a value of the wrong form; each is a positioned YAML error,
    in manifests and in CloudFormation templates alike."""
    from efs_doctor.sources.documents import parse_yaml
    from efs_doctor.sources.iac.cfn_yaml import parse_template_yaml

    template = "AWSTemplateFormatVersion: x\nResources:\n  R:\n    Type: AWS::X\n    "
    for value in ODD_VALUES:
        text = f"a: !!{tag} {value}\n"
        problems: list[InputProblem] = []
        list(parse_yaml("odd.yaml", text, problems))
        list(parse_template_yaml("odd.yaml", template + text, problems))
        for problem in problems:
            assert str(problem).startswith("odd.yaml:"), problem
            assert "\n" not in str(problem)


@pytest.mark.parametrize(
    ("where", "pattern", "decision"),
    [
        ("Action", "elasticfilesystem:Clien" + "*" * 5000 + "tMount", "allow"),  # stars: ""
        ("Action", "elasticfilesystem:" + "*C" * 400 + "x", "deny"),
        ("Resource", "arn:aws:elasticfilesystem:*:*:file-system/" + "*f" * 400 + "x", "deny"),
        ("Condition", "arn:aws:iam::*:role/" + "*a" * 400 + "b", "deny"),
    ],
)
def test_a_policy_full_of_wildcards_is_evaluated_in_bounded_time(
    where: str, pattern: str, decision: str
) -> None:
    """A glob with thousands of stars, or hundreds of star-separated pieces, against values
    that do not match: the translation to regular expressions must not backtrack without
    bound (80 stars once hung the evaluator)."""
    import time

    from efs_doctor.engine.iam import NfsRequest, evaluate_client_access, parse_policy

    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "elasticfilesystem:ClientMount",
        "Resource": "*",
    }
    if where == "Condition":
        statement["Condition"] = {"ArnLike": {"aws:PrincipalArn": pattern}}
    else:
        statement[where] = pattern
    parsed = parse_policy({"Version": "2012-10-17", "Statement": [statement]})
    request = NfsRequest(
        "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0",
        principal="arn:aws:iam::111122223333:role/" + "a" * 60,
    )
    began = time.monotonic()
    result = evaluate_client_access(parsed, True, (), request)
    assert time.monotonic() - began < 5
    found = result.decisions["elasticfilesystem:ClientMount"].decision
    # aws:PrincipalArn is not enforced by EFS for NFS clients (efs-semantics.md §4.5): a
    # condition on it leaves an IAM client's access indeterminate, not denied
    assert found == decision or (where == "Condition" and found == "indeterminate")
