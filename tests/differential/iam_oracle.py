"""The iam-simulate oracle behind a long-lived Node process speaking JSON lines (bridge.mjs).

Test-only: iam-simulate is AGPL-3.0 and is never imported by, or shipped with, efs-doctor.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "node_modules" / "@cloud-copilot" / "iam-simulate"


def unavailable_reason() -> str | None:
    """Why the oracle cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not PACKAGE.is_dir():
        return "tests/differential/node_modules is absent (run: npm ci --prefix tests/differential)"
    return None


def oracle_required() -> bool:
    return os.environ.get("EFS_DOCTOR_REQUIRE_ORACLE") == "1"


class Oracle:
    """One Node process; ``run`` streams simulations through it and yields replies in order."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["node", str(HERE / "bridge.mjs")],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def run(self, simulations: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        items = list(simulations)
        stdin = self.process.stdin

        def feed() -> None:  # a writer thread keeps both pipes flowing for large batches
            for number, simulation in enumerate(items):
                stdin.write(json.dumps({"id": number, "simulation": simulation}) + "\n")
            stdin.flush()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        for _ in items:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(
                    f"bridge stopped: {self.process.stderr.read() if self.process.stderr else ''}"
                )
            yield json.loads(line)
        writer.join()

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)

    def __enter__(self) -> Oracle:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
