"""How long `explain` takes on a 200-line `kubectl describe pod` output, without context.

Target (issue 6): < 50 ms per explanation after start-up. Start-up (importing the package and
loading the signature catalogue once) is measured separately. Prints the figures; it asserts
nothing, so it can run anywhere.

    .venv/bin/python benchmarks/bench_explain.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

FIXTURE = (
    Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "explain" / "describe-pod-200.txt"
)
TARGET_MS = 50.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    start = time.perf_counter()
    from efs_doctor.engine.explain import explain, load_catalogue

    catalogue = load_catalogue()
    startup_ms = (time.perf_counter() - start) * 1000

    text = FIXTURE.read_text(encoding="utf-8")
    lines = text.count("\n")
    explain(text)  # warm caches (compiled patterns)
    timings = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        explanation = explain(text)
        timings.append((time.perf_counter() - began) * 1000)
    median = statistics.median(timings)
    worst = max(timings)
    print(f"signatures: {len(catalogue.signatures)}, causes: {len(catalogue.causes)}")
    print(f"start-up (import + catalogue): {startup_ms:.1f} ms")
    print(
        f"explain {lines}-line describe pod: median {median:.2f} ms, "
        f"p95 {sorted(timings)[int(len(timings) * 0.95) - 1]:.2f} ms, max {worst:.2f} ms "
        f"over {args.repeat} runs (target < {TARGET_MS:.0f} ms)"
    )
    print(f"top cause: {explanation.causes[0].id if explanation.causes else None}")
    print("OK" if median < TARGET_MS else "SLOWER THAN TARGET")


if __name__ == "__main__":
    main()
