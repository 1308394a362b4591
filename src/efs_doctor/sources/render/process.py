"""Running a renderer process: its output, or its own message trimmed to one line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProcessResult:
    """``output`` when the process succeeded; otherwise ``error``, one line."""

    output: str | None
    error: str | None = None
    warnings: tuple[str, ...] = ()


def run_renderer(command: Sequence[str], timeout: float, cwd: str | None = None) -> ProcessResult:
    import subprocess  # here: a scan whose renders are all cached runs none (2 ms of start-up)

    try:
        completed = subprocess.run(
            list(command),
            capture_output=True,
            timeout=timeout,
            cwd=cwd,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return ProcessResult(None, f"did not finish within {timeout:g} seconds")
    except OSError as error:
        return ProcessResult(None, f"cannot run {command[0]}: {error.strerror or error}")
    stderr = completed.stderr.decode("utf-8", "replace")
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if completed.returncode != 0:
        return ProcessResult(None, first_error(lines) or f"exit status {completed.returncode}")
    return ProcessResult(completed.stdout.decode("utf-8", "replace"), None, tuple(lines))


def first_error(lines: Sequence[str]) -> str | None:
    """The line that says what went wrong: the first starting with ``Error:`` (kustomize,
    kubectl and helm print one), else the last line."""
    for line in lines:
        if line.startswith("Error:"):
            return line.removeprefix("Error:").strip()
    return lines[-1] if lines else None
