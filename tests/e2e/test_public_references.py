"""Everything a user reads cites public sources: no command output (every format), rule page,
README or docs page names the team's research notes (efs-semantics.md, contracts.md,
causes.md ...), which users do not have. A simulated step's ``source`` is the file:line of the
deciding input or a public URL (issue 21, item 3).

The commands run in-process (``efs_doctor.cli.main``) on both examples and on scenario inputs
chosen because their steps, reasons and lint messages used to cite sections.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from efs_doctor.cli import COMMANDS, main
from efs_doctor.rules import REGISTRY

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "tests" / "scenarios"
EXPLAIN_TEXTS = REPO / "tests" / "fixtures" / "explain"
# The research notes (and a section sign, how the code cites them): none of it may reach a user.
INTERNAL = re.compile(r"efs-semantics|contracts\.md|causes\.md|dependencies\.md|integrations\.md|§")
SOURCE = re.compile(r"^(https://\S+|\S+:\d+|\S+\.(json|ya?ml))$")
# Scenarios whose steps cite the most sections: default and unknown policy, VPC DNS off,
# security group, NACL, access point of another file system, root directory without
# CreationInfo, broken IRSA trust, ReadOnlyMany, aws:PrincipalArn with iam, dynamic
# provisioning, ReadWriteOncePod, Fargate.
SCENARIO_NAMES = (
    "01-default-policy-anonymous",
    "03-policy-not-provided",
    "13-vpc-dns-hostnames-off",
    "15-mount-target-sg-without-2049",
    "18-nacl-mount-target-return-traffic",
    "19-access-point-other-file-system",
    "20-access-point-root-without-creation-info",
    "23-irsa-trust-broken-falls-through",
    "27-read-only-many",
    "33-principalarn-with-iam",
    "40-dynamic-provisioning",
    "45-read-write-once-pod",
    "47-fargate-node",
)
ACCESS_DENIED = "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'"


def _scenario_inputs(name: str, folder: Path) -> Path:
    """The scenario's documents in one file, as tests/scenarios builds them: the base, minus
    ``omit``, plus ``add``; an added file system policy replaces the base's."""
    base: dict[str, Any] = yaml.safe_load((SCENARIOS / "base.yaml").read_text())
    case = yaml.safe_load((SCENARIOS / "cases" / f"{name}.yaml").read_text())
    omitted = set(case.get("omit", ()))
    added = list(case.get("add", ()))
    if any(isinstance(d, dict) and ("Statement" in d or "Policy" in d) for d in added):
        omitted.add("fs-policy")
    documents = [d for key, d in base.items() if key not in omitted] + added
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("scenarios")
    examples = [str(REPO / "examples" / name) for name in ("healthy", "seed-incident")]
    return examples + [str(_scenario_inputs(name, folder)) for name in SCENARIO_NAMES]


def _outputs(*argv: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # --help
            code = int(exc.code or 0)
    assert code in (0, 1, 2), f"{argv}: exit {code}\n{err.getvalue()}"
    return out.getvalue(), err.getvalue()


def _run(*argv: str) -> str:
    """What the user sees of ``efs-doctor ARGV``: stdout and stderr."""
    return "\n".join(_outputs(*argv))


def _leaks(text: str) -> list[str]:
    return [line.strip()[:160] for line in text.splitlines() if INTERNAL.search(line)]


def test_scan_in_every_format(inputs: list[str]) -> None:
    for path in inputs:
        for fmt in ("text", "json", "sarif", "markdown"):
            assert _leaks(_run("scan", path, "--format", fmt)) == [], (path, fmt)


def test_simulate_inventory_and_explain(inputs: list[str]) -> None:
    for path in inputs:
        for fmt in ("text", "json"):
            assert _leaks(_run("simulate", path, "--format", fmt)) == [], (path, fmt)
            assert _leaks(_run("inventory", path, "--format", fmt)) == [], (path, fmt)
            explained = _run("explain", "--error", ACCESS_DENIED, path, "--format", fmt)
            assert _leaks(explained) == [], (path, fmt)


def test_explain_of_the_fixture_texts() -> None:
    seed = str(REPO / "examples" / "seed-incident")
    for text in sorted(EXPLAIN_TEXTS.glob("*.txt")):
        for fmt in ("text", "json"):
            assert _leaks(_run("explain", "--error-file", str(text), "--format", fmt)) == []
            explained = _run("explain", "--error-file", str(text), seed, "--format", fmt)
            assert _leaks(explained) == [], (text.name, fmt)


def test_step_sources_are_input_locations_or_public_urls(inputs: list[str]) -> None:
    seen = set()
    for path in inputs:
        document = json.loads(_outputs("simulate", path, "--format", "json")[0])
        for mount in document["mounts"]:
            for step in mount["steps"]:
                source = step["source"]
                if source is not None:
                    assert SOURCE.match(source), (path, step["step"], source)
                    seen.add(source.split("://")[0] if "://" in source else "file")
    assert seen == {"https", "file"}


def test_policy_commands(tmp_path: Path) -> None:
    """Every file system policy of the examples and the scenarios, checked and simulated."""
    policies = [str(REPO / "examples" / "seed-incident" / "aws" / "file-system-policy.json")]
    for case in sorted((SCENARIOS / "cases").glob("*.yaml")):
        for index, document in enumerate(yaml.safe_load(case.read_text()).get("add", ())):
            if isinstance(document, dict) and ("Statement" in document or "Policy" in document):
                path = tmp_path / f"{case.stem}-{index}.json"
                path.write_text(json.dumps(document))
                policies.append(str(path))
    assert len(policies) > 10
    for policy in policies:
        for fmt in ("text", "json"):
            assert _leaks(_run("policy", "check", policy, "--format", fmt)) == [], policy
            for principal in ("anonymous", "arn:aws:iam::111122223333:role/app"):
                simulated = _run(
                    "policy", "simulate", policy, "--principal", principal, "--format", fmt
                )
                assert _leaks(simulated) == [], (policy, principal)


def test_rules_rule_and_every_help() -> None:
    for fmt in ("text", "json"):
        assert _leaks(_run("rules", "--format", fmt)) == []
    for rule in REGISTRY:
        assert _leaks(_run("rule", rule.code)) == [], rule.code
    assert _leaks(_run("--help")) == []
    for name, _, _ in COMMANDS:
        assert _leaks(_run(name, "--help")) == [], name
    for name in ("check", "simulate"):
        assert _leaks(_run("policy", name, "--help")) == [], name
    assert _leaks(_run("permissions")) == []


def test_readme_and_docs() -> None:
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    assert len(pages) > len(REGISTRY)  # docs/rules is among them
    for page in pages:
        assert _leaks(page.read_text(encoding="utf-8")) == [], page.relative_to(REPO)
