"""Text intake: whatever users paste comes out as clean lines and message blocks."""

from __future__ import annotations

from pathlib import Path

from efs_doctor.engine.explain import explain, normalise
from efs_doctor.engine.explain.intake import split_blocks, unescape

ACCESS_DENIED = "mount.nfs4: access denied by server while mounting 127.0.0.1:/"


def test_bytes_repr_is_opened() -> None:
    assert normalise(f"b'{ACCESS_DENIED}'") == ACCESS_DENIED
    assert normalise(f'b"{ACCESS_DENIED}"') == ACCESS_DENIED


def test_bytes_repr_with_escapes_inside() -> None:
    assert normalise(r"b'first\nsecond\'s'") == "first\nsecond's"


def test_escaped_newlines_become_lines() -> None:
    assert normalise(r"a\nMounting command: mount\nb").split("\n") == [
        "a",
        "Mounting command: mount",
        "b",
    ]


def test_double_escaped_json_string() -> None:
    assert normalise(r"x\\nMounting arguments: -t efs") == "x\nMounting arguments: -t efs"


def test_ansi_colours_are_removed() -> None:
    assert normalise("\x1b[31mError\x1b[0m: \x1b[1;33mboom\x1b[0m") == "Error: boom"
    assert normalise(r"\u001b[31mError\u001b[0m") == "Error"


def test_caret_notation_and_html_entities() -> None:
    assert normalise("^[[31mError^[[0m") == "Error"
    assert normalise("Failed to resolve &quot;fs-0123&quot;") == 'Failed to resolve "fs-0123"'


def test_smart_quotes_and_ellipsis() -> None:
    assert (
        normalise("Failed to resolve \u201cfs-0123\u2026\u201d") == 'Failed to resolve "fs-0123..."'
    )


def test_unescape_keeps_unknown_sequences() -> None:
    assert unescape(r"C:\data and \q") == r"C:\data and \q"


def test_multiline_kubelet_event_is_one_block(fixtures_dir: Path) -> None:
    text = normalise((fixtures_dir / "describe-pod-seed.txt").read_text())
    blocks = split_blocks(text)
    mount_blocks = [b for b in blocks if "MountVolume.SetUp failed" in b.flat]
    assert len(mount_blocks) == 1
    assert "access denied by server" in mount_blocks[0].flat
    assert "Mounting arguments" in mount_blocks[0].flat


def test_describe_pod_output(fixtures_dir: Path) -> None:
    explanation = explain((fixtures_dir / "describe-pod-seed.txt").read_text())
    assert explanation.causes[0].id == "iam-option-missing"
    assert explanation.facts.pod == "web/web-7d9c6b5f4d-k2x8q"
    assert explanation.facts.node == "ip-10-0-1-23.ec2.internal"
    assert explanation.facts.pvc == "shared-data"
    # kubelet's "timed out waiting" summary is a consequence, not a second cause
    assert [e.causes[0].id for e in explanation.errors] == ["iam-option-missing"]
    assert "sg-missing-2049" not in {c.id for c in explanation.causes}


def test_json_log_line(fixtures_dir: Path) -> None:
    explanation = explain((fixtures_dir / "json-log-line.txt").read_text())
    assert explanation.causes[0].id == "iam-option-missing"
    assert explanation.facts.mount_options == ["tls"]


def test_ansi_capture(fixtures_dir: Path) -> None:
    explanation = explain((fixtures_dir / "ansi-colours.txt").read_text())
    assert explanation.causes[0].id == "no-mount-target-in-az"
    assert explanation.facts.region == "us-east-1"
    assert explanation.facts.exit_status == 1


def test_redacted_and_truncated(fixtures_dir: Path) -> None:
    explanation = explain((fixtures_dir / "redacted-truncated.txt").read_text())
    assert explanation.causes[0].id == "iam-option-missing"
    matches = [m for e in explanation.errors for m in e.matches]
    assert any(m.signature == "nfs-access-denied" and m.truncated for m in matches)
    assert explanation.facts.file_system_id == "fs-xxxxxxxx"
    assert any("redacted" in note for note in explanation.notes)
    # a redacted id is never put into a command
    commands = [c.command for cause in explanation.causes for c in cause.checks]
    assert not any("fs-xxxxxxxx" in command for command in commands)


def test_several_errors_are_each_explained(fixtures_dir: Path) -> None:
    explanation = explain((fixtures_dir / "several-errors.txt").read_text())
    tops = [error.causes[0].id for error in explanation.errors]
    assert tops == ["csi-controller-permissions", "port-range-exhausted"]
    top_two = {c.id for c in explanation.causes[:2]}
    assert top_two == {"csi-controller-permissions", "port-range-exhausted"}


def test_get_events_and_journal_lines_are_separate_messages() -> None:
    events = (
        "LAST SEEN   TYPE      REASON               OBJECT                 MESSAGE\n"
        "3m          Warning   ProvisioningFailed   persistentvolumeclaim/data   failed to "
        'provision volume with StorageClass "efs-sc": rpc error: code = InvalidArgument desc = '
        "Missing provisioningMode parameter\n"
        "2m10s       Warning   FailedMount          pod/web-0   MountVolume.SetUp failed for "
        'volume "pv-1" : rpc error: code = InvalidArgument desc = Volume capability not '
        "supported: invalid access mode: MULTI_NODE_READER_ONLY\n"
    )
    tops = [error.causes[0].id for error in explain(events).errors]
    assert tops == ["storageclass-parameters-invalid", "unsupported-access-mode"]
    journal = (
        "Jul 01 10:00:00 ip-10-0-1-23 kubelet[1234]: E0701 nestedpendingoperations.go:348] "
        'Error: MountVolume.SetUp failed for volume "a" : rpc error: code = Internal desc = '
        "Could not mount: mount failed: exit status 1 Output: Error retrieving region.\n"
        "Jul 01 10:00:05 ip-10-0-1-23 kubelet[1234]: E0701 csi_attacher.go:1] driver name "
        "efs.csi.aws.com not found in the list of registered CSI drivers\n"
    )
    tops = [error.causes[0].id for error in explain(journal).errors]
    assert tops == ["imds-unavailable", "csi-node-not-registered"]


def test_repeated_events_are_folded() -> None:
    line = (
        "E0701 10:00:0{n}.000000 1 mount_linux.go:232] Mount failed: exit status 32 "
        "Output: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'"
    )
    explanation = explain("\n".join(line.format(n=n) for n in range(5)))
    assert len(explanation.errors) == 1
    assert explanation.errors[0].repeats == 5


def test_unknown_text_is_honest() -> None:
    explanation = explain("the quick brown fox jumps over the lazy dog")
    assert not explanation.recognised
    assert explanation.causes == ()
    assert explanation.generic_checks


def test_only_the_benign_line() -> None:
    explanation = explain(
        'Could not start amazon-efs-mount-watchdog, unrecognized init system "aws-efs-csi-dri"'
    )
    assert not explanation.recognised
    assert any("not the error" in note for note in explanation.notes)
