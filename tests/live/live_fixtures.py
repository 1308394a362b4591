"""tests/live's fixtures (moto's ThreadedMotoServer, a clean account per test, the
kubeconfig location) for the suites that reuse them: tests/live_faults, tests/readonly and
tests/secrets. Each of their conftests puts tests/live on ``sys.path`` and re-exports
``moto_url``, ``aws`` and ``kube_env`` from here.

tests/live/conftest.py is loaded under another module name (importing it as ``conftest``
would collide with the importing conftest). tests/live_faults goes on ``sys.path`` too, for
its fault kit.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

LIVE = Path(__file__).resolve().parent
sys.path.insert(0, str(LIVE))
sys.path.insert(0, str(LIVE.parent / "live_faults"))

pytest.importorskip("moto")
pytest.importorskip("lightkube")

_spec = importlib.util.spec_from_file_location("live_conftest_reused", LIVE / "conftest.py")
assert _spec is not None
assert _spec.loader is not None
_live = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_live)

moto_url = _live.moto_url
aws = _live.aws
kube_env = _live.kube_env
