"""Fuzz targets: one function per input surface, taking raw bytes, checking the properties.

Every target turns bytes into what the surface reads (a file, a string), runs the code the
CLI runs on it, and raises :class:`PropertyViolation` when a property does not hold. Any other
exception escaping a target is a crash. The properties:

* no uncaught exception (the documented rejections, such as ``VolumeHandleError`` or
  ``PolicyTextError``, are answers, not crashes);
* bounded time (enforced by the caller: :mod:`fuzz_engine` or atheris);
* every input problem is one line that names the input file, and a syntax error also gives
  the line (and column) where it is;
* the report and the simulated outcomes are answers (``report_checks``: every rule ran, every
  finding points at what was read, a failed mount names its layer and cause, ...), and every
  report format renders.

A rule or a simulation step that raises is an ``InternalError`` escaping the target: a crash.

The same functions run under pytest (``tests/fuzz/test_fuzz_ci.py``), under the seeded
mutation engine and under atheris (``scripts/fuzz.py``).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from report_checks import PropertyViolation, check_outcomes, check_report

REPO = Path(__file__).resolve().parents[2]
SEED_INCIDENT = REPO / "examples" / "seed-incident"
MAX_INPUT = 64 * 1024  # bytes given to a target; longer inputs are cut


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], None]
    summary: str


# ---- helpers ---------------------------------------------------------------------------------

_scratch: list[Path] = []


def scratch_dir() -> Path:
    """A private directory for the files the loader targets write (RAM-backed when possible)."""
    if not _scratch or not _scratch[0].is_dir():
        base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        _scratch[:] = [Path(tempfile.mkdtemp(prefix="efs-doctor-fuzz-", dir=base))]
        atexit.register(shutil.rmtree, _scratch[0], True)
    return _scratch[0]


def as_text(data: bytes) -> str:
    """Bytes as the CLI would see a pasted or read string (invalid UTF-8 replaced)."""
    return data[:MAX_INPUT].decode("utf-8", errors="replace")


_SYNTAX = ("invalid YAML", "invalid JSON", "not valid UTF-8")


def check_problems(problems: Iterable[object], fuzzed: str) -> None:
    """Every problem is one line naming its file; syntax errors carry a line number."""
    for problem in problems:
        text = str(problem)
        location = getattr(problem, "location", None)
        message = str(getattr(problem, "message", ""))
        if "\n" in text or "\r" in text:
            raise PropertyViolation(f"problem spans several lines: {text!r}")
        if location is None or not location.path:
            raise PropertyViolation(f"problem names no file: {text!r}")
        if location.path == fuzzed and message.startswith(_SYNTAX) and location.line is None:
            raise PropertyViolation(f"syntax error without a position: {text!r}")
        if not text.startswith(str(location.path)):
            raise PropertyViolation(f"problem does not start with its file: {text!r}")


def _context_files(kind: str) -> list[str]:
    """The seed incident's other half: AWS answers for a fuzzed manifest and vice versa."""
    folder = SEED_INCIDENT / ("aws" if kind == "kubernetes" else "k8s")
    return sorted(str(p) for p in folder.iterdir() if p.suffix in (".json", ".yaml", ".yml"))


def _run_pipeline(data: bytes, suffix: str, kind: str) -> None:
    """What ``scan`` and ``simulate`` do with one fuzzed file next to the seed incident's
    other half: load, resolve chains, run the rules, simulate, render every report."""
    from efs_doctor.api import analyze, load_inventory, mount_chains
    from efs_doctor.engine.mount import simulate_all
    from efs_doctor.report import markdown, text
    from efs_doctor.report.simulate import simulate_json, simulate_text

    path = scratch_dir() / f"input{suffix}"
    path.write_bytes(data[:MAX_INPUT])
    inventory = load_inventory([str(path), *_context_files(kind)])
    check_problems(inventory.problems, str(path))
    chains = mount_chains(inventory)
    report = analyze(inventory)
    check_report(report, chains, inventory.files)
    text.render(report, color=True)
    markdown.render(report)
    outcomes = simulate_all(inventory, chains)
    check_outcomes(chains, outcomes)
    json.dumps(simulate_json(outcomes))
    simulate_text(outcomes)


# ---- targets ---------------------------------------------------------------------------------


def kubernetes_yaml(data: bytes) -> None:
    """A Kubernetes manifest file (YAML, multi-document) with the seed's AWS state."""
    _run_pipeline(data, ".yaml", "kubernetes")


def kubernetes_json(data: bytes) -> None:
    """A Kubernetes JSON file (``kubectl get -o json``) with the seed's AWS state."""
    _run_pipeline(data, ".json", "kubernetes")


def aws_shapes(data: bytes) -> None:
    """A saved ``aws ... --output json`` answer with the seed's Kubernetes objects."""
    _run_pipeline(data, ".json", "aws")


_REQUESTS: list[dict[str, object]] = [
    {"principal": "anonymous"},
    {"principal": "arn:aws:iam::123456789012:role/eks-node-group-role"},
    {
        "principal": "arn:aws:iam::123456789012:role/app-efs-access",
        "session_arn": "arn:aws:sts::123456789012:assumed-role/app-efs-access/s1",
        "access_point_arn": (
            "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0"
        ),
        "source_ip": "10.0.1.17",
    },
    {"principal": "arn:aws:iam::999999999999:user/other", "secure_transport": False},
]
FS_ARN = "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0"


