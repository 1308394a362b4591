"""Fuzzing campaigns for efs-doctor's input surfaces (issue 9).

    python scripts/fuzz.py --minutes 10             # every target, 10 minutes each
    python scripts/fuzz.py --inputs 10000 --target policy
    python scripts/fuzz.py --engine atheris --minutes 30 --target kubernetes-yaml
    python scripts/fuzz.py --list
    python scripts/fuzz.py --build-corpus          # refresh tests/fuzz/corpus from fixtures

Targets and properties are in tests/fuzz/fuzz_targets.py. Engines:

* ``mutate`` (default): the seeded mutation fuzzer in tests/fuzz/fuzz_engine.py, no extra
  dependency; deterministic for a given ``--seed``.
* ``atheris``: coverage-guided (libFuzzer) when the ``atheris`` package is installed.

Each target runs in a child process. A per-input time limit is enforced inside the child
(``setitimer``; libFuzzer's ``-timeout`` under atheris) and, for a hang inside C code, by this
parent: a child that makes no progress for three times the limit is killed and the input it
was on is kept as a timeout. Every failing input is written to
``tests/fuzz/regressions/<target>/`` (with a ``.why`` note), where the CI replay test picks
it up. Exit status: 0 no failure, 1 failures found, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FUZZ = REPO / "tests" / "fuzz"
sys.path.insert(0, str(FUZZ))

from fuzz_engine import (  # noqa: E402
    CORPUS,
    Failure,
    campaign,
    save_regression,
    stats_json,
)
from fuzz_targets import TARGETS  # noqa: E402

MAX_SAVED_PER_SIGNATURE = 3
STATS_PREFIX = "FUZZ-STATS "


# ---- child: one target, one engine ------------------------------------------------------------


def _limit_memory(megabytes: int) -> None:
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def child_mutate(args: argparse.Namespace, work: Path) -> int:
    current = work / "current"
    progress = work / "progress"
    saved: dict[str, int] = {}
    seen = [0]

    def on_input(data: bytes) -> None:
        current.write_bytes(data)
        seen[0] += 1
        progress.write_text(str(seen[0]))  # the parent's watchdog reads its age and count

    def on_failure(failure: Failure) -> None:
        count = saved.get(failure.signature, 0)
        if count < MAX_SAVED_PER_SIGNATURE:
            saved[failure.signature] = count + 1
            path = save_regression(failure)
            print(f"FAIL {failure.kind} {failure.signature} -> {path}", flush=True)

    stats = campaign(
        args.child,
        count=args.inputs,
        seconds=args.seconds,
        seed=args.seed,
        timeout=args.timeout,
        slow=args.slow,
        on_input=on_input,
        on_failure=on_failure,
    )
    print(STATS_PREFIX + stats_json(stats), flush=True)
    return 1 if stats.failures else 0


def child_atheris(args: argparse.Namespace, work: Path) -> int:
    import atheris

    with atheris.instrument_imports(include=["efs_doctor"]):
        import efs_doctor.api
        import efs_doctor.engine.explain
        import efs_doctor.engine.iam
        import efs_doctor.engine.mount
        import efs_doctor.report.json
        import efs_doctor.rules  # noqa: F401

    function = TARGETS[args.child].run
    progress = work / "progress"
    counter = {"n": 0}

    def one_input(data: bytes) -> None:
        counter["n"] += 1
        if counter["n"] % 50 == 0:
            progress.touch()
        function(data)

    corpus = work / "corpus"
    shutil.copytree(CORPUS / args.child, corpus, dirs_exist_ok=True)
    flags = [
        sys.argv[0],
        str(corpus),
        f"-timeout={max(1, int(args.timeout))}",
        "-rss_limit_mb=4096",
        "-max_len=65536",
        f"-artifact_prefix={work}/",
        f"-seed={args.seed + 1}",
        "-print_final_stats=1",
    ]
    if args.seconds:
        flags.append(f"-max_total_time={max(1, int(args.seconds))}")
    if args.inputs:
        flags.append(f"-runs={args.inputs}")
    atheris.Setup(flags, one_input)
    atheris.Fuzz()
    return 0  # not reached: libFuzzer exits


# ---- parent -------------------------------------------------------------------------------------


def _child_command(args: argparse.Namespace, target: str, work: Path, seed: int) -> list[str]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        target,
        "--engine",
        args.engine,
        "--seed",
        str(seed),
        "--timeout",
        str(args.timeout),
        "--slow",
        str(args.slow),
        "--work",
        str(work),
    ]
    if args.inputs:
        command += ["--inputs", str(args.inputs)]
    if args.minutes:
        command += ["--seconds", str(args.minutes * 60)]
    return command


def _atheris_stats(target: str, output: str, work: Path, seconds: float) -> dict[str, Any]:
    runs = 0
    for line in output.splitlines():
        if line.startswith("stat::number_of_executed_units:"):
            runs = int(line.split(":")[-1].strip())
    failures = []
    for artifact in sorted(work.glob("crash-*")) + sorted(work.glob("timeout-*")):
        kind = "timeout" if artifact.name.startswith("timeout") else "crash"
        data = artifact.read_bytes()
        path = save_regression(Failure(target, kind, f"atheris {kind}", artifact.name, data))
        failures.append(str(path))
    return {
        "target": target,
        "inputs": runs,
        "seconds": round(seconds, 1),
        "slowest": None,
        "failures": len(failures),
        "signatures": failures,
    }


def run_target(args: argparse.Namespace, target: str) -> dict[str, Any]:
    """Run one target in a child (restarted after a hang) until its budget is spent."""
    started = time.monotonic()
    budget = args.minutes * 60 if args.minutes else None
    total = {"target": target, "engine": args.engine, "inputs": 0, "failures": 0}
    total |= {"slowest": 0.0, "signatures": [], "hangs": 0}
    seed = args.seed
    while True:
        work = Path(tempfile.mkdtemp(prefix=f"fuzz-{target}-"))
        progress = work / "progress"
        progress.touch()
        command = _child_command(args, target, work, seed)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        log = (work / "log").open("w+")
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        hung = False
        while child.poll() is None:
            time.sleep(0.5)
            if time.time() - progress.stat().st_mtime > 3 * args.timeout + 5:
                child.kill()
                child.wait()
                hung = True
        log.seek(0)
        output = log.read()
        log.close()
        if args.engine == "atheris":
            stats = _atheris_stats(target, output, work, time.monotonic() - started)
        else:
            lines = [x for x in output.splitlines() if x.startswith(STATS_PREFIX)]
            stats = json.loads(lines[-1][len(STATS_PREFIX) :]) if lines else None
        if hung or stats is None:
            current = work / "current"
            data = current.read_bytes() if current.exists() else b""
            reason = "hang (killed by the parent)" if hung else "child died: " + output[-300:]
            save_regression(Failure(target, "timeout" if hung else "crash", reason, "", data))
            total["hangs"] += 1
            total["failures"] += 1
            total["signatures"].append(reason)
            done = progress.read_text().strip()
            total["inputs"] += int(done) if done.isdigit() else 0
        else:
            for key in ("inputs", "failures"):
                total[key] += stats[key]
            total["slowest"] = max(total["slowest"], stats.get("slowest") or 0.0)
            total["signatures"] += [s for s in stats["signatures"] if s not in total["signatures"]]
        shutil.rmtree(work, ignore_errors=True)
        elapsed = time.monotonic() - started
        restart = (hung or stats is None) and (budget is None or elapsed < budget - 5)
        if not restart or total["hangs"] > 20:
            break
        seed += 1000  # a hang restarts the child on other inputs
    total["seconds"] = round(time.monotonic() - started, 1)
    return total


def build_corpus() -> None:
    """Seed inputs per target, from the repository's own examples and fixtures."""
    from fuzz_corpus import build

    written = build(CORPUS)
    for target, count in sorted(written.items()):
        print(f"{target}: {count} seed inputs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", action="append", choices=sorted(TARGETS), help="repeatable")
    parser.add_argument("--minutes", type=float, help="time per target")
    parser.add_argument("--inputs", type=int, help="inputs per target (default 10000)")
    parser.add_argument("--engine", choices=("mutate", "atheris"), default="mutate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per input")
    parser.add_argument(
        "--slow",
        type=float,
        default=2.0,
        help="an input slower than this (seconds) is kept as a 'slow' failure",
    )
    parser.add_argument("--jobs", type=int, default=1, help="targets run in parallel")
    parser.add_argument("--json", metavar="FILE", help="write the per-target figures here")
    parser.add_argument("--list", action="store_true", help="list the targets")
    parser.add_argument("--build-corpus", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        _limit_memory(4096)
        work = Path(args.work)
        if args.engine == "atheris":
            return child_atheris(args, work)
        return child_mutate(args, work)
    if args.list:
        for name, target in TARGETS.items():
            print(f"{name:16} {target.summary}")
        return 0
    if args.build_corpus:
        build_corpus()
        return 0
    if args.engine == "atheris":
        try:
            import atheris  # noqa: F401
        except ImportError:
            parser.error("--engine atheris needs the atheris package (pip install atheris)")
    if not args.minutes and not args.inputs:
        args.inputs = 10_000
    targets = args.target or list(TARGETS)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda t: run_target(args, t), targets))
    print(f"{'target':16} {'engine':8} {'inputs':>8} {'seconds':>8} {'slowest':>8} failures")
    for r in results:
        print(
            f"{r['target']:16} {r['engine']:8} {r['inputs']:>8} {r['seconds']:>8} "
            f"{r['slowest']:>8.3f} {r['failures']}"
        )
        for signature in r["signatures"]:
            print(f"    {signature}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 1 if any(r["failures"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
