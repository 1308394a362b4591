"""Hostile text in inputs must not drive the user's terminal (report/terminal.py).

An object name, volume handle or annotation can carry escape sequences (clear the screen,
move the cursor, set the window title, conceal text), a carriage return that overwrites the
line, or bidirectional overrides. Printed, they must show as escapes.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from efs_doctor.report.terminal import OWN_COLOURS, guard_output, terminal_safe

HOSTILE = {
    "clear screen": "\x1b[2J\x1b[H",
    "window title": "\x1b]0;pwned\x07",
    "conceal": "\x1b[8mhidden",
    "black on black": "\x1b[30;40m",
    "carriage return": "fake finding\roverwritten",
    "C1 CSI": "\x9b2J",
    "right-to-left override": "fs-\u202e0fedcba",
    "isolate": "\u2066x\u2069",
    "NUL and DEL": "a\x00b\x7fc",
}
MANIFEST = """\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: "evil\\e[2J\\e]0;title\\a\\u202e"
  annotations:
    note: "line\\roverwrite \\e[8mconcealed"
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteMany]
  csi:
    driver: efs.csi.aws.com
    volumeHandle: "fs-bad\\e[31m\\x9b2J"
"""


def _raw_controls(text: str) -> list[str]:
    """Control characters left in ``text`` once efs-doctor's own colour codes are removed."""
    plain = OWN_COLOURS.sub("", text)
    return [c for c in plain if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_control_characters_are_shown_as_escapes(name: str) -> None:
    shown = terminal_safe(f"PV {HOSTILE[name]} end")
    assert _raw_controls(shown) == []
    assert "\u202e" not in shown
    assert "\u2066" not in shown
    assert shown.startswith("PV ")
    assert shown.endswith(" end")
    assert terminal_safe(shown) == shown  # escaping twice changes nothing


def test_own_colours_newlines_and_tabs_are_kept() -> None:
    text = "\x1b[1;31mcritical\x1b[0m\n\tnext \x1b[2mdim\x1b[0m"
    assert terminal_safe(text) == text


def test_json_stays_json_with_the_same_values() -> None:
    value = {"name": "".join(HOSTILE.values()), "list": ["\u202e", "\x85"]}
    text = json.dumps(value, ensure_ascii=False)
    safe = terminal_safe(text)
    assert _raw_controls(safe) == []
    assert json.loads(safe) == value


def test_every_command_output_through_the_guard_is_inert(tmp_path: Path) -> None:
    from efs_doctor.cli import main

    path = tmp_path / "evil.yaml"
    path.write_text(MANIFEST)
    for args in (
        ["scan", "--color", "always", str(path)],
        ["scan", "--format", "markdown", str(path)],
        ["simulate", str(path)],
        ["inventory", str(path)],
        [
            "explain",
            "--error",
            f"volume ID 'fs-bad{HOSTILE['clear screen']}' is invalid",
            str(path),
        ],
    ):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), guard_output():
            code = main(args)
        assert code in (0, 1, 2)
        assert _raw_controls(out.getvalue() + err.getvalue()) == [], args
        assert "\u202e" not in out.getvalue() + err.getvalue()
    assert "\x1b[1;31m" in terminal_safe("\x1b[1;31m")  # colours survive


def test_the_cli_prints_hostile_names_inert(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(MANIFEST)
    for args in (["scan", str(path)], ["simulate", str(path)], ["inventory", str(path)]):
        done = subprocess.run(
            [sys.executable, "-m", "efs_doctor", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode in (0, 1, 2)
        assert _raw_controls(done.stdout + done.stderr) == [], args
