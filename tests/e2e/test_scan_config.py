"""``scan`` with a configuration file: the file's settings apply, flags override them,
``--show-config`` says where each came from, and every bad key or value is one line naming
the file, line and column (exit 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from efs_doctor.commands.scan import FORMATS, POLICY_REPORT_FORMATS

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding the seed incident under deploy/ and a subdirectory to run in."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(EXAMPLES / "seed-incident", tmp_path / "deploy")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    return tmp_path


def _pyproject(repo: Path, body: str) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "platform"\n\n[tool.efs-doctor]\n' + body, encoding="utf-8"
    )


def _settings(output: str) -> dict[str, tuple[str, str]]:
    """``--show-config`` lines ``key = value  # origin`` as {key: (value, origin)}."""
    out = {}
    for line in output.splitlines()[1:]:
        setting, _, origin = line.partition(" # ")
        key, _, value = setting.partition(" = ")
        out[key] = (value.strip(), origin)
    return out


def test_the_file_sets_what_the_scan_does(cli: Cli, repo: Path) -> None:
    _pyproject(repo, 'paths = ["deploy"]\nmin-severity = "critical"\nformat = "json"\n')
    result = cli("scan", cwd=repo / "sub" / "deeper")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)  # format from the file
    assert [f["code"] for f in document["findings"]] == ["AUTH001"]  # AUTH005 is medium
    assert document["summary"]["below_threshold"] == 1
    # the paths are the file's, relative to it, shown relative to where the scan ran
    assert document["findings"][0]["location"]["path"] == "../../deploy/k8s/pv-and-claim.yaml"


def test_flags_override_the_file_and_show_config_names_each_origin(cli: Cli, repo: Path) -> None:
    _pyproject(repo, 'paths = ["deploy"]\nselect = ["NET"]\nmin-severity = "high"\n')
    result = cli(
        "scan", "--show-config", "--select", "AUTH", "--min-confidence", "high", cwd=repo / "sub"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "# configuration file: [tool.efs-doctor] in ../pyproject.toml"
    )
    assert _settings(result.stdout) == {
        "paths": ('["deploy"]', "../pyproject.toml:5:1"),
        "select": ('["AUTH"]', "command line (--select)"),
        "ignore": ("[]", "default"),
        "min-severity": ('"high"', "../pyproject.toml:7:1"),
        "min-confidence": ('"high"', "command line (--min-confidence)"),
        "format": ('"text"', "default"),
        "values": ("[]", "default"),
        "set": ("[]", "default"),
        "allow-network": ("false", "default"),
        "no-render": ("false", "default"),
    }
    scanned = cli("scan", "--select", "AUTH", "--format", "json", cwd=repo / "sub")
    codes = {f["code"] for f in json.loads(scanned.stdout)["findings"]}
    assert codes == {"AUTH001"}  # --select AUTH over the file's NET, min-severity high kept


