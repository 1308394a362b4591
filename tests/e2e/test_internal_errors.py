"""A bug of ours is visible (issue 14 item 5, contracts.md "Exit codes"): exit 3 and one line
``internal error in <where>: <Type>: <message>`` on stderr, never a report, never a success,
never an "inputs missing" inconclusive; ``-v`` adds the traceback.

How the bug gets in: the CLI runs in this process (``efs_doctor.cli.main``), and a rule that
raises is added to the registry the rule runner reads (``efs_doctor.rules.REGISTRY``, read
anew by every analysis), exactly as a broken rule module would be registered. An engine step
or a renderer is made to raise by replacing one function of its module for the length of the
test (pytest's ``monkeypatch``); the function is looked up in its own module when the step
runs, so the code under test is the code the CLI runs. No hook exists in the product for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from efs_doctor import cli
from efs_doctor.engine.analysis import Context
from efs_doctor.errors import EXIT_INTERNAL, InternalError
from efs_doctor.findings import Confidence, Severity
from efs_doctor.rules.base import Result, Rule, RuleMeta

REPO = Path(__file__).resolve().parents[2]
HEALTHY = str(REPO / "examples" / "healthy")
SEED = str(REPO / "examples" / "seed-incident")
POLICY = str(REPO / "examples" / "healthy" / "aws" / "file-system-policy.json")
NODE_ROLE = "arn:aws:iam::111122223333:role/eks-node-group-role"
PLACEMENTS = "efs_doctor.engine.mount.simulate.placements"  # the simulation's first step
CHAIN = "Deployment web/deployment/web -> PVC web/shared-data -> PV efs-pv"  # both examples
FAILED_MOUNT = (
    'MountVolume.SetUp failed for volume "efs-pv" : rpc error: code = Internal desc = Could not '
    'mount "fs-0123456789abcdef0:/" at "/var/lib/kubelet/pods/x/volumes/kubernetes.io~csi/efs-pv'
    '/mount": mount failed: exit status 32 Output: mount.nfs4: access denied by server while '
    "mounting 127.0.0.1:/"
)


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()


@pytest.fixture
def efs_doctor(capsys: pytest.CaptureFixture[str]) -> Any:
    """``efs_doctor(*argv)``: the CLI's main() in this process, with its exit code and
    captured output."""

    def run(*argv: str) -> Run:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def _raise(error: Exception) -> Any:
    def raising(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise error

    return raising


def _rule(check: Any, code: str = "TEST901", slug: str = "raises-on-purpose") -> Rule:
    meta = RuleMeta(code, slug, "a rule with a bug", Severity.HIGH, Confidence.HIGH, ("manifests",))
    return Rule(meta, check, "A rule with a bug.", "tests.e2e.test_internal_errors")


def _add_rule(monkeypatch: pytest.MonkeyPatch, rule: Rule) -> None:
    import efs_doctor.rules

    monkeypatch.setattr(efs_doctor.rules, "REGISTRY", (*efs_doctor.rules.REGISTRY, rule))


def assert_internal_error(run: Run, line: str) -> None:
    """Exit 3, nothing on stdout, and ``line`` as the only line about it on stderr."""
    assert run.code == EXIT_INTERNAL, (run.code, run.stderr)
    assert run.stdout == ""
    assert run.lines[-1] == line, run.stderr
    assert [x for x in run.lines if "internal error" in x] == [line]
    assert "Traceback" not in run.stderr


# ---- scan --------------------------------------------------------------------------------


def test_a_rule_that_raises_fails_the_scan(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def check(context: Context) -> Iterator[Result]:
        raise KeyError(context.chains[0].label)

    _add_rule(monkeypatch, _rule(check))
    run = efs_doctor("scan", HEALTHY, "--format", "json")
    assert_internal_error(
        run,
        f"internal error in rule TEST901 (raises-on-purpose): KeyError: '{CHAIN}'",
    )


def test_a_rule_failing_after_its_first_finding_still_fails_the_scan(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generator that yields, then raises: what it yielded before is no partial success."""

    def check(context: Context) -> Iterator[Result]:
        chain = context.chains[0]
        yield _rule(check).meta.inconclusive(chain.label, "looked at it")
        raise ZeroDivisionError("division by zero")

    _add_rule(monkeypatch, _rule(check))
    run = efs_doctor("scan", HEALTHY)
    assert_internal_error(
        run,
        "internal error in rule TEST901 (raises-on-purpose): ZeroDivisionError: division by zero",
    )


