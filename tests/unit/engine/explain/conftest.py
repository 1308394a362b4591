from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "explain"


def load_examples() -> dict[str, list[dict[str, Any]]]:
    with (FIXTURES / "examples.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES
