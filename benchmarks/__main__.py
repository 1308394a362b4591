"""``python -m benchmarks``: the scan benchmark suite, one summary table (see bench_scan)."""

from __future__ import annotations

from benchmarks.bench_scan import main

raise SystemExit(main())
