"""Fuzz tests: the target and engine modules beside this file, and the Hypothesis profiles.

Profiles (``HYPOTHESIS_PROFILE``): ``ci`` (default; a few dozen examples per property, no
deadline so a loaded CI machine does not flake) and ``long`` (thousands per property, for a
campaign on demand: ``HYPOTHESIS_PROFILE=long pytest -m slow tests/fuzz``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
