"""The EFS CSI driver's own examples (../shared/corpus/csi-driver-examples), each directory
loaded on its own: every chain simulates without error, and nothing the driver's docs
describe as working is reported ``failed``.

They carry no AWS state, so outcomes are ``indeterminate`` (mount targets, policy, network
not provided). One ``failed`` is expected and correct: ``cross_account_mount/specs/pv.yaml``
(and ``pv-mounttargetip.yaml``) literally contain ``volumeHandle: efs:[Filesystem ID]`` (and
``mounttargetip: "[MOUNT TARGET IP ADDRESS]"``), placeholders the README tells users to
replace. Applied as written, the driver rejects them in NodePublishVolume (``parseVolumeId``
/ the v3.0.1 mounttargetip check, efs-semantics.md §3.2-§3.3), so ``failed`` at the csi
layer with the driver's own message is what a user applying the file would see; the reason
says it is a placeholder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from efs_doctor.api import load_inventory, mount_chains
from efs_doctor.engine.mount import simulate_all

PLACEHOLDER_FAILURES = {
    ("cross_account_mount", "efs-pv"): (
        "csi",
        {"volume-handle-format", "volume-attributes-invalid"},
    ),
}


def _example_dirs(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_dir())


def test_every_example_simulates(corpus: Path) -> None:
    seen = 0
    for directory in _example_dirs(corpus):
        inventory = load_inventory([str(directory)])
        chains = mount_chains(inventory)
        outcomes = simulate_all(inventory, chains)
        assert len(outcomes) >= len(chains)
        for outcome in outcomes:
            seen += 1
            key = (directory.name, outcome.pv)
            if outcome.outcome == "failed":
                assert key in PLACEHOLDER_FAILURES, (directory.name, outcome.pv, outcome.reason)
                layer, causes = PLACEHOLDER_FAILURES[key]
                assert outcome.layer == layer
                assert outcome.cause in causes
                assert "placeholder" in outcome.reason
                assert outcome.error is not None
                assert "InvalidArgument" in outcome.error
            else:
                # No AWS state in the corpus: never "mounted" by assumption.
                assert outcome.outcome == "indeterminate", (directory.name, outcome.reason)
                assert outcome.reason
    assert seen >= 10


@pytest.mark.parametrize("name", ["static_provisioning", "encryption_in_transit", "volume_path"])
def test_examples_mount_commands(corpus: Path, name: str) -> None:
    inventory = load_inventory([str(corpus / name)])
    for outcome in simulate_all(inventory, mount_chains(inventory)):
        assert outcome.mount_command is not None
        assert outcome.mount_command.startswith("mount -t efs -o tls fs-")
        csi = next(s for s in outcome.steps if s.step == "csi")
        assert csi.status == "ok"


def test_volume_path_sub_paths_are_undetermined(corpus: Path) -> None:
    inventory = load_inventory([str(corpus / "volume_path")])
    outcomes = simulate_all(inventory, mount_chains(inventory))
    sub_paths = {next(s for s in o.steps if s.step == "sub-path").status for o in outcomes}
    assert sub_paths == {"indeterminate"}  # /dir1, /dir2 must exist: not visible (§3.2)
