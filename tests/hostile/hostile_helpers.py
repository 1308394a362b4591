"""Running efs-doctor on hostile input in a child process, measuring time and peak memory.

The peak resident set size comes from ``getrusage(RUSAGE_CHILDREN)`` in a small wrapper
process whose only child is efs-doctor, so earlier children of the test process do not
count. Memory is what matters for alias bombs, 100 MB files and 100,000-file directories.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_WRAPPER = """
import json, resource, subprocess, sys
stdin = open(sys.argv[1], "rb") if sys.argv[1] != "-" else subprocess.DEVNULL
done = subprocess.run(sys.argv[2:], stdin=stdin, capture_output=True, check=False)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
sys.stdout.write(json.dumps({"rc": done.returncode, "peak_kib": peak,
    "stdout": done.stdout.decode("utf-8", "replace"),
    "stderr": done.stderr.decode("utf-8", "replace")}))
"""


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mib: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_measured(*args: str, stdin: Path | None = None, timeout: float = 120) -> Run:
    """``efs-doctor ARGS`` in a fresh interpreter; exit code, output, wall time, peak RSS."""
    command = [sys.executable, "-c", _WRAPPER, str(stdin) if stdin else "-"]
    command += [sys.executable, "-m", "efs_doctor", *args]
    began = time.monotonic()
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"},
        cwd=REPO,
    )
    seconds = time.monotonic() - began
    result = json.loads(done.stdout)
    return Run(result["rc"], result["stdout"], result["stderr"], seconds, result["peak_kib"] / 1024)


def baseline_mib() -> float:
    """Peak RSS of ``efs-doctor --version``: the interpreter alone."""
    return run_measured("--version").peak_mib


def assert_clean_exit(run: Run, *codes: int) -> None:
    """Exit in ``codes`` (0, 1, 2 by default), no traceback, no internal error."""
    allowed = codes or (0, 1, 2)
    assert run.returncode in allowed, run.output[-2000:]
    assert "Traceback" not in run.output, run.output[-3000:]
    assert "internal error" not in run.output, run.output[-2000:]
