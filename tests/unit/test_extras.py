"""The optional-dependency table (``efs_doctor.extras``) against pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from efs_doctor.errors import UsageError
from efs_doctor.extras import MODULES, MissingExtra, missing, require

requirements = pytest.importorskip("packaging.requirements")

REPO = Path(__file__).resolve().parents[2]
DECLARED = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
    "optional-dependencies"
]


def test_every_distribution_of_an_extra_has_its_module_in_the_table() -> None:
    for extra, modules in MODULES.items():
        names = {requirements.Requirement(r).name.lower() for r in DECLARED[extra]}
        assert names <= set(modules), f"{extra}: {sorted(names - set(modules))} not in MODULES"


def test_require_names_the_missing_modules_and_the_install_command() -> None:
    assert missing(["json", "efs_doctor_no_such_module"]) == ["efs_doctor_no_such_module"]
    require("live", ("json",), needed_for="x")  # present: nothing raised
    with pytest.raises(MissingExtra) as raised:
        require(
            "live",
            ("efs_doctor_no_such_module", "json", "efs_doctor_nor_this"),
            needed_for="live mode",
            otherwise="or pass --no-aws",
        )
    assert isinstance(raised.value, UsageError)  # the CLI's exit 2
    assert str(raised.value) == (
        "live mode needs efs_doctor_no_such_module and efs_doctor_nor_this, which are not "
        "installed: pip install 'efs-doctor[live]' (or pass --no-aws)"
    )