def test_command_line_paths_replace_the_files(cli: Cli, repo: Path) -> None:
    _pyproject(repo, 'paths = ["does-not-exist"]\n')
    result = cli("scan", "deploy", "--format", "json", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert "does-not-exist" not in result.stderr


def test_own_file_and_explicit_config_and_no_config(cli: Cli, repo: Path) -> None:
    (repo / ".efs-doctor.toml").write_text('paths = ["deploy"]\nignore = ["AUTH"]\n')
    (repo / "strict.toml").write_text('paths = ["deploy"]\n')
    assert cli("scan", cwd=repo).returncode == 0  # AUTH001 and AUTH005 ignored
    assert cli("scan", "--config", "strict.toml", cwd=repo).returncode == 1
    no_config = cli("scan", "--no-config", cwd=repo)
    assert no_config.returncode == 2
    assert "set paths in .efs-doctor.toml" in no_config.stderr
    missing = cli("scan", "--config", "nope.toml", cwd=repo)
    assert missing.returncode == 2
    assert missing.stderr.strip() == "efs-doctor scan: error: --config nope.toml: no such file"


def test_every_bad_key_or_value_is_one_line_with_its_position(cli: Cli, repo: Path) -> None:
    _pyproject(
        repo,
        'paths = ["deploy", 3]\n'
        'min_severity = "high"\n'
        'format = "xml"\n'
        'select = ["AUTH", "NOPE"]\n'
        'min-confidence = "hgih"\n'
        "[tool.efs-doctor.helm]\n"
        "values = {}\n",
    )
    result = cli("scan", "--show-config", cwd=repo)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "efs-doctor: pyproject.toml:5:1: paths: expected a list of non-empty strings",
        "efs-doctor: pyproject.toml:6:1: unknown key 'min_severity' in [tool.efs-doctor]; "
        "did you mean 'min-severity'?",
        "efs-doctor: pyproject.toml:7:1: format: expected one of "
        + ", ".join(f'"{f}"' for f in FORMATS + POLICY_REPORT_FORMATS)  # what --format takes
        + '; got "xml"',
        "efs-doctor: pyproject.toml:8:1: select: no rule matches NOPE (see `efs-doctor rules`)",
        'efs-doctor: pyproject.toml:9:1: min-confidence: expected one of "high", "medium", '
        '"low"; got "hgih"',
        "efs-doctor: pyproject.toml:10:1: unknown key 'helm' in [tool.efs-doctor]; "
        "known keys: paths, select, ignore, min-severity, min-confidence, format, values, set, "
        "allow-network, no-render",
        "efs-doctor scan: error: 6 problem(s) in [tool.efs-doctor] in pyproject.toml; "
        "fix them or pass --no-config",
    ]


def test_render_settings_reach_the_renderer_options(cli: Cli, repo: Path) -> None:
    (repo / "deploy" / "values-prod.yaml").write_text("replicaCount: 2\n", encoding="utf-8")
    _pyproject(
        repo,
        'paths = ["deploy"]\nvalues = ["deploy/values-prod.yaml"]\nset = ["a=b"]\n'
        "no-render = true\n",
    )
    shown = _settings(cli("scan", "--show-config", cwd=repo / "sub").stdout)
    assert shown["values"] == ('["deploy/values-prod.yaml"]', "../pyproject.toml:6:1")
    assert shown["no-render"] == ("true", "../pyproject.toml:8:1")
    # the values file is relative to the configuration file, wherever the scan runs
    assert cli("scan", cwd=repo / "sub" / "deeper").returncode == 1
    (repo / ".efs-doctor.toml").write_text(
        'paths = ["deploy"]\nvalues = ["missing.yaml"]\nallow-network = "yes"\n'
    )
    result = cli("scan", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        'efs-doctor: .efs-doctor.toml:3:1: allow-network: expected true or false; got "yes"'
    )
    (repo / ".efs-doctor.toml").write_text('paths = ["deploy"]\nvalues = ["missing.yaml"]\n')
    missing = cli("scan", cwd=repo / "sub")
    assert missing.returncode == 2
    assert "--values ../missing.yaml: no such file" in missing.stderr


def test_a_file_that_does_not_parse_is_a_usage_error(cli: Cli, repo: Path) -> None:
    (repo / ".efs-doctor.toml").write_text('paths = ["deploy"\nformat = "text"\n')
    result = cli("scan", "deploy", cwd=repo)  # the file is read even when PATHs are given
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith("efs-doctor: .efs-doctor.toml:2:")
    assert "invalid TOML" in first
    assert "Traceback" not in result.stderr


def test_with_live_the_files_paths_are_not_scanned(cli: Cli, repo: Path) -> None:
    _pyproject(repo, 'paths = ["deploy"]\n')
    result = cli("scan", "--live", "--show-config", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert _settings(result.stdout)["paths"] == ("[]", "not used with --live")


def test_help_documents_the_file_and_its_keys(cli: Cli) -> None:
    result = cli("scan", "--help")
    assert result.returncode == 0
    for text in (
        "--show-config",
        "--no-config",
        ".efs-doctor.toml",
        "[tool.efs-doctor]",
        'min-severity = "medium"',
        "as --min-severity",
        "Flags override the file",
    ):
        assert text in result.stdout, text
