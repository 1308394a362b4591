"""The optional-dependency table (``efs_doctor.extras``) against pyproject.toml, and the
floors the ``live`` extra needs."""

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


def _requirement(extra: str, name: str) -> object:
    [found] = [
        r for r in map(requirements.Requirement, DECLARED[extra]) if r.name.lower() == name.lower()
    ]
    return found


def test_every_distribution_of_an_extra_has_its_module_in_the_table() -> None:
    for extra, modules in MODULES.items():
        names = {requirements.Requirement(r).name.lower() for r in DECLARED[extra]}
        assert names <= set(modules), f"{extra}: {sorted(names - set(modules))} not in MODULES"


def test_live_allows_no_boto3_without_eks_pod_identity_credentials() -> None:
    # EKS user guide, "Use pod identity with the AWS SDK": Boto3 and botocore 1.34.41 or later
    # https://docs.aws.amazon.com/eks/latest/userguide/pod-id-minimum-sdk.html
    specifier = _requirement("live", "boto3").specifier  # type: ignore[attr-defined]
    assert "1.34.40" not in specifier
    assert "1.34.41" in specifier


def test_live_allows_no_lightkube_before_httpx2() -> None:
    # sources/k8s_live.py imports httpx2; lightkube 0.22.0 requires httpx, 1.0.0 httpx2
    # (their METADATA on PyPI; gtsystem/lightkube pull request 149)
    specifier = _requirement("live", "lightkube").specifier  # type: ignore[attr-defined]
    assert "0.22.0" not in specifier
    assert "1.0.0" in specifier


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