def policy(data: bytes) -> None:
    """A policy document: parse (JSON text), lint, evaluate every client action for a few
    principals, as a file system policy and as an identity policy."""
    from efs_doctor.engine.iam import (
        NfsRequest,
        PolicyTextError,
        evaluate_client_access,
        lint_policy,
        parse_policy_text,
    )

    text = as_text(data)
    for kind in ("resource", "identity"):
        try:
            parsed = parse_policy_text(text, kind=kind, path="fuzz.json")
        except PolicyTextError as error:
            if error.line < 1 or error.column < 1 or "\n" in error.message:
                raise PropertyViolation(f"bad PolicyTextError: {error.message!r}") from None
            return
        for problem in parsed.problems:
            if "\n" in str(problem.message):
                raise PropertyViolation(f"policy problem spans lines: {problem.message!r}")
        lint_policy(parsed)
        if not parsed.ok:
            continue
        for fields in _REQUESTS:
            request = NfsRequest(FS_ARN, **fields)  # type: ignore[arg-type]
            if kind == "resource":
                result = evaluate_client_access(parsed, True, (), request)
            else:
                result = evaluate_client_access(None, True, (parsed,), request)
            for decision in result.decisions.values():
                if decision.decision not in ("allow", "deny", "indeterminate"):
                    raise PropertyViolation(f"decision {decision.decision!r}")


def volume_handle(data: bytes) -> None:
    """``spec.csi.volumeHandle``, parsed as drivers before and after v3.0.0 parse it."""
    from efs_doctor.model.volume_handle import VolumeHandleError, parse_volume_handle

    text = as_text(data)
    for allow_prefix in (True, False):
        try:
            handle = parse_volume_handle(text, allow_prefix=allow_prefix)
        except VolumeHandleError as error:
            if not str(error).startswith("volume ID"):
                raise PropertyViolation(f"unexpected handle message: {error}") from None
            continue
        if not handle.file_system_id.startswith("fs-"):
            raise PropertyViolation(f"accepted handle without a file system id: {text!r}")
        if not handle.subpath:  # none is "/"; go's path.Clean never returns ""
            raise PropertyViolation(f"empty sub-path accepted: {text!r}")


def _split_fields(text: str, count: int) -> list[str]:
    parts = text.split("\x1e")  # ASCII record separator: mutation engines insert it too
    parts += [""] * (count - len(parts))
    return parts[:count]


def mount_options(data: bytes) -> None:
    """The CSI option merge (volumeAttributes, handle, mountOptions) and efs-utils' option
    parsing and validation, under the default and the oldest modelled versions.

    Input layout: ``handle RS attributes RS mountOptions RS zone`` (RS = 0x1e); attributes
    are ``key=value`` lines, mount options comma-separated, as a PV writes them."""
    from efs_doctor.engine.mount.options import (
        CsiMount,
        CsiRejection,
        EfsUtilsRejection,
        build_csi_mount,
        nfs_options,
        parse_efs_options,
        validate_efs_options,
    )
    from efs_doctor.engine.mount.versions import Version, Versions

    handle, attributes_text, options_text, zone = _split_fields(as_text(data), 4)
    attributes: dict[str, str] = {}
    for line in attributes_text.splitlines():
        key, _, value = line.partition("=")
        attributes[key] = value
    flags = [f for f in options_text.split(",") if f]
    version_sets = [
        Versions(Version(3, 4, 1), Version(3, 2, 0), "fuzz", "fuzz"),
        Versions(Version(1, 3, 0), Version(1, 31, 0), "fuzz", "fuzz"),
    ]
    for versions in version_sets:
        for read_only in (False, True):
            merged = build_csi_mount(
                handle,
                attributes,
                flags,
                read_only,
                versions=versions,
                node_zone=zone or None,
            )
            if isinstance(merged, CsiRejection):
                if not merged.message or not merged.code:
                    raise PropertyViolation("rejection without a message")
                continue
            if not isinstance(merged, CsiMount):
                raise PropertyViolation(f"build_csi_mount returned {type(merged).__name__}")
            parsed = parse_efs_options(",".join(merged.options))
            if isinstance(parsed, EfsUtilsRejection):
                continue
            rejected = validate_efs_options(parsed, versions)
            if rejected is None:
                nfs_options(parsed, "20049")
    parsed = parse_efs_options(options_text)
    if not isinstance(parsed, EfsUtilsRejection):
        validate_efs_options(parsed, version_sets[0])
        nfs_options(parsed, None)


def explain_intake(data: bytes) -> None:
    """Pasted error text: normalise, extract facts, rank causes, render text and JSON."""
    from efs_doctor.engine.explain import explain, extract_facts, normalise
    from efs_doctor.report.explain import render_text

    text = as_text(data)
    facts = extract_facts(normalise(text))
    explanation = explain(text)
    render_text(explanation, None)
    json.dumps(explanation.to_json(), ensure_ascii=False)
    for error in explanation.errors:
        for cause in error.causes:
            if not 0.0 <= cause.score <= 1.0:
                raise PropertyViolation(f"score {cause.score} out of [0, 1]")
    del facts


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("kubernetes-yaml", kubernetes_yaml, "Kubernetes YAML loader and every engine"),
        Target("kubernetes-json", kubernetes_json, "Kubernetes JSON loader and every engine"),
        Target("aws-shapes", aws_shapes, "AWS CLI answer loader and every engine"),
        Target("policy", policy, "policy parser, linter and evaluator"),
        Target("volume-handle", volume_handle, "volumeHandle grammar"),
        Target("mount-options", mount_options, "CSI option merge, efs-utils option checks"),
        Target("explain-intake", explain_intake, "explain: pasted text to ranked causes"),
    )
}