def test_a_rule_yielding_something_else_is_an_internal_error(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_rule(monkeypatch, _rule(lambda _context: ["not a finding"]))
    run = efs_doctor("scan", HEALTHY)
    assert_internal_error(
        run, "internal error in rule TEST901 (raises-on-purpose): TypeError: check yielded a str"
    )


def test_a_multi_line_message_stays_one_line(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_rule(monkeypatch, _rule(_raise(ValueError("first line\nsecond line\r\n\tthird"))))
    run = efs_doctor("scan", HEALTHY)
    assert_internal_error(
        run,
        "internal error in rule TEST901 (raises-on-purpose): "
        "ValueError: first line second line third",
    )


def test_the_rule_is_named_even_when_others_are_deselected(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_rule(monkeypatch, _rule(_raise(RuntimeError("boom"))))
    assert efs_doctor("scan", HEALTHY, "--select", "CSI").code == 0  # the rule did not run
    run = efs_doctor("scan", HEALTHY, "--select", "TEST901")
    assert_internal_error(
        run, "internal error in rule TEST901 (raises-on-purpose): RuntimeError: boom"
    )


def test_verbose_shows_the_traceback_then_the_line(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_rule(monkeypatch, _rule(_raise(RuntimeError("boom"))))
    run = efs_doctor("-v", "scan", HEALTHY)
    assert run.code == EXIT_INTERNAL
    assert run.stderr.startswith("Traceback")
    assert "RuntimeError: boom" in run.stderr
    assert run.lines[-1] == "internal error in rule TEST901 (raises-on-purpose): RuntimeError: boom"


def test_a_failing_mount_simulation_fails_the_scan(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The simulation refines the rules' expected errors; when it raises, the scan is not
    quietly a scan without it (it was a report note)."""
    monkeypatch.setattr(PLACEMENTS, _raise(AttributeError("no attribute 'zone'")))
    run = efs_doctor("scan", SEED, "--format", "json")
    assert_internal_error(
        run,
        f"internal error in mount simulation of {CHAIN}: AttributeError: no attribute 'zone'",
    )


@pytest.mark.parametrize(
    ("format_", "module", "function"),
    [
        ("json", "efs_doctor.report.json", "finding_json"),
        ("text", "efs_doctor.report.text", "_finding"),
        ("sarif", "efs_doctor.report.sarif", "_result"),
        ("markdown", "efs_doctor.report.markdown", "render"),
    ],
)
def test_a_failing_renderer_fails_the_scan(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch, format_: str, module: str, function: str
) -> None:
    monkeypatch.setattr(f"{module}.{function}", _raise(IndexError("list index out of range")))
    run = efs_doctor("scan", SEED, "--format", format_)
    assert_internal_error(
        run, f"internal error in the {format_} renderer: IndexError: list index out of range"
    )


# ---- simulate, inventory -----------------------------------------------------------------


def test_a_failing_simulation_step_fails_simulate(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PLACEMENTS, _raise(KeyError("us-east-1a")))
    run = efs_doctor("simulate", HEALTHY, "--format", "json")
    assert_internal_error(
        run, f"internal error in mount simulation of {CHAIN}: KeyError: 'us-east-1a'"
    )


@pytest.mark.parametrize(
    ("format_", "function"), [("json", "_step_json"), ("text", "outcome_text")]
)
def test_a_failing_renderer_fails_simulate(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch, format_: str, function: str
) -> None:
    monkeypatch.setattr(f"efs_doctor.report.simulate.{function}", _raise(TypeError("bad step")))
    run = efs_doctor("simulate", SEED, "--format", format_)
    assert_internal_error(run, f"internal error in the {format_} renderer: TypeError: bad step")


@pytest.mark.parametrize("format_", ["json", "text"])
def test_a_failing_renderer_fails_inventory(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch, format_: str
) -> None:
    monkeypatch.setattr("efs_doctor.report.inventory.chain_steps", _raise(KeyError("claim")))
    run = efs_doctor("inventory", HEALTHY, "--format", format_)
    assert_internal_error(run, f"internal error in the {format_} renderer: KeyError: 'claim'")


# ---- explain, policy (no step names itself there yet: the command is named) -------------


def test_a_failing_explain_engine_fails_explain(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("efs_doctor.engine.explain.core._global_notes", _raise(KeyError("fs_id")))
    run = efs_doctor("explain", "--error", FAILED_MOUNT)
    assert_internal_error(run, "internal error in efs-doctor explain: KeyError: 'fs_id'")


def test_a_failing_explain_renderer_fails_explain(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("efs_doctor.report.explain._facts_lines", _raise(ValueError("facts")))
    run = efs_doctor("explain", "--error", FAILED_MOUNT)
    assert_internal_error(run, "internal error in efs-doctor explain: ValueError: facts")


def test_a_failing_simulation_fails_explain_with_context(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PLACEMENTS, _raise(KeyError("us-east-1a")))
    run = efs_doctor("explain", "--error", FAILED_MOUNT, SEED)
    assert run.code == EXIT_INTERNAL
    assert run.lines[-1].startswith("internal error in mount simulation of ")


def test_a_failing_linter_fails_policy_check(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("efs_doctor.engine.iam.lint._Linter.run", _raise(KeyError("Statement")))
    run = efs_doctor("policy", "check", POLICY)
    assert_internal_error(run, "internal error in efs-doctor policy: KeyError: 'Statement'")


def test_a_failing_evaluation_fails_policy_simulate(
    efs_doctor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("efs_doctor.engine.iam.nfs.effective_access", _raise(KeyError("write")))
    run = efs_doctor("policy", "simulate", POLICY, "--principal", NODE_ROLE, "--format", "json")
    assert_internal_error(run, "internal error in efs-doctor policy: KeyError: 'write'")


# ---- the one-line form -------------------------------------------------------------------


def test_the_line_names_where_and_what() -> None:
    assert (
        str(InternalError("rule X", KeyError("a\nb")))
        == "internal error in rule X: KeyError: 'a\\nb'"
    )
    assert str(InternalError("step", RuntimeError())) == "internal error in step: RuntimeError"
