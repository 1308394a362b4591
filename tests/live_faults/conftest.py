"""Live-mode fault tests reuse tests/live: its fixtures (moto's ThreadedMotoServer, a clean
account per test, the kubeconfig location), its fake Kubernetes API and its seed builders.

tests/live/conftest.py is loaded under another module name (importing it as ``conftest``
would collide with this file) and its fixtures re-exported here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

LIVE = Path(__file__).resolve().parents[1] / "live"
sys.path.insert(0, str(LIVE))
sys.path.insert(0, str(Path(__file__).parent))

pytest.importorskip("moto")
pytest.importorskip("lightkube")

_spec = importlib.util.spec_from_file_location("live_conftest_for_faults", LIVE / "conftest.py")
assert _spec is not None
assert _spec.loader is not None
_live = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_live)

moto_url = _live.moto_url
aws = _live.aws
kube_env = _live.kube_env
