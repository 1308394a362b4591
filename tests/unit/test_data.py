"""The vendored data files read through efs_doctor.data equal the files in the package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from efs_doctor import data

FOLDER = Path(data.__file__).parent


def test_read_text_is_the_file() -> None:
    assert data.read_text("signatures.yaml") == (FOLDER / "signatures.yaml").read_text("utf-8")
    permissions = sorted(os.listdir(FOLDER / "permissions"))[0]
    assert data.read_text(f"permissions/{permissions}") == (
        FOLDER / "permissions" / permissions
    ).read_text("utf-8")


def test_folder_texts_lists_every_file_by_name() -> None:
    found = list(data.folder_texts("aws_managed_policies"))
    names = sorted(os.listdir(FOLDER / "aws_managed_policies"))
    assert [name for name, _ in found] == names
    assert all(
        text == (FOLDER / "aws_managed_policies" / n).read_text("utf-8") for n, text in found
    )


def test_reading_data_does_not_import_importlib_resources() -> None:
    code = (
        "import sys; from efs_doctor.engine.explain.catalogue import load_catalogue; "
        "from efs_doctor.engine.iam.facts import enforced_keys; load_catalogue(); "
        "enforced_keys(); print('importlib.resources' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert shown.stdout.strip() == "False", shown.stderr
