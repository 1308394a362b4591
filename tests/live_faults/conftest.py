"""Live-mode fault tests reuse tests/live: its fixtures (moto's ThreadedMotoServer, a clean
account per test, the kubeconfig location), its fake Kubernetes API and its seed builders;
tests/live/live_fixtures.py loads them."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "live"))

from live_fixtures import aws, kube_env, moto_url

__all__ = ["aws", "kube_env", "moto_url"]
