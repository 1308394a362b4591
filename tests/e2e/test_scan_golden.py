"""Golden outputs of ``efs-doctor scan`` for the bundled examples, in every format
(STYLE.md convention 11). Paths are scrubbed; regenerate with

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/e2e/test_scan_golden.py

and review the diff. Every SARIF document is validated against the OASIS schema
(tests/data/sarif-schema-2.1.0.json, Draft 4)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest

from efs_doctor import __version__

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden" / "scan"
SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"
EXAMPLES = ("seed-incident", "healthy")
FORMATS = {"text": "txt", "json": "json", "sarif": "sarif", "markdown": "md"}
EXIT = {"seed-incident": 1, "healthy": 0}


def scrub(text: str) -> str:
    text = text.replace(str(REPO) + os.sep, "<repo>/").replace(str(REPO), "<repo>")
    return re.sub(r'"version": "' + re.escape(__version__) + '"', '"version": "<version>"', text)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_golden(example: str, fmt: str, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("scan", f"examples/{example}", "--format", fmt, cwd=REPO)
    assert result.returncode == EXIT[example], result.stderr
    output = scrub(result.stdout)
    golden = GOLDEN / f"{example}.{FORMATS[fmt]}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(output, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run with UPDATE_GOLDEN=1"
    assert output == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("example", EXAMPLES)
def test_sarif_validates(example: str, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("scan", f"examples/{example}", "--format", "sarif", cwd=REPO)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(
        e.message for e in validator_class(schema).iter_errors(json.loads(result.stdout))
    )
    assert errors == []


def test_seed_text_starts_with_the_seed_finding(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("scan", "examples/seed-incident", cwd=REPO)
    lines = result.stdout.splitlines()
    first = next(line for line in lines if not line.startswith("=="))
    assert first.startswith("examples/seed-incident/k8s/pv-and-claim.yaml:15:")
    assert "AUTH001" in first
    assert (
        "expected error: mount.nfs4: access denied by server while mounting 127.0.0.1:/"
        in result.stdout
    )
    assert "+  mountOptions:" in result.stdout
    assert "+    - iam" in result.stdout


def test_seed_json_contract(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("scan", "examples/seed-incident", "--format", "json", cwd=REPO)
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    first = document["findings"][0]
    assert set(first) >= {
        "code",
        "slug",
        "severity",
        "confidence",
        "message",
        "location",
        "related",
        "expected_error",
        "cause",
        "fix",
        "docs",
    }
    assert first["code"] == "AUTH001"
    assert first["location"] == {
        "path": "examples/seed-incident/k8s/pv-and-claim.yaml",
        "line": 15,
        "column": 5,
        "object": "PersistentVolume/efs-pv",
    }
    assert first["fix"]["safety"] == "safe"
    assert "+    - iam" in first["fix"]["patch"]
    assert first["cause"] == "iam-option-missing"
    assert set(document["summary"]) >= {
        "files",
        "objects",
        "chains",
        "findings",
        "by_severity",
        "inconclusive",
        "suppressed",
    }
