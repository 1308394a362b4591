"""Reuses tests/live: its fixtures (moto's ThreadedMotoServer, a clean account per test, the
kubeconfig location), its fake Kubernetes API and seed builders, and tests/live_faults' kit.

tests/live/conftest.py is loaded under another module name (importing it as ``conftest``
would collide with this file) and its fixtures re-exported here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "live"))
sys.path.insert(0, str(TESTS / "live_faults"))

pytest.importorskip("moto")
pytest.importorskip("lightkube")

_spec = importlib.util.spec_from_file_location(
    f"live_conftest_for_{Path(__file__).parent.name}", TESTS / "live" / "conftest.py"
)
assert _spec is not None
assert _spec.loader is not None
_live = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_live)

moto_url = _live.moto_url
aws = _live.aws
kube_env = _live.kube_env
